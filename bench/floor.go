package bench

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"strings"
	"time"
)

// runFloor follows GET /floor, the raw-TCP floor: after the response header
// the connection carries nothing but update lines, so this client is a
// socket and a line reader, no HTTP client. When the stream ends it comes
// back with ?since= after a bounded backoff.
func (c *simClient) runFloor(ctx context.Context) {
	var b backoff
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			c.n.reconnects.Add(1)
		}
		if c.floorStream(ctx) {
			b.reset()
		}
		c.fail(ctx) // a stream only ends early by error or server shutdown
		if !b.wait(ctx, c) {
			return
		}
	}
}

// floorStream opens one floor stream and reads it until it ends. It reports
// whether the stream opened. There is no keepalive on the floor: a silent
// stream is waited on until the run ends.
func (c *simClient) floorStream(ctx context.Context) bool {
	conn, err := countingDialer(c.dial, c.via)(ctx, "tcp", c.base.Host)
	if err != nil {
		return false
	}
	if c.base.Scheme == "https" {
		conn = tls.Client(conn, &tls.Config{ServerName: c.base.Hostname(), InsecureSkipVerify: true})
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	u := c.url(c.base.Scheme, "/floor", c.sinceQuery())
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + c.base.Host + "\r\n\r\n"
	c.n.requests.Add(1)
	c.hdr.reqHeaders.Add(int64(len(req)))
	conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := io.WriteString(conn, req); err != nil {
		return false
	}
	r := bufio.NewReaderSize(conn, 4096)
	ok, n := false, 0
	var line []byte
	for first := true; ; first = false {
		if line, err = readLine(r, line[:0]); err != nil {
			return false
		}
		n += len(line) + len("\r\n")
		if first {
			ok = strings.HasPrefix(string(line), "HTTP/1.1 200 ")
		}
		if len(line) == 0 {
			break
		}
	}
	c.hdr.respHeaders.Add(int64(n))
	c.hdr.responses.Add(1)
	if !ok {
		return false
	}
	conn.SetDeadline(time.Time{})
	for {
		if line, err = readLine(r, line[:0]); err != nil {
			return true
		}
		c.n.bodyDown.Add(int64(len(line) + 1))
		if len(line) > 0 {
			c.received(line, time.Now())
		}
	}
}
