package client

import (
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// gotResponse notes what a response says of how the client talks: the
// HTTP version it came over, whether the server compressed it (a gzip
// body, or a WebSocket handshake that accepted permessage-deflate), and,
// over HTTP/1.1, its header bytes.
func (c *Client) gotResponse(resp *http.Response) {
	c.hdr.response(resp)
	if resp.ProtoMajor == 2 {
		c.n.h2.Add(1)
	} else {
		c.n.http1.Add(1)
	}
	if resp.Header.Get("Content-Encoding") != "" ||
		strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		c.n.compressed.Add(1)
	}
}

// body is resp's body as the client reads it: counted in BodyDown as it
// came (compressed, when the server compressed it), then inflated as its
// Content-Encoding says. A client that sends Accept-Encoding itself (every
// browser profile does) gets no inflating from net/http, as a browser's
// network stack would do it.
func (c *Client) body(resp *http.Response) io.Reader {
	counted := &countingReader{r: resp.Body, n: &c.n.bodyDown}
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return counted
	case "gzip":
		return &lazyReader{src: counted, open: func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }}
	case "deflate": // chi's compressor writes raw DEFLATE, as browsers accept
		return flate.NewReader(counted)
	default:
		return &lazyReader{err: fmt.Errorf("content encoding %q: the bench reads gzip and deflate", enc)}
	}
}

// lazyReader opens its decoder at the first Read, so that an event stream's
// gzip header is waited for where its events are (under the stream's idle
// timer), and an empty body reads as empty.
type lazyReader struct {
	src  io.Reader
	open func(io.Reader) (io.Reader, error)
	r    io.Reader
	err  error
}

func (l *lazyReader) Read(p []byte) (int, error) {
	if l.r == nil && l.err == nil {
		l.r, l.err = l.open(l.src)
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.r.Read(p)
}

// Negotiated is how a group's clients talked over the whole run: responses
// over HTTP/1.x and over h2 (a WebSocket handshake counts as one), and how
// many came compressed.
type Negotiated struct {
	HTTP1, H2, Compressed int64
}

// Protocol is "h2" or "http/1.1" as the responses were, "mixed" if both, ""
// if there were none.
func (n Negotiated) Protocol() string {
	switch {
	case n.H2 > 0 && n.HTTP1 > 0:
		return "mixed"
	case n.H2 > 0:
		return "h2"
	case n.HTTP1 > 0:
		return "http/1.1"
	}
	return ""
}

// Negotiated is how the client has talked since it started.
func (c *Client) Negotiated() Negotiated {
	return Negotiated{HTTP1: c.n.http1.Load(), H2: c.n.h2.Load(), Compressed: c.n.compressed.Load()}
}

// Negotiated sums how the group's clients talked, from their start.
func (g *Group) Negotiated() Negotiated {
	var n Negotiated
	for _, c := range g.clients {
		m := c.Negotiated()
		n.HTTP1, n.H2, n.Compressed = n.HTTP1+m.HTTP1, n.H2+m.H2, n.Compressed+m.Compressed
	}
	return n
}
