package client

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/websocket"
)

// Options are how a client talks to the server, shared by every client
// whatever its transport. This file is where they are honoured, once for
// all transports: every connection is dialled through dialer, HTTP goes
// through newHTTPClient and newRequest, a WebSocket through newWSDialer.
// An option for every client (TLS, HTTP/1.1 or h2, the headers a browser
// sends, a cookie, compression offered) belongs in Options and here.
type Options struct {
	// Via, when set, is the address every connection dials instead of the
	// server's: the network-conditions proxy. URLs and Host headers still
	// name the server.
	Via string
}

// dialer returns the DialContext through which every connection of the
// client is made (http.Transport's, the gorilla Dialer's NetDialContext):
// it counts the client's bytes, and dials Options.Via when set.
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

// newHTTPClient is the client's own HTTP client, dialling through its
// counting dialer.
func (c *Client) newHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: c.dialer(),
		// Two connections at most: one for the poll or stream, one for a
		// publish made while a long poll or stream is open.
		MaxConnsPerHost:     2,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     2 * time.Minute,
		// Bodies as sent, so body bytes can be counted and explained.
		DisableCompression: true,
	}}
}

// newRequest is every HTTP request a client makes: to path on the server,
// with the client's name and q in the query, its header bytes tallied as
// net/http writes them.
func (c *Client) newRequest(ctx context.Context, method, path string, q url.Values, body []byte) (*http.Request, error) {
	u := c.url(c.cfg.Base.Scheme, path, q)
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	return http.NewRequestWithContext(c.hdr.traced(ctx, method, u.RequestURI()), method, u.String(), r)
}

// newWSDialer is the client's WebSocket dialer, dialling through its
// counting dialer and offering the JSON subprotocol.
func (c *Client) newWSDialer() *websocket.Dialer {
	return &websocket.Dialer{
		NetDialContext:   c.dialer(),
		HandshakeTimeout: dialTimeout,
		Subprotocols:     []string{wsSubprotocol},
		ReadBufferSize:   2048,
		WriteBufferSize:  1024,
		WriteBufferPool:  wsWriteBuffers,
	}
}
