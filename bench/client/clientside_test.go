package client_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/profile"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// serverView is what /api/stats says of each client.
type serverView struct {
	Clients map[string]struct {
		Transport string `json:"transport"`
		BytesIn   int64  `json:"bytes_in"`
		BytesOut  int64  `json:"bytes_out"`
		Requests  int64  `json:"requests"`
	} `json:"clients"`
	Transports map[string]struct {
		Protocols map[string]int64 `json:"protocols"`
	} `json:"transports"`
}

func view(t *testing.T, s *servertest.Server) serverView {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: s.TLSClientConfig()}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(s.URL + "/api/stats?client=" + transport.ControlClient)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v serverView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// runClients runs one client of each transport with opts for a while and
// stops them.
func runClients(t *testing.T, s *servertest.Server, opts client.Options, tag string) []*client.Client {
	t.Helper()
	base, _ := url.Parse(s.URL)
	g := client.NewGroup(context.Background())
	for i, tr := range transport.Names() {
		cfg := client.Config{Transport: tr, Base: base, Interval: 100 * time.Millisecond, Wait: 25 * time.Second,
			ChatRate: 4, Options: opts}
		if _, err := g.Start(fmt.Sprintf("%s-%s-%d", tr, tag, i), cfg, uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1200 * time.Millisecond)
	if !g.Stop(5 * time.Second) {
		t.Fatal("clients did not stop")
	}
	return g.Clients()
}

// agree waits for the server's count of each client's bytes to settle,
// then holds it against the client's own: up to the byte, down within
// what may still have been in flight when the client hung up.
func agree(t *testing.T, s *servertest.Server, clients []*client.Client) serverView {
	t.Helper()
	var v serverView
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		v = view(t, s)
		same := true
		for _, c := range clients {
			same = same && v.Clients[c.ID()].BytesIn == c.Counts().Up
		}
		if same || time.Now().After(deadline) {
			break
		}
	}
	for _, c := range clients {
		got, n := v.Clients[c.ID()], c.Counts()
		if inFlight := got.BytesOut - n.Down; got.BytesIn != n.Up || inFlight < 0 || inFlight > 2048 {
			t.Errorf("%s: client wrote %d read %d; server read %d wrote %d", c.ID(), n.Up, n.Down, got.BytesIn, got.BytesOut)
		}
		if n.Updates == 0 || n.Errors != 0 {
			t.Errorf("%s: %d updates, %d errors", c.ID(), n.Updates, n.Errors)
		}
	}
	return v
}

// With the browser profile every request carries Chromium's header bytes:
// the tally of what net/http wrote matches the recorded request within 5%
// (the client's name in the URI and the port differ from the recording).
func TestBrowserProfileSendsChromiumsHeaderBytes(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 128})
	clients := runClients(t, s, client.Options{Profile: profile.Chromium()}, "browser")
	agree(t, s, clients)
	for _, c := range clients {
		if c.Transport() != transport.Short && c.Transport() != transport.Long {
			continue
		}
		n := c.Counts()
		rec, _ := profile.Chromium().Request(c.Transport())
		pub, _ := profile.Chromium().Request(profile.Publish)
		// Polls and chat POSTs both went out; the mean lies between them.
		lo, hi := float64(min(rec.HeaderBytes, pub.HeaderBytes))*0.95, float64(max(rec.HeaderBytes, pub.HeaderBytes))*1.05
		if mean := float64(n.RequestHeaders) / float64(n.Requests); mean < lo || mean > hi {
			t.Errorf("%s: %.0f B of request headers per request, want %d (polls) to %d (publishes) ±5%%",
				c.ID(), mean, rec.HeaderBytes, pub.HeaderBytes)
		}
	}
}

