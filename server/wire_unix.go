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
	if c.rawOut == nil {
		op, err := c.newRawOp(syscall.Write, true)
		if err != nil {
			return 0, err
		}
		c.rawOut = op
	}
	n, err := c.rawOut.run(p)
	if err == syscall.EAGAIN {
		err = nil // the buffer is full: the caller keeps the rest
	}
	c.wrote(p[:n])
	return n, err
}

// TryRead reads what the socket holds now and returns at once: 0 and no
// error when it holds nothing, io.EOF when the client closed. The long
// poller reads a kept connection's next request with it, from the one
// goroutine that watches them all, which must never wait on a client; one
// reader at a time (the poller's rule). The bytes are counted as Read
// counts them.
func (c *countingConn) TryRead(p []byte) (int, error) {
	if c.rawIn == nil {
		op, err := c.newRawOp(syscall.Read, false)
		if err != nil {
			return 0, err
		}
		c.rawIn = op
	}
	n, err := c.rawIn.run(p)
	switch {
	case err == syscall.EAGAIN:
		return 0, nil
	case err != nil:
		return 0, err
	case n == 0:
		return 0, io.EOF
	}
	c.gotIn(p[:n])
	return n, nil
}

// newRawOp makes the read or write that never waits: call is
// syscall.Read or syscall.Write (write), which take the socket's read or
// write lock as Read and Write do.
func (c *countingConn) newRawOp(call func(fd int, p []byte) (int, error), write bool) (*rawOp, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	op := &rawOp{rc: rc, write: write}
	op.do = func(fd uintptr) bool {
		for {
			op.n, op.err = call(int(fd), op.p)
			if op.err != syscall.EINTR {
				return true // never wait: that is the point
			}
		}
	}
	return op, nil
}

// run does the operation on p once; n is never negative.
func (op *rawOp) run(p []byte) (int, error) {
	op.p = p
	var err error
	if op.write {
		err = op.rc.Write(op.do)
	} else {
		err = op.rc.Read(op.do)
	}
	n, oerr := max(op.n, 0), op.err
	op.p, op.n, op.err = nil, 0, nil
	if err != nil {
		return 0, err
	}
	return n, oerr
}
