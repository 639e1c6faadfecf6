package profile_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pushlab/pushlab/bench/profile"
	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

func TestChromiumDataHasEveryKind(t *testing.T) {
	p := profile.Chromium()
	if p.Product == "" || p.Recorded == "" || !strings.Contains(p.Refresh, "-update") {
		t.Errorf("product %q, recorded %q, refresh %q: the data must say where it came from", p.Product, p.Recorded, p.Refresh)
	}
	for _, k := range profile.Kinds() {
		r, err := p.Request(k)
		if err != nil {
			t.Fatal(err)
		}
		ua := false
		for _, f := range r.Fields {
			ua = ua || (f.Name == "User-Agent" && f.Source == profile.Copy && strings.Contains(f.Value, "Chrome/"))
		}
		if !ua {
			t.Errorf("%s: no Chrome User-Agent copied", k)
		}
	}
	again, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := profile.Parse(again)
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Errorf("Encode then Parse changed the profile (%v)", err)
	}
}

// headCatcher is a real loopback listener that reads one request head per
// connection and answers 400, so a test sees exactly what a client wrote.
type headCatcher struct {
	ln    net.Listener
	heads chan []byte
}

func catchHeads(t *testing.T) *headCatcher {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &headCatcher{ln: ln, heads: make(chan []byte, 16)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				r := bufio.NewReader(c)
				var head []byte
				for {
					line, err := r.ReadBytes('\n')
					if err != nil {
						return
					}
					head = append(head, line...)
					if string(line) == "\r\n" {
						break
					}
				}
				h.heads <- head
				io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return h
}

func (h *headCatcher) next(t *testing.T) []byte {
	t.Helper()
	select {
	case b := <-h.heads:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no request head within 5s")
		return nil
	}
}

// fieldLines are a head's field lines, sorted: the same set of lines means
// the same names, spellings, values and bytes, whatever the order.
func fieldLines(head []byte, blank ...string) []string {
	lines := strings.Split(strings.TrimSuffix(string(head), "\r\n\r\n"), "\r\n")[1:]
	for i, l := range lines {
		for _, name := range blank {
			if v, ok := strings.CutPrefix(l, name+": "); ok {
				lines[i] = name + ": " + strings.Repeat("x", len(v))
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// recordedLines are the recorded fields of r as lines, with the recorded
// origin's host replaced by host.
func recordedLines(p *profile.Profile, r profile.Request, host string, blank ...string) []string {
	old := strings.TrimPrefix(p.Origin, "http://")
	var b bytes.Buffer
	b.WriteString("X / HTTP/1.1\r\n")
	for _, f := range r.Fields {
		b.WriteString(f.Name + ": " + strings.ReplaceAll(f.Value, old, host) + "\r\n")
	}
	b.WriteString("\r\n")
	return fieldLines(b.Bytes(), blank...)
}

// A Go client applying the profile writes the browser's field lines, byte
// for byte, with Host, Origin and Referer computed for the target; and a
// gorilla Dialer given WebSocketHeader writes the browser's handshake.
func TestApplyWritesTheBrowsersFields(t *testing.T) {
	p := profile.Chromium()
	h := catchHeads(t)
	host := h.ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{}} // keep-alive, as a browser; the catcher closes each connection
	for _, k := range []string{transport.Short, transport.Long, transport.SSE, profile.Publish} {
		r, _ := p.Request(k)
		var body io.Reader
		for _, f := range r.Fields {
			if f.Name == "Content-Length" {
				n, _ := strconv.Atoi(f.Value)
				body = strings.NewReader(strings.Repeat("x", n))
			}
		}
		req, _ := http.NewRequest(r.Method, "http://"+host+r.URI, body)
		if err := p.Apply(req, k, profile.Options{}); err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		head := h.next(t)
		if line := r.Method + " " + r.URI + " HTTP/1.1\r\n"; !bytes.HasPrefix(head, []byte(line)) {
			t.Errorf("%s: request line %.60q, want %q", k, head, line)
		}
		if got, want := fieldLines(head), recordedLines(p, r, host); !slices.Equal(got, want) {
			t.Errorf("%s: Go wrote\n%s\nthe browser\n%s", k, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Same lines, so the same bytes, but for the host's length.
		old := strings.TrimPrefix(p.Origin, "http://")
		shift := strings.Count(string(head), host) * (len(host) - len(old))
		if len(head) != r.HeaderBytes+shift {
			t.Errorf("%s: Go wrote a %d-byte head, the browser %d (+%d for the host)", k, len(head), r.HeaderBytes, shift)
		}
	}

	r, _ := p.Request(transport.WS)
	hdr, err := p.WebSocketHeader(&url.URL{Scheme: "ws", Host: host}, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := websocket.Dialer{Subprotocols: []string{push.SubprotocolJSON}, HandshakeTimeout: 5 * time.Second}
	if _, _, err := d.Dial("ws://"+host+r.URI, hdr); err == nil {
		t.Fatal("the catcher answers 400; the dial should fail")
	}
	got := fieldLines(h.next(t), "Sec-WebSocket-Key")
	if want := recordedLines(p, r, host, "Sec-WebSocket-Key"); !slices.Equal(got, want) {
		t.Errorf("ws: gorilla wrote\n%s\nthe browser\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// --cookie-bytes N adds a Cookie field with a value of exactly N bytes,
// the same for every client and run.
func TestCookieAddsExactlyNBytes(t *testing.T) {
	p := profile.Chromium()
	h := catchHeads(t)
	host := h.ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{}} // keep-alive, as a browser; the catcher closes each connection
	size := func(cookie int) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+host+"/api/poll?since=1", nil)
		if err := p.Apply(req, transport.Short, profile.Options{CookieBytes: cookie}); err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return len(h.next(t))
	}
	plain := size(0)
	for _, n := range []int{1, 5, 871, 4096} {
		if got, want := size(n)-plain, n+len("Cookie: \r\n"); got != want {
			t.Errorf("cookie of %d bytes grew the head by %d, want %d", n, got, want)
		}
		if c := profile.Cookie(n); len(c) != n || c != profile.Cookie(n) {
			t.Errorf("Cookie(%d) = %d bytes, or differs between calls", n, len(c))
		}
	}
}

func TestBadInputIsRefused(t *testing.T) {
	p := profile.Chromium()
	target, _ := url.Parse("http://127.0.0.1:1/api/poll")
	for name, err := range map[string]error{
		"negative cookie":  p.Apply(&http.Request{URL: target}, transport.Short, profile.Options{CookieBytes: -1}),
		"huge cookie":      p.Apply(&http.Request{URL: target}, transport.Short, profile.Options{CookieBytes: profile.MaxCookieBytes + 1}),
		"unknown kind":     p.Apply(&http.Request{URL: target}, "floor", profile.Options{}),
		"ws through Apply": p.Apply(&http.Request{URL: target}, transport.WS, profile.Options{}),
		"ftp target":       p.Apply(&http.Request{URL: &url.URL{Scheme: "ftp", Host: "x"}}, transport.Short, profile.Options{}),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for name, data := range map[string]string{
		"not JSON":    "{",
		"no requests": `{"name":"x"}`,
		"no Host":     `{"requests":{"short":{"method":"GET","uri":"/","header_bytes":16,"fields":[]}}}`,
		"wrong size":  `{"requests":{"short":{"method":"GET","uri":"/","header_bytes":99,"fields":[{"name":"Host","value":"h","source":"host"}]}}}`,
		"odd source":  `{"requests":{"short":{"method":"GET","uri":"/","header_bytes":25,"fields":[{"name":"Host","value":"h","source":"guess"}]}}}`,
	} {
		if _, err := profile.Parse([]byte(data)); err == nil {
			t.Errorf("Parse(%s): no error", name)
		}
	}
}

// A wss target gets an https Origin, as a page served over TLS sends.
func TestWebSocketOriginFollowsTheScheme(t *testing.T) {
	hdr, err := profile.Chromium().WebSocketHeader(&url.URL{Scheme: "wss", Host: "lab.example:8443"}, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := hdr.Get("Origin"); got != "https://lab.example:8443" {
		t.Errorf("Origin %q", got)
	}
	if got := hdr["Sec-WebSocket-Extensions"]; len(got) != 1 || !strings.HasPrefix(got[0], "permessage-deflate") {
		t.Errorf("Sec-WebSocket-Extensions %q: the browser always offers permessage-deflate", got)
	}
}

// Over TLS the profile's fields go out on h2 (Connection dropped, names in
// lower case) and reach the server; the WebSocket, offered http/1.1 only,
// upgrades with the browser's header.
func TestProfileOverTLS(t *testing.T) {
	p := profile.Chromium()
	lab := servertest.StartTLS(t, server.Config{})
	lab.Generator().Tick()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: lab.TLSClientConfig(), ForceAttemptHTTP2: true}}
	t.Cleanup(hc.CloseIdleConnections) // or the server's shutdown waits a second for it after GOAWAY
	req, _ := http.NewRequest(http.MethodGet, lab.URL+"/api/poll?since=0&client=prof-h2", nil)
	if err := p.Apply(req, transport.Short, profile.Options{CookieBytes: 100}); err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s, want 200 over HTTP/2", resp.Proto, resp.Status)
	}
	target, _ := url.Parse("wss://" + lab.Addr + "/ws?client=prof-ws")
	hdr, err := p.WebSocketHeader(target, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := websocket.Dialer{TLSClientConfig: lab.TLSClientConfig("http/1.1"), Subprotocols: []string{push.SubprotocolJSON}}
	ws, _, err := d.Dial(target.String(), hdr)
	if err != nil {
		t.Fatalf("wss with the browser's header: %v", err)
	}
	ws.Close()
	var hs push.Handshake
	hsResp, err := hc.Get(lab.URL + "/api/handshake?id=prof-ws")
	if err != nil {
		t.Fatal(err)
	}
	defer hsResp.Body.Close()
	if err := json.NewDecoder(hsResp.Body).Decode(&hs); err != nil {
		t.Fatal(err)
	}
	if ua := hs.RequestHeaders.Get("User-Agent"); !strings.Contains(ua, "Chrome/") {
		t.Errorf("server saw User-Agent %q", ua)
	}
}

// Under HTTP/2 the browser's fields cost a full head once per connection;
// after that HPACK sends most of them as indexes into its table, so a
// repeated poll costs a fraction of its HTTP/1.1 head. The log is the table
// in docs/protocol.md §7.2.
func TestProfileUnderHPACK(t *testing.T) {
	p := profile.Chromium()
	lab := servertest.StartTLS(t, server.Config{})
	lab.Generator().Tick()
	const polls = 6
	const cookie = 500
	// measure polls on one connection and returns what the server read and
	// wrote for the first poll and, on average, for each later one.
	measure := func(id string, h2, browser bool) (firstIn, firstOut int64, laterIn, laterOut float64) {
		tr := &http.Transport{TLSClientConfig: lab.TLSClientConfig(), ForceAttemptHTTP2: h2}
		if !h2 {
			tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
		}
		hc := &http.Client{Transport: tr}
		defer hc.CloseIdleConnections() // or the server's shutdown waits a second for it after GOAWAY
		var in, out []int64
		for i := range polls {
			req, _ := http.NewRequest(http.MethodGet, lab.URL+"/api/poll?since=1&client="+id, nil)
			if browser {
				if err := p.Apply(req, transport.Short, profile.Options{CookieBytes: cookie}); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if (resp.ProtoMajor == 2) != h2 {
				t.Fatalf("%s: poll %d over %s", id, i, resp.Proto)
			}
			c := lab.Stats().Snapshot(true).Clients[id]
			in, out = append(in, c.BytesIn), append(out, c.BytesOut)
		}
		return in[0], out[0], float64(in[polls-1]-in[0]) / (polls - 1), float64(out[polls-1]-out[0]) / (polls - 1)
	}
	r, _ := p.Request(transport.Short)
	http1Head := r.HeaderBytes + cookie + len("Cookie: \r\n")
	var h2Later float64
	for _, c := range []struct {
		id          string
		h2, browser bool
	}{{"h1-lean", false, false}, {"h2-lean", true, false}, {"h1-browser", false, true}, {"h2-browser", true, true}} {
		fi, fo, li, lo := measure(c.id, c.h2, c.browser)
		t.Logf("%-10s first poll %4d B up %4d B down (connection opening included); later polls %6.1f B up %6.1f B down",
			c.id, fi, fo, li, lo)
		if c.h2 && c.browser {
			h2Later = li
		}
	}
	t.Logf("browser profile + %d B cookie: HTTP/1.1 head %d B", cookie, http1Head)
	if h2Later > float64(http1Head)/3 {
		t.Errorf("a repeated h2 poll costs %.1f B, a third of its %d-byte HTTP/1.1 head or more: HPACK indexed nothing?", h2Later, http1Head)
	}
}
