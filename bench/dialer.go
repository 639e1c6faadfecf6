package bench

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// wire counts one simulated client's bytes on the wire, over all its
// connections: every byte its sockets wrote (up) and read (down), request
// lines, headers, bodies, WebSocket handshake and frame headers, pings.
type wire struct {
	up, down atomic.Int64
}

// countingConn is a net.Conn that adds what it reads and writes to a wire.
type countingConn struct {
	net.Conn
	w *wire
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.w.down.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.w.up.Add(int64(n))
	return n, err
}

// dialTimeout bounds connecting (and, through toxiproxy, its first hop).
const dialTimeout = 10 * time.Second

// countingDialer returns a DialContext for http.Transport and the gorilla
// Dialer's NetDialContext that counts the client's bytes. addr, when set,
// replaces the address asked for: the clients then reach the server
// through the network-conditions proxy while URLs and Host headers still
// name the server.
func countingDialer(w *wire, addr string) func(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: -1}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if addr != "" {
			address = addr
		}
		c, err := d.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, w: w}, nil
	}
}
