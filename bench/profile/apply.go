package profile

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"

	"github.com/pushlab/pushlab/transport"
)

// MaxCookieBytes bounds --cookie-bytes: past 8 KiB many servers refuse the
// header (Go's net/http allows 1 MiB of headers in all).
const MaxCookieBytes = 64 << 10

// Options add to what the profile recorded.
type Options struct {
	// CookieBytes adds a Cookie field whose value is this many bytes, as a
	// logged-in site's session would (0.5 to 4 kB is common).
	CookieBytes int
}

func (o Options) check() error {
	if o.CookieBytes < 0 || o.CookieBytes > MaxCookieBytes {
		return fmt.Errorf("cookie bytes must be between 0 and %d, got %d", MaxCookieBytes, o.CookieBytes)
	}
	return nil
}

// Fields returns the fields the browser sends for a kind of request to
// target, in its order, with Host, Origin and Referer computed for target
// and the cookie of opts last (where Chromium puts it). Client fields keep
// their recorded value; the client library writes its own, of the same size.
func (p *Profile) Fields(kind string, target *url.URL, opts Options) ([]Field, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	r, err := p.Request(kind)
	if err != nil {
		return nil, err
	}
	origin, err := originOf(target)
	if err != nil {
		return nil, err
	}
	out := make([]Field, 0, len(r.Fields)+1)
	for _, f := range r.Fields {
		switch f.Source {
		case Host:
			f.Value = target.Host
		case Origin:
			f.Value = origin
		case Referer:
			f.Value = origin + p.Page
		}
		out = append(out, f)
	}
	if opts.CookieBytes > 0 {
		out = append(out, Field{Name: "Cookie", Value: Cookie(opts.CookieBytes), Source: Copy})
	}
	return out, nil
}

// Apply gives req the header fields the browser sends for a kind of
// request (transport.Short, transport.Long, transport.SSE or Publish),
// computed for req.URL. Fields keep the browser's spelling; net/http
// writes Host, User-Agent and Content-Length first and the rest sorted by
// name, so the order is Go's but the bytes are the browser's. Over HTTP/2
// net/http drops Connection and HPACK-encodes the rest its own way.
//
// A profile sets Accept-Encoding, so net/http no longer inflates gzip
// bodies by itself: a server with --compress sends them compressed, as it
// would to the browser, and the caller must read them so.
func (p *Profile) Apply(req *http.Request, kind string, opts Options) error {
	if kind == transport.WS {
		return errors.New("profile: a WebSocket's header goes to the Dialer: use WebSocketHeader")
	}
	fields, err := p.Fields(kind, req.URL, opts)
	if err != nil {
		return err
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	for _, f := range fields {
		if f.Source == Host || f.Source == Client {
			continue
		}
		setExact(req.Header, f.Name, f.Value)
	}
	return nil
}

// WebSocketHeader returns the header to pass to a gorilla Dialer's Dial of
// target (ws:// or wss://): the browser's fields without those the Dialer
// writes itself (Host, Upgrade, Connection, Sec-WebSocket-Key and -Version,
// and -Protocol, which the Dialer's Subprotocols carry).
//
// Chromium always offers permessage-deflate, and so does this header
// (gorilla lets it through because it is spelt as Chromium spells it). A
// server without compression ignores the offer; one with it answers with
// no context takeover, which gorilla's client accepts. Do not also set the
// Dialer's EnableCompression: its offer would replace the browser's.
func (p *Profile) WebSocketHeader(target *url.URL, opts Options) (http.Header, error) {
	fields, err := p.Fields(transport.WS, target, opts)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(fields))
	for _, f := range fields {
		if f.Source == Host || f.Source == Client {
			continue
		}
		setExact(h, f.Name, f.Value)
	}
	return h, nil
}

// setExact sets a field under the browser's spelling. net/http writes map
// keys as they are, so sec-ch-ua stays in lower case on the wire; any
// other spelling of the same name is removed first.
func setExact(h http.Header, name, value string) {
	for k := range h {
		if k != name && strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
	h[name] = []string{value}
}

// originOf is the browser's Origin for a target: scheme://host[:port], with
// ws and wss read as the http and https they upgrade from.
func originOf(target *url.URL) (string, error) {
	if target == nil || target.Host == "" {
		return "", errors.New("profile: target needs a host")
	}
	scheme := target.Scheme
	switch scheme {
	case "ws":
		scheme = "http"
	case "wss":
		scheme = "https"
	case "http", "https":
	default:
		return "", fmt.Errorf("profile: target scheme %q is not http, https, ws or wss", target.Scheme)
	}
	return scheme + "://" + target.Host, nil
}

// cookieSeed fixes the cookie's bytes, so every run and every client sends
// the same ones.
const cookieSeed = 0x70757368 // "push"

// Cookie is a cookie value of n bytes: "sid=" and then URL-safe base64 of
// pseudo-random bytes, the way session tokens look (which matters to
// HPACK's Huffman code under HTTP/2: a run of one letter would shrink far
// more than a real token).
func Cookie(n int) string {
	if n <= 0 {
		return ""
	}
	rng := rand.New(rand.NewPCG(cookieSeed, cookieSeed))
	raw := make([]byte, n) // base64 of n bytes is longer than n
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	return ("sid=" + base64.RawURLEncoding.EncodeToString(raw))[:n]
}
