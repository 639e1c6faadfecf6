package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pushlab/pushlab/bench/profile"
)

// Options are how a client talks to the server, shared by every client
// whatever its transport. This file is where they are honoured, once for
// all transports: every connection is dialled through dialer, HTTP goes
// through newHTTPClient and newRequest, a WebSocket through newWSDialer
// and wsHeader. An option for every client belongs in Options and here.
type Options struct {
	// Via, when set, is the address every connection dials instead of the
	// server's: the network-conditions proxy. URLs and Host headers still
	// name the server.
	Via string
	// Profile is the browser whose request headers every request carries
	// (names, order, sizes); nil sends Go's own minimal headers: the lean
	// client.
	Profile *profile.Profile
	// CookieBytes adds a cookie of this many bytes to every request, as a
	// logged-in site's session would.
	CookieBytes int
	// TLS is how an https:// server is trusted (its RootCAs; nil trusts
	// the system's roots). Each client makes its own copy with its ALPN
	// offer.
	TLS *tls.Config
	// HTTP1 keeps HTTP on HTTP/1.1 over TLS; otherwise a client offers h2
	// as a browser does, and the server's ALPN choice decides.
	HTTP1 bool
	// Compress makes a lean client offer compression: Accept-Encoding:
	// gzip and permessage-deflate. A browser profile always offers both,
	// as Chromium does; a server compresses only when it was asked to
	// (serve --compress).
	Compress bool
}

// dialer returns the DialContext through which every connection of the
// client is made (http.Transport's, the gorilla Dialer's NetDialContext):
// it counts the client's bytes, and dials Options.Via when set. TLS is
// done above it, by net/http and gorilla, so the count is of the bytes
// on the TCP connection: TLS records, handshakes and all.
func (c *Client) dialer() func(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: -1}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if c.cfg.Options.Via != "" {
			address = c.cfg.Options.Via
		}
		conn, err := d.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: conn, w: &c.wire}, nil
	}
}

// tlsConfig is the client's own TLS config offering nextProtos by ALPN.
func (c *Client) tlsConfig(nextProtos ...string) *tls.Config {
	cfg := &tls.Config{}
	if c.cfg.Options.TLS != nil {
		cfg = c.cfg.Options.TLS.Clone()
	}
	cfg.NextProtos = nextProtos
	return cfg
}

// newHTTPClient is the client's own HTTP client, dialling through its
// counting dialer. Over TLS it offers h2 and HTTP/1.1, as a browser does
// (a custom dialer turns net/http's h2 off unless ForceAttemptHTTP2), or
// HTTP/1.1 alone with Options.HTTP1.
func (c *Client) newHTTPClient() *http.Client {
	t := &http.Transport{
		DialContext: c.dialer(),
		// Two connections at most: one for the poll or stream, one for a
		// publish made while a long poll or stream is open (under h2 both
		// share one).
		MaxConnsPerHost:     2,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     2 * time.Minute,
		// Bodies as sent: compressed bodies are counted as they came and
		// inflated by the client itself (body.go).
		DisableCompression: true,
	}
	if c.cfg.Options.HTTP1 {
		t.TLSClientConfig = c.tlsConfig("http/1.1")
	} else {
		t.TLSClientConfig = c.tlsConfig("h2", "http/1.1")
		t.ForceAttemptHTTP2 = true
	}
	return &http.Client{Transport: t}
}

// newRequest is every HTTP request a client makes: a kind of request
// (transport.Short, transport.Long, transport.SSE or profile.Publish) to
// path on the server, with the client's name and q in the query, the
// headers of its profile, and its header bytes tallied as net/http writes
// them.
func (c *Client) newRequest(ctx context.Context, kind, method, path string, q url.Values, body []byte) (*http.Request, error) {
	u := c.url(c.cfg.Base.Scheme, path, q)
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(c.hdr.traced(ctx, method, u.RequestURI()), method, u.String(), r)
	if err != nil {
		return nil, err
	}
	o := c.cfg.Options
	if o.Profile != nil {
		return req, o.Profile.Apply(req, kind, profile.Options{CookieBytes: o.CookieBytes})
	}
	if o.CookieBytes > 0 {
		req.Header.Set("Cookie", profile.Cookie(o.CookieBytes))
	}
	if o.Compress {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	return req, nil
}

// newWSDialer is the client's WebSocket dialer, dialling through its
// counting dialer and offering the JSON subprotocol. WebSocket stays on
// HTTP/1.1 over TLS: gorilla does not speak RFC 8441, so it offers only
// http/1.1 by ALPN. A lean client with Compress offers permessage-deflate
// through the Dialer; a browser profile's header offers it itself (the
// Dialer's offer would replace it), and gorilla reads compressed frames
// whenever the server's answer accepts an offer.
func (c *Client) newWSDialer() *websocket.Dialer {
	return &websocket.Dialer{
		NetDialContext:    c.dialer(),
		TLSClientConfig:   c.tlsConfig("http/1.1"),
		HandshakeTimeout:  dialTimeout,
		Subprotocols:      []string{wsSubprotocol},
		ReadBufferSize:    2048,
		WriteBufferSize:   1024,
		WriteBufferPool:   wsWriteBuffers,
		EnableCompression: c.cfg.Options.Profile == nil && c.cfg.Options.Compress,
	}
}

// wsHeader is the header of the client's WebSocket handshake to u: its
// profile's fields and cookie, or (lean) the cookie alone.
func (c *Client) wsHeader(u *url.URL) (http.Header, error) {
	o := c.cfg.Options
	if o.Profile != nil {
		return o.Profile.WebSocketHeader(u, profile.Options{CookieBytes: o.CookieBytes})
	}
	h := http.Header{}
	if o.CookieBytes > 0 {
		h.Set("Cookie", profile.Cookie(o.CookieBytes))
	}
	return h, nil
}
