package server

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// The lab exists to show what each transport costs on the wire, headers and
// framing included, so bytes are counted on every accepted net.Conn rather
// than from Content-Length. Each connection's bytes go to the account
// (transport and client) of the request it is serving.

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

	raw     *rawWriter  // TryWrite's, made at its first use
	resumed atomic.Bool // given back to the HTTP server, no request yet (resume.go)
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		if a := c.owner.Load(); a != nil && c.active.Load() {
			a.addIn(int64(n))
		} else {
			c.pendingIn.Add(int64(n))
		}
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.countOut(n)
	return n, err
}

func (c *countingConn) countOut(n int) {
	if n > 0 {
		if a := c.owner.Load(); a != nil {
			a.addOut(int64(n))
		} else {
			c.pendingOut.Add(int64(n))
		}
	}
}

// begin makes a the owner of this connection's bytes, including the
// request's own header bytes read before the handler started.
func (c *countingConn) begin(a *account) {
	c.owner.Store(a)
	c.active.Store(true)
	a.addIn(c.pendingIn.Swap(0))
	a.addOut(c.pendingOut.Swap(0))
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

// rawWriter writes to the socket beneath a connection without waiting
// (TryWrite, where the platform has it).
type rawWriter struct {
	rc  syscall.RawConn
	do  func(fd uintptr) bool // the write, made once: no allocation per write
	p   []byte
	n   int
	err error
}
