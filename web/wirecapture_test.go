package web_test

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// captureCap bounds what is kept of one connection: enough for dozens of
// request headers, not a long WebSocket's frames.
const captureCap = 256 << 10

// captureListener keeps the first bytes every accepted connection reads, so
// a test can see a client's request headers exactly as they crossed the
// wire: names, spelling, order and sizes.
type captureListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*captureConn
}

type captureConn struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *captureListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cc := &captureConn{Conn: c}
	l.mu.Lock()
	l.conns = append(l.conns, cc)
	l.mu.Unlock()
	return cc, nil
}

func (c *captureConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if room := captureCap - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(n, room)])
	}
	c.mu.Unlock()
	return n, err
}

// SyscallConn gives the socket beneath, so that the server watches a
// parked long poll's connection here as it does in production (epoll).
func (c *captureConn) SyscallConn() (syscall.RawConn, error) {
	return c.Conn.(syscall.Conn).SyscallConn()
}

// rawRequest is one HTTP/1.1 request as read on the wire.
type rawRequest struct {
	Method, URI string
	Head        []byte // request line through the blank line
	Body        []byte
	Fields      []rawField // header fields in wire order
}

type rawField struct{ Name, Value string }

// requests parses every complete HTTP/1.1 request read so far, connection
// by connection, in order. A connection that upgraded is read no further.
func (l *captureListener) requests() []rawRequest {
	l.mu.Lock()
	conns := append([]*captureConn(nil), l.conns...)
	l.mu.Unlock()
	var out []rawRequest
	for _, c := range conns {
		c.mu.Lock()
		b := append([]byte(nil), c.buf.Bytes()...)
		c.mu.Unlock()
		for len(b) > 0 {
			end := bytes.Index(b, []byte("\r\n\r\n"))
			if end < 0 {
				break
			}
			r := parseHead(b[:end+4])
			b = b[end+4:]
			n := 0
			for _, f := range r.Fields {
				if strings.EqualFold(f.Name, "Content-Length") {
					n, _ = strconv.Atoi(f.Value)
				}
			}
			if n > len(b) {
				break
			}
			r.Body, b = b[:n], b[n:]
			out = append(out, r)
			if r.field("Upgrade") != "" {
				break // frames follow
			}
		}
	}
	return out
}

func parseHead(head []byte) rawRequest {
	lines := strings.Split(strings.TrimSuffix(string(head), "\r\n\r\n"), "\r\n")
	r := rawRequest{Head: head}
	if parts := strings.SplitN(lines[0], " ", 3); len(parts) == 3 {
		r.Method, r.URI = parts[0], parts[1]
	}
	for _, line := range lines[1:] {
		name, value, _ := strings.Cut(line, ":")
		r.Fields = append(r.Fields, rawField{name, strings.TrimLeft(value, " ")})
	}
	return r
}

func (r rawRequest) field(name string) string {
	for _, f := range r.Fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}
