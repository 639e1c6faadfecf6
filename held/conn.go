package held

import (
	"errors"
	"net"
	"time"
)

// TryWriter is a connection that can write without waiting: it writes what
// the socket takes now and returns. The server's counting connection over
// TCP is one. The shared writers need it so that one client that does not
// read holds up nobody; a connection without it (under TLS, say) gets a
// writer goroutine of its own whenever it has something to send.
type TryWriter interface {
	TryWrite(p []byte) (int, error)
}

// TryReader is a connection that can read without waiting: what the
// socket holds now, 0 bytes and no error when it holds nothing. The
// server's counting connection over TCP is one.
type TryReader interface {
	TryRead(p []byte) (int, error)
}

// Conn is a held connection as its writers see it; a transport writes its
// frames to it (gorilla's Conn writes through it too).
//
// Shared (in a shared writer), a write never waits: what the socket does
// not take at once is kept, the write reports success, and Stuck says so;
// the caller then hands the connection to a goroutine of the client's own,
// whose Flush writes the rest. Not shared, each write waits up to writeWait.
// One goroutine writes at a time (the holder's own rule), so none of this
// needs a lock.
type Conn struct {
	net.Conn
	try       func([]byte) (int, error) // nil: this connection cannot write without waiting
	writeWait time.Duration
	shared    bool
	deadline  bool   // a write deadline is set on the connection
	pending   []byte // what a shared write could not get into the socket
}

// NewConn holds c; writes that wait, wait up to writeWait each.
func NewConn(c net.Conn, writeWait time.Duration) *Conn {
	sc := &Conn{Conn: c, writeWait: writeWait}
	if tw, ok := c.(TryWriter); ok {
		sc.try = tw.TryWrite
	}
	return sc
}

// CanTryRead reports whether TryRead can read this connection.
func (c *Conn) CanTryRead() bool {
	_, ok := c.Conn.(TryReader)
	return ok
}

// TryRead reads what the socket holds now, without waiting
// (errors.ErrUnsupported where it cannot: see CanTryRead).
func (c *Conn) TryRead(p []byte) (int, error) {
	tr, ok := c.Conn.(TryReader)
	if !ok {
		return 0, errors.ErrUnsupported
	}
	return tr.TryRead(p)
}

// Drain reads what the socket holds now, up to a bound, and drops it: a
// client that sent bytes and went away before they were read still has
// them counted (the server's accounting counts what it reads).
func (c *Conn) Drain() {
	var b [4096]byte
	for range 16 {
		if n, err := c.TryRead(b[:]); n == 0 || err != nil {
			return
		}
	}
}

// CanShare reports whether shared writers can write to this connection.
func (c *Conn) CanShare() bool { return c.try != nil }

// Share switches between the shared writers' way (never wait) and a
// goroutine's own (wait up to writeWait).
func (c *Conn) Share(shared bool) {
	c.shared = shared
	if shared && c.deadline {
		// A passed deadline would fail even a write that does not wait.
		c.Conn.SetWriteDeadline(time.Time{})
		c.deadline = false
	}
}

func (c *Conn) Write(p []byte) (int, error) {
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

// Stuck reports whether bytes wait for a write that may wait.
func (c *Conn) Stuck() bool { return len(c.pending) > 0 }

// Flush writes what a shared write left pending, waiting up to writeWait.
func (c *Conn) Flush() error {
	if len(c.pending) == 0 {
		return nil
	}
	p := c.pending
	c.pending = nil
	_, err := c.Write(p)
	return err
}

// SetWriteDeadline is ignored: Conn sets its own deadline on each write
// that may wait (gorilla sets one before every frame).
func (c *Conn) SetWriteDeadline(time.Time) error { return nil }

// SetDeadline sets the read deadline only, for the same reason.
func (c *Conn) SetDeadline(t time.Time) error { return c.Conn.SetReadDeadline(t) }

// ReadUntilGone watches c by reading, where a Watcher cannot: it blocks
// until the client sends something or goes away, then tells who. Run it in
// a goroutine of its own; closing c ends it.
func ReadUntilGone(c net.Conn, who Watched) {
	var b [64]byte
	if hc, ok := c.(*Conn); ok {
		c = hc.Conn
	}
	c.SetReadDeadline(time.Time{})
	_, err := c.Read(b[:])
	who.Stirred(err != nil)
}
