package server

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
)

// The lab exists to show what each transport costs on the wire, headers and
// framing included, so bytes are counted on every accepted net.Conn rather
// than from Content-Length. Under TLS the counting conn sits beneath the
// tls.Conn, so TLS records and handshakes are counted as the wire carries
// them. Each connection's bytes go to the account (transport and client)
// of the request it is serving; docs/protocol.md ("Who pays for which
// bytes") states the rule for HTTP/1.1 and for HTTP/2.

// countingListener wraps accepted connections so they count their bytes.
type countingListener struct {
	net.Listener
	stats *Stats
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.stats.conns.Add(1)
	return &countingConn{Conn: c, stats: l.stats}, nil
}

// countingConn counts bytes read and written.
//
// HTTP/1.1 serves one request at a time. While a handler runs, reads go to
// its account; between requests they are held as pending and given to the
// next request (they are its request line and headers). Writes always go
// to the latest request's account: a response is finished (flushed) after
// its handler returns, and HTTP/1.1 answers requests in order.
//
// HTTP/2 interleaves the frames of concurrent streams, and beneath TLS the
// counter cannot see which stream a record carries. Once a connection has
// served an HTTP/2 request, all its bytes go to the account of the latest
// request that began on it, at once, including connection frames (SETTINGS,
// WINDOW_UPDATE, PING) that belong to no request. That is exact whenever
// every request on the connection has the same account (a client that uses
// one connection per transport); a connection shared by several accounts
// (a browser tab multiplexing its panels) splits its bytes only roughly,
// while the totals stay exact.
type countingConn struct {
	net.Conn
	stats *Stats

	owner       atomic.Pointer[account]
	running     atomic.Int64 // handlers running on this connection
	multiplexed atomic.Bool  // it speaks HTTP/2

	pendingIn  atomic.Int64
	pendingOut atomic.Int64
	closeOnce  sync.Once
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		if a := c.owner.Load(); a != nil && (c.running.Load() > 0 || c.multiplexed.Load()) {
			a.addIn(int64(n))
		} else {
			c.pendingIn.Add(int64(n))
		}
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		if a := c.owner.Load(); a != nil {
			a.addOut(int64(n))
		} else {
			c.pendingOut.Add(int64(n))
		}
	}
	return n, err
}

// begin makes a the owner of this connection's bytes, including the
// request's own header bytes read before the handler started (and, on a
// new connection, its TLS handshake or HTTP/2 preface).
func (c *countingConn) begin(a *account, multiplexed bool) {
	if multiplexed {
		c.multiplexed.Store(true)
	}
	c.owner.Store(a)
	c.running.Add(1)
	a.addIn(c.pendingIn.Swap(0))
	a.addOut(c.pendingOut.Swap(0))
}

// end marks a handler done; on HTTP/1.1, later reads belong to the next request.
func (c *countingConn) end() { c.running.Add(-1) }

// Close gives bytes that no request claimed (a malformed request net/http
// refused before any handler, a client that sent half a request) to the
// last owner or to "other", so the totals still add up.
func (c *countingConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		a := c.owner.Load()
		if a == nil {
			a = c.stats.otherAccount()
		}
		a.addIn(c.pendingIn.Swap(0))
		a.addOut(c.pendingOut.Swap(0))
		c.stats.conns.Add(-1)
	})
	return err
}

type connKey struct{}

// withConn is the http.Server's ConnContext: it lets middleware find the
// counting connection under a request, beneath TLS when there is TLS.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if cc, ok := c.(*countingConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

func connFrom(ctx context.Context) *countingConn {
	cc, _ := ctx.Value(connKey{}).(*countingConn)
	return cc
}
