package push

import (
	"errors"
	"net"
	"time"
)

// TryWriter is a connection that can write without waiting: it writes what
// the socket takes now and returns. The server's counting connection over
// TCP is one. The hub's shared writers need it so that one client that does
// not read holds up nobody; a connection without it (under TLS, say) gets a
// writer goroutine of its own whenever it has something to send.
type TryWriter interface {
	TryWrite(p []byte) (int, error)
}

// sendConn is a subscriber's connection as its writers see it; a transport
// writes its frames to it (gorilla's Conn writes through it too).
//
// In a shared writer (shared true) a write never waits: what the socket does
// not take at once is kept in pending, the write reports success, and the
// subscriber moves to a goroutine of its own, which writes pending with a
// deadline. Otherwise each write waits up to writeWait. Only the holder of
// the subscriber's write token writes, so none of this needs a lock.
type sendConn struct {
	net.Conn
	try       func([]byte) (int, error) // nil: this connection cannot write without waiting
	writeWait time.Duration
	shared    bool
	deadline  bool   // a write deadline is set on the connection
	pending   []byte // what a shared write could not get into the socket
}

func newSendConn(c net.Conn, writeWait time.Duration) *sendConn {
	sc := &sendConn{Conn: c, writeWait: writeWait}
	if tw, ok := c.(TryWriter); ok {
		sc.try = tw.TryWrite
	}
	return sc
}

// canShare reports whether shared writers can write to this connection.
func (c *sendConn) canShare() bool { return c.try != nil }

// share switches between the shared writers' way (never wait) and a
// goroutine's own (wait up to writeWait).
func (c *sendConn) share(shared bool) {
	c.shared = shared
	if shared && c.deadline {
		// A passed deadline would fail even a write that does not wait.
		c.Conn.SetWriteDeadline(time.Time{})
		c.deadline = false
	}
}

func (c *sendConn) Write(p []byte) (int, error) {
	if !c.shared {
		c.Conn.SetWriteDeadline(time.Now().Add(c.writeWait))
		c.deadline = true
		return c.Conn.Write(p)
	}
	if len(c.pending) > 0 {
		c.pending = append(c.pending, p...)
		return len(p), nil
	}
	n, err := c.try(p)
	if errors.Is(err, errors.ErrUnsupported) {
		c.try, n, err = nil, 0, nil // from now on, writes that wait only
	}
	if err != nil {
		return n, err
	}
	if n < len(p) {
		c.pending = append(c.pending, p[n:]...)
	}
	return len(p), nil
}

// stuck reports whether bytes wait for a write that may wait.
func (c *sendConn) stuck() bool { return len(c.pending) > 0 }

// flush writes what a shared write left pending, waiting up to writeWait.
func (c *sendConn) flush() error {
	if len(c.pending) == 0 {
		return nil
	}
	p := c.pending
	c.pending = nil
	_, err := c.Write(p)
	return err
}

// SetWriteDeadline is ignored: sendConn sets its own deadline on each write
// that may wait (gorilla sets one before every frame).
func (c *sendConn) SetWriteDeadline(time.Time) error { return nil }

// SetDeadline sets the read deadline only, for the same reason.
func (c *sendConn) SetDeadline(t time.Time) error { return c.Conn.SetReadDeadline(t) }
