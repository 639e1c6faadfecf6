package server_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// getGzip GETs url offering gzip and returns the response and its inflated
// body; the client does not inflate by itself (it set Accept-Encoding).
func getGzip(t *testing.T, hc *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("%s: gzip header: %v", url, err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("%s: body: %v", url, err)
	}
	return resp, b
}

// With --compress, a client that accepts gzip gets gzip bodies from
// /api/state and /api/poll, counted on the wire as the compressed bytes it
// received; one that does not gets them plain.
func TestCompressGzipsPollingBodies(t *testing.T) {
	for _, viaTLS := range []bool{false, true} {
		name := map[bool]string{false: "http", true: "https+h2"}[viaTLS]
		t.Run(name, func(t *testing.T) {
			cfg := server.Config{Payload: 1000, Compress: true}
			var lab *servertest.Server
			gz, plain := &wireCounter{}, &wireCounter{}
			var hcGz, hcPlain *http.Client
			if viaTLS {
				lab = servertest.StartTLS(t, cfg)
				hcGz, hcPlain = gz.tlsClient(lab), plain.tlsClient(lab)
			} else {
				lab = servertest.Start(t, cfg)
				hcGz, hcPlain = gz.httpClient(), plain.httpClient()
			}
			for range 5 {
				lab.Generator().Tick()
			}
			var inflated int
			for _, path := range []string{"/api/state?client=t-gz", "/api/poll?since=0&client=t-gz"} {
				resp, body := getGzip(t, hcGz, lab.URL+path)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("%s: %d, Content-Encoding %q; want 200 gzip", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
				}
				if !json.Valid(body) {
					t.Fatalf("%s: inflated body is not JSON: %.80q", path, body)
				}
				inflated += len(body)
			}

			// The same requests without Accept-Encoding, on a connection of
			// their own: plain JSON.
			for _, path := range []string{"/api/state?client=t-plain", "/api/poll?since=0&client=t-plain"} {
				resp, err := hcPlain.Get(lab.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if ce := resp.Header.Get("Content-Encoding"); ce != "" || !json.Valid(b) {
					t.Errorf("%s without Accept-Encoding: Content-Encoding %q, body %.40q", path, ce, b)
				}
			}
			// The tick padding deflates as real data would (about 6 bits a
			// character), so the saving is real but far from total.
			gotGz, gotPlain := settle(t, lab, "t-gz", gz), settle(t, lab, "t-plain", plain)
			if gotGz.BytesOut >= gotPlain.BytesOut {
				t.Errorf("gzip cost %d B on the wire, plain %d B: compression saved nothing", gotGz.BytesOut, gotPlain.BytesOut)
			}
			t.Logf("%s: %d B of JSON bodies cost %d B on the wire gzipped, %d B plain, headers and all", name, inflated, gotGz.BytesOut, gotPlain.BytesOut)
		})
	}
}

// Without --compress nothing is compressed, whatever the client accepts.
func TestNoCompressByDefault(t *testing.T) {
	lab := servertest.Start(t, server.Config{Payload: 500})
	lab.Generator().Tick()
	resp, _ := getGzip(t, http.DefaultClient, lab.URL+"/api/state")
	if ce := resp.Header.Get("Content-Encoding"); ce != "" {
		t.Errorf("Content-Encoding %q without --compress", ce)
	}
	ws, wsResp, err := (&websocket.Dialer{EnableCompression: true}).Dial(wsURL(lab, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.Close()
	if ext := wsResp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		t.Errorf("101 carries Sec-WebSocket-Extensions %q without --compress", ext)
	}
}

// The SSE stream is gzipped too, and each event still arrives when it is
// published: the flush after each event reaches the wire through gzip.
func TestCompressedSSEStillStreams(t *testing.T) {
	lab := servertest.Start(t, server.Config{Payload: 400, Compress: true})
	lab.Generator().Tick()
	wc := &wireCounter{}
	hc := wc.httpClient()
	req, _ := http.NewRequest(http.MethodGet, lab.URL+"/sse?since=0&client=t-gzsse", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("SSE Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(resp.Body) // reads the gzip header, sent with the first flush
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan string, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				events <- line
			}
		}
	}()
	next := func() string {
		t.Helper()
		select {
		case id := <-events:
			return id
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5s through gzip: the flush did not reach the wire")
			return ""
		}
	}
	if id := next(); id != "1" {
		t.Fatalf("first event id %s, want 1", id)
	}
	for want := 2; want <= 4; want++ {
		lab.Generator().Tick() // each published while the stream is open
		if id := next(); id != itoa(uint64(want)) {
			t.Fatalf("event id %s, want %d", id, want)
		}
	}
	settle(t, lab, "t-gzsse", wc)
}

// With --compress, a WebSocket client that offers permessage-deflate gets it
// in the 101 and reads updates through it; bytes are counted compressed,
// and one that does not offer it gets plain frames.
func TestCompressWebSocketWhenOffered(t *testing.T) {
	lab := servertest.Start(t, server.Config{Payload: 1000, Compress: true})
	for range 3 {
		lab.Generator().Tick()
	}
	read := func(offer bool, id string) (ext string, wire, raw int64) {
		wc := &wireCounter{}
		d := websocket.Dialer{NetDialContext: wc.dial, EnableCompression: offer, HandshakeTimeout: 5 * time.Second}
		ws, resp, err := d.Dial(wsURL(lab, "?since=0&client="+id), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		for v := uint64(0); v < lab.Store.Latest(); {
			u := readWS(t, ws)
			v, raw = u.V, raw+int64(len(u.Raw))
		}
		return resp.Header.Get("Sec-WebSocket-Extensions"), settle(t, lab, id, wc).BytesOut, raw
	}
	ext, zWire, raw := read(true, "t-wsz")
	if !strings.HasPrefix(ext, "permessage-deflate") {
		t.Fatalf("offering client: Sec-WebSocket-Extensions %q, want permessage-deflate", ext)
	}
	plainExt, plainWire, _ := read(false, "t-wsplain")
	if plainExt != "" {
		t.Errorf("client that did not offer got Sec-WebSocket-Extensions %q", plainExt)
	}
	if zWire >= plainWire {
		t.Errorf("compressed WS: %d B on the wire, plain %d B: nothing saved", zWire, plainWire)
	}
	t.Logf("%d B of update JSON: %d B down with permessage-deflate (handshake included), %d B plain", raw, zWire, plainWire)
}
