package client

import (
	"net"
	"sync/atomic"
)

// wire counts one simulated client's bytes on the wire, over all its
// connections: every byte its sockets wrote (up) and read (down), request
// lines, headers, bodies, WebSocket handshake and frame headers, pings.
// Under TLS the count belongs on the TCP connection beneath it, which is
// what Client.dialer returns.
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
