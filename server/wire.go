package server

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// The lab exists to show what each transport costs on the wire, headers and
// framing included, so bytes are counted on every accepted net.Conn rather
// than from Content-Length. Under TLS the counting conn sits beneath the
// tls.Conn, so TLS records and handshakes are counted as the wire carries
// them. Each connection's bytes go to the account (transport and client)
// of the request it is serving; docs/protocol.md ("Who pays for which
// bytes") states the rule for HTTP/1.1 and for HTTP/2.

// countingListener wraps accepted connections so they count their bytes.
// It also gives the HTTP server back connections that a handler took over
// and is done with (a parked long poll, answered), to be served again like
// new ones.
type countingListener struct {
	net.Listener
	stats *Stats
	back  <-chan net.Conn

	start    sync.Once
	accepted chan acceptance // from acceptLoop
}

type acceptance struct {
	c   net.Conn
	err error
}

func (l *countingListener) Accept() (net.Conn, error) {
	l.start.Do(func() {
		l.accepted = make(chan acceptance, 1)
		go l.acceptLoop()
	})
	select {
	case c := <-l.back:
		return c, nil
	case a := <-l.accepted:
		return a.c, a.err
	}
}

// acceptLoop accepts for Accept, which must also wait on back; it ends when
// the listener is closed.
func (l *countingListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			l.stats.conns.Add(1)
			c = &countingConn{Conn: c, stats: l.stats}
		}
		l.accepted <- acceptance{c, err}
		if errors.Is(err, net.ErrClosed) {
			return
		}
	}
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

	// The raw request head, for the inspector (wiretap.go). headMu orders
	// reads between requests against begin, so that no byte of a request's
	// head is lost or given to the wrong request.
	headMu  sync.Mutex
	head    []byte // read while no handler ran: the next request's line and headers
	reqHead []byte // the current request's, set by begin
	tap     atomic.Pointer[connTap]
	upgrade atomic.Bool // the current request is /ws: no HTTP request follows it
	rawOut  *rawOp      // TryWrite's, made at its first use
	rawIn   *rawOp      // TryRead's
	resumed atomic.Bool // given back to the HTTP server, no request yet (resume.go)
	// replay is what the long poller read of the next request before it
	// gave the connection back (Return): Read gives it first, uncounted,
	// as it was counted when it came.
	replay []byte
}

func (c *countingConn) Read(p []byte) (int, error) {
	if len(c.replay) > 0 {
		n := copy(p, c.replay)
		c.replay = c.replay[n:]
		return n, nil
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.gotIn(p[:n])
	}
	return n, err
}

// receiving reports whether reads go straight to the owner's account: a
// handler is running, or the connection speaks HTTP/2 (see above).
func (c *countingConn) receiving() bool {
	return c.owner.Load() != nil && (c.running.Load() > 0 || c.multiplexed.Load())
}

// gotIn counts bytes read: to the owner while receiving, else as pending
// bytes of the next request, whose head they are (kept for the inspector).
func (c *countingConn) gotIn(b []byte) {
	if !c.receiving() {
		c.headMu.Lock()
		if !c.receiving() {
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
	c.wrote(p[:max(n, 0)])
	return n, err
}

// wrote counts bytes written, by Write or TryWrite: to the owner's account,
// and to the inspector's tap when the connection has one.
func (c *countingConn) wrote(p []byte) {
	if n := len(p); n > 0 {
		if a := c.owner.Load(); a != nil {
			a.addOut(int64(n))
		} else {
			c.pendingOut.Add(int64(n))
		}
		if t := c.tap.Load(); t != nil {
			t.wrote(p[:n])
		}
	}
}

// begin makes a the owner of this connection's bytes, including the
// request's own header bytes read before the handler started (and, on a
// new connection, its TLS handshake or HTTP/2 preface).
func (c *countingConn) begin(a *account, multiplexed bool) {
	if multiplexed {
		c.multiplexed.Store(true)
	}
	c.headMu.Lock()
	c.owner.Store(a)
	c.running.Add(1)
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

// SyscallConn gives the socket beneath to the push hub, which watches idle
// streams for their client going away with epoll instead of a goroutine
// blocked in Read per connection.
func (c *countingConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	return sc.SyscallConn()
}

// rawOp reads or writes the socket beneath a connection without waiting
// (TryRead, TryWrite, where the platform has them).
type rawOp struct {
	rc    syscall.RawConn
	write bool
	do    func(fd uintptr) bool // the read or write, made once: no allocation per call
	p     []byte
	n     int
	err   error
}