// With a cookie, every request carries it: the bytes each request sends
// grow by the cookie's size (and its "Cookie: " line).
func TestCookieBytesGoOnEveryRequest(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 128})
	const cookie = 1500
	for name, o := range map[string]client.Options{"lean": {}, "browser": {Profile: profile.Chromium()}} {
		plain := runClients(t, s, o, name+"-p") // tags of one length: the URIs are too
		o.CookieBytes = cookie
		with := runClients(t, s, o, name+"-c")
		agree(t, s, append(plain, with...))
		for i := range plain {
			if plain[i].Transport() != transport.Short {
				continue
			}
			a, b := plain[i].Counts(), with[i].Counts()
			grew := float64(b.RequestHeaders)/float64(b.Requests) - float64(a.RequestHeaders)/float64(a.Requests)
			if want := float64(cookie + len("Cookie: \r\n")); grew < want-2 || grew > want+2 {
				t.Errorf("%s: a %d-byte cookie adds %.1f B per request, want %.0f", name, cookie, grew, want)
			}
		}
	}
}

// Over TLS the HTTP transports speak h2 and the WebSocket HTTP/1.1 (as in
// a browser: gorilla has no RFC 8441), unless HTTP1 keeps HTTP on
// HTTP/1.1; the bytes counted beneath TLS are the server's to the byte.
func TestOverTLSHTTPSpeaksH2AndWebSocketHTTP1(t *testing.T) {
	s := servertest.StartTLS(t, server.Config{Rate: 20, Payload: 128})
	trust := &tls.Config{RootCAs: s.RootCAs}
	for _, c := range []struct {
		http1     bool
		tag, want string
	}{{false, "h2", "h2"}, {true, "http1", "http/1.1"}} {
		clients := runClients(t, s, client.Options{Profile: profile.Chromium(), TLS: trust, HTTP1: c.http1}, c.tag)
		agree(t, s, clients)
		for _, cl := range clients {
			want := c.want
			if tr, _ := transport.Lookup(cl.Transport()); tr.TakesConnection {
				want = "http/1.1"
				// The floor's stream is HTTP/1.1; it chats with POSTs,
				// which go over h2 when HTTP may.
				if tr.Name == transport.Floor && !c.http1 {
					want = "mixed"
				}
			}
			if got := cl.Negotiated().Protocol(); got != want {
				t.Errorf("%s: negotiated %q, want %q", cl.ID(), got, want)
			}
			if h := cl.Counts(); want == "h2" && (h.RequestHeaders != 0 || h.ResponseHeaders != 0) {
				t.Errorf("%s: tallied %d/%d header bytes over h2, where HPACK makes the text meaningless", cl.ID(), h.RequestHeaders, h.ResponseHeaders)
			}
		}
	}
	v := view(t, s)
	if v.Transports[transport.Short].Protocols["h2"] == 0 || v.Transports[transport.WS].Protocols["h2"] != 0 {
		t.Errorf("server saw protocols short %v, ws %v", v.Transports[transport.Short].Protocols, v.Transports[transport.WS].Protocols)
	}
}

// Against a server that compresses, a client that offers compression gets
// it on every transport (permessage-deflate in the WebSocket's 101, gzip
// bodies on polls and SSE), reads every update, and its bytes still agree
// with the server's. A browser profile offers it as Chromium does; a lean
// client offers it with Compress.
func TestCompressedClientsGetCompressionAndReadEverything(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 512, Compress: true})
	for name, o := range map[string]client.Options{
		"browser": {Profile: profile.Chromium()},
		"lean":    {Compress: true},
	} {
		clients := runClients(t, s, o, name)
		agree(t, s, clients)
		for _, c := range clients {
			if c.Negotiated().Compressed == 0 && c.Transport() != transport.Floor { // the floor is raw bytes, nothing is compressed
				t.Errorf("%s: nothing came compressed", c.ID())
			}
		}
	}
	// A lean client that does not offer it gets none.
	for _, c := range runClients(t, s, client.Options{}, "plain") {
		if c.Negotiated().Compressed != 0 {
			t.Errorf("%s: compressed without offering it", c.ID())
		}
	}
}
