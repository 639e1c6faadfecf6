package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"strings"
	"time"
)

// floor follows GET /floor, the raw-TCP floor: after the response header
// the connection carries nothing but update lines, so this client is a
// socket and a line reader. When the stream ends it comes back with
// ?since= after a bounded backoff. The stream carries nothing upstream, so
// a floor client chats as an SSE client does, with POST /api/publish on a
// connection of its own.
type floor struct{}

func (floor) publishesInBand() bool { return false }

func (floor) follow(ctx context.Context, c *Client) { c.reconnecting(ctx, c.floorStream) }

// floorStream opens one floor stream and reads it until it ends. It reports
// whether the stream opened. There is no keepalive on the floor: a silent
// stream is waited on until the run ends.
func (c *Client) floorStream(ctx context.Context) bool {
	conn, err := c.dialer()(ctx, "tcp", c.cfg.Base.Host)
	if err != nil {
		return false
	}
	if c.cfg.Base.Scheme == "https" {
		cfg := c.tlsConfig("http/1.1")
		cfg.ServerName = c.cfg.Base.Hostname() // net/http would take it from the URL
		conn = tls.Client(conn, cfg)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	u := c.url(c.cfg.Base.Scheme, "/floor", c.sinceQuery())
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + c.cfg.Base.Host + "\r\n\r\n"
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
	c.n.http1.Add(1) // Negotiated: the floor is HTTP/1.1 until its stream begins
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
