//go:build unix

package server

import (
	"io"
	"syscall"
)

// TryWrite writes what the socket takes now and returns at once, n < len(p)
// when its send buffer is full; the bytes are counted as Write counts them.
// The push hub's shared writers use it so that one client that does not
// read holds up nobody: the rest waits with that client alone. Only one
// goroutine writes to a connection at a time (the hub's rule), so the
// writer's fields need no lock.
func (c *countingConn) TryWrite(p []byte) (int, error) {
	w := c.raw
	if w == nil {
		rc, err := c.SyscallConn()
		if err != nil {
			return 0, err
		}
		w = &rawWriter{rc: rc}
		c.raw = w
		w.do = func(fd uintptr) bool {
			for {
				w.n, w.err = syscall.Write(int(fd), w.p)
				if w.err != syscall.EINTR {
					return true // never wait: that is the point
				}
			}
		}
	}
	w.p = p
	err := w.rc.Write(w.do)
	n, werr := max(w.n, 0), w.err
	w.p, w.n, w.err = nil, 0, nil
	if err != nil {
		return 0, err
	}
	if werr == syscall.EAGAIN {
		werr = nil // the buffer is full: the caller keeps the rest
	}
	c.wrote(p[:n])
	return n, werr
}

// TryRead reads what the socket holds now and returns at once: 0 and no
// error when it holds nothing, io.EOF when the client closed. The long
// poller reads a kept connection's next request with it from the one
// goroutine that watches them all, which must never wait on a client.
// The bytes are counted as Read counts them.
func (c *countingConn) TryRead(p []byte) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var (
		n    int
		rerr error
	)
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Read(int(fd), p)
			if rerr != syscall.EINTR {
				return true
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case rerr == syscall.EAGAIN:
		return 0, nil
	case rerr != nil:
		return 0, rerr
	case n == 0:
		return 0, io.EOF
	}
	c.gotIn(p[:n])
	return n, nil
}
