package server

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
)

// The lab exists to show what each transport costs on the wire, headers and
// framing included, so bytes are counted on every accepted net.Conn rather
// than from Content-Length. Each connection's bytes go to the account
// (transport and client) of the request it is serving.

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

// countingConn counts bytes read and written. While a handler runs, reads go
// to its account; between requests they are held as pending and given to
// the next request (they are its request line and headers). Writes always
// go to the latest request's account: a response is finished (flushed)
// after its handler returns, and HTTP/1.1 answers requests in order.
type countingConn struct {
	net.Conn
	stats *Stats

	owner  atomic.Pointer[account]
	active atomic.Bool // a handler is running on this connection

	pendingIn  atomic.Int64
	pendingOut atomic.Int64
	closeOnce  sync.Once

	// The raw request head, for the inspector (wiretap.go). headMu orders
	// reads between requests against begin, so that no byte of a request's
	// head is lost or given to the wrong request.
	headMu  sync.Mutex
	head    []byte // read while no handler ran: the next request's line and headers
	reqHead []byte // the current request's, set by begin
	tap     atomic.Pointer[connTap]
	upgrade atomic.Bool // the current request is /ws: no HTTP request follows it
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.gotIn(p[:n])
	}
	return n, err
}

func (c *countingConn) gotIn(b []byte) {
	if !c.active.Load() {
		c.headMu.Lock()
		if !c.active.Load() {
			c.pendingIn.Add(int64(len(b)))
			c.captureHead(b)
			c.headMu.Unlock()
			return
		}
		c.headMu.Unlock()
	}
	c.owner.Load().addIn(int64(len(b)))
	if t := c.tap.Load(); t != nil {
		t.read(b)
	}
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		if a := c.owner.Load(); a != nil {
			a.addOut(int64(n))
		} else {
			c.pendingOut.Add(int64(n))
		}
		if t := c.tap.Load(); t != nil {
			t.wrote(p[:n])
		}
	}
	return n, err
}

// begin makes a the owner of this connection's bytes, including the
// request's own header bytes read before the handler started.
func (c *countingConn) begin(a *account) {
	c.headMu.Lock()
	c.owner.Store(a)
	c.active.Store(true)
	a.addIn(c.pendingIn.Swap(0))
	a.addOut(c.pendingOut.Swap(0))
	c.head, c.reqHead = c.reqHead[:0], c.head
	if t := c.tap.Load(); t != nil {
		t.requestHead(c.reqHead)
	}
	if c.upgrade.Load() {
		// An upgraded connection carries no more requests: keep no buffers
		// for its lifetime (there may be 10,000 of them).
		c.head, c.reqHead = nil, nil
	}
	c.headMu.Unlock()
}

// maxHeadCapture bounds the request head kept per connection. net/http
// allows 1 MiB of headers; a browser's upgrade request is under 1 KiB.
const maxHeadCapture = 16 << 10

// captureHead keeps bytes read between requests; the caller holds headMu.
func (c *countingConn) captureHead(b []byte) {
	if room := maxHeadCapture - len(c.head); room > 0 {
		c.head = append(c.head, b[:min(len(b), room)]...)
	}
}

// inspect says, before the request's handler begins, whether its bytes
// go to a tap (nil: not inspected) and whether it asks for an upgrade.
func (c *countingConn) inspect(t *connTap, upgrade bool) {
	c.tap.Store(t)
	c.upgrade.Store(upgrade)
}

// end marks the handler done; later reads belong to the next request.
func (c *countingConn) end() { c.active.Store(false) }

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
// counting connection under a request.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*countingConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

func connFrom(ctx context.Context) *countingConn {
	cc, _ := ctx.Value(connKey{}).(*countingConn)
	return cc
}
