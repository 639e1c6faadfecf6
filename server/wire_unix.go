//go:build unix

package server

import "syscall"

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
