package server

import (
	"bytes"
	"net"
	"net/http"
	"sync"
	"time"
)

// resumeQueue bounds the connections waiting to be served again: a burst
// of 10,000 long polls answered at once waits here for the accept loop.
const resumeQueue = 1 << 14

// CanResume implements polling.Resumer: a parked long poll may take its
// connection out of net/http when the connection is one of this server's
// own, plain HTTP/1.1 over a socket (a TLS connection would come back
// through a listener that wraps it again), and its answer goes out as it
// is (a poll answered outside net/http is not compressed).
func (s *Server) CanResume(r *http.Request) bool {
	if r.TLS != nil || r.ProtoMajor != 1 || r.ProtoMinor != 1 {
		return false
	}
	if s.cfg.Compress && r.Header.Get("Accept-Encoding") != "" {
		return false
	}
	cc := connFrom(r.Context())
	if cc == nil {
		return false
	}
	// The parked poll is watched through the socket beneath (epoll).
	_, err := cc.SyscallConn()
	return err == nil
}

// Head implements polling.Resumer: r's request line and headers as they
// came on the wire, or nil when the connection did not keep them whole.
func (s *Server) Head(r *http.Request) []byte {
	cc := connFrom(r.Context())
	if cc == nil {
		return nil
	}
	cc.headMu.Lock()
	defer cc.headMu.Unlock()
	if len(cc.reqHead) >= maxHeadCapture {
		return nil // cut short
	}
	return bytes.Clone(cc.reqHead)
}

// Resume implements polling.Resumer: the HTTP server serves c's next
// requests as if it had just been accepted. While the server shuts down, c
// is closed instead.
func (s *Server) Resume(c net.Conn) bool {
	cc, ok := c.(*countingConn)
	if !ok {
		c.Close()
		return false
	}
	cc.end() // what it reads next is its next request's
	return s.Return(c, nil)
}

// Keep implements polling.Resumer: c's request is over, and the long
// poller reads its next one itself (a repeated long poll, which it serves
// without net/http). idle is how long c may wait for it, as net/http lets
// an idle keep-alive connection wait.
func (s *Server) Keep(c net.Conn) (idle time.Duration, ok bool) {
	cc, ok := c.(*countingConn)
	if !ok {
		return 0, false
	}
	select {
	case <-s.shutdown:
		return 0, false
	default:
	}
	if s.full() {
		return 0, false // its next request is net/http's, to be refused 503
	}
	cc.end() // what it reads next is its next request's
	return idleTimeout, true
}

// Return implements polling.Resumer: a connection the long poller kept
// comes back to the HTTP server, which reads read first: the part of its
// next request the poller read and could not serve.
func (s *Server) Return(c net.Conn, read []byte) bool {
	cc, ok := c.(*countingConn)
	if !ok {
		c.Close()
		return false
	}
	cc.replay = read
	s.waiting.add(cc)
	select {
	case <-s.shutdown:
	default:
		select {
		case s.back <- cc:
			return true
		case <-s.shutdown:
		}
	}
	s.waiting.remove(cc)
	c.Close()
	return false
}

// resumed are connections given back to the HTTP server and not yet
// carrying their next request. net/http takes them for new connections,
// which a shutdown leaves alone for 5 s (it cannot tell a new connection
// from one about to send its first request), so the server closes them
// itself, as net/http closes its idle ones.
type resumed struct {
	mu sync.Mutex
	m  map[*countingConn]struct{}
}

func (r *resumed) add(c *countingConn) {
	c.resumed.Store(true)
	r.mu.Lock()
	if r.m == nil {
		r.m = make(map[*countingConn]struct{})
	}
	r.m[c] = struct{}{}
	r.mu.Unlock()
}

func (r *resumed) remove(c *countingConn) {
	if !c.resumed.CompareAndSwap(true, false) {
		return
	}
	r.mu.Lock()
	delete(r.m, c)
	r.mu.Unlock()
}

// connState is the http.Server's ConnState: a resumed connection that
// carries a request, or is gone, is net/http's again.
func (s *Server) connState(c net.Conn, state http.ConnState) {
	if cc, ok := c.(*countingConn); ok && state != http.StateNew {
		s.waiting.remove(cc)
	}
}

// closeResumed closes, at shutdown, the resumed connections still waiting
// for their next request, and those not yet taken back.
func (s *Server) closeResumed() {
	s.waiting.mu.Lock()
	for c := range s.waiting.m {
		c.Close()
	}
	s.waiting.mu.Unlock()
	for {
		select {
		case c := <-s.back:
			c.Close()
		default:
			return
		}
	}
}
