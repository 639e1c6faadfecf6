package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// wireCounter counts every byte a test client writes and reads on its
// connections, as the server's own accounting should.
type wireCounter struct {
	written, read atomic.Int64
	rcvBuf        int // if set, SO_RCVBUF for dialled sockets (a slow reader)
	hc            *http.Client
}

type countedConn struct {
	net.Conn
	c *wireCounter
}

func (cc countedConn) Read(p []byte) (int, error) {
	n, err := cc.Conn.Read(p)
	cc.c.read.Add(int64(n))
	return n, err
}

func (cc countedConn) Write(p []byte) (int, error) {
	n, err := cc.Conn.Write(p)
	cc.c.written.Add(int64(n))
	return n, err
}

func (w *wireCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if w.rcvBuf > 0 {
		c.(*net.TCPConn).SetReadBuffer(w.rcvBuf)
	}
	return countedConn{c, w}, nil
}

// httpClient is a client whose bytes wc counts, one connection at a time.
func (w *wireCounter) httpClient() *http.Client {
	w.hc = &http.Client{Transport: &http.Transport{
		DialContext:        w.dial,
		DisableCompression: true,
		MaxConnsPerHost:    1,
	}, Timeout: 70 * time.Second}
	return w.hc
}

// httpClientCache returns the client httpClient made, if any.
func (w *wireCounter) httpClientCache() (*http.Client, bool) { return w.hc, w.hc != nil }

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

// startLab starts a server with no generator (the test publishes) unless
// cfg says otherwise.
func startLab(t *testing.T, cfg server.Config) *servertest.Server {
	t.Helper()
	return servertest.Start(t, cfg)
}

func wsURL(s *servertest.Server, query string) string {
	return "ws://" + s.Addr + "/ws" + query
}

// dialWS opens a WebSocket through wc (which may be nil).
func dialWS(t *testing.T, url string, wc *wireCounter, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if wc != nil {
		d.NetDialContext = wc.dial
	}
	return d.Dial(url, hdr)
}

func mustDialWS(t *testing.T, url string, wc *wireCounter) *websocket.Conn {
	t.Helper()
	c, _, err := dialWS(t, url, wc, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// update is what a test reads of an update; Raw keeps its exact bytes.
type update struct {
	V     uint64          `json:"v"`
	T     int64           `json:"t"`
	Kind  string          `json:"kind"`
	Reset bool            `json:"reset"`
	Data  json.RawMessage `json:"data"`
	Raw   []byte          `json:"-"`
}

func parseUpdate(t *testing.T, raw []byte) update {
	t.Helper()
	var u update
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("update %q: %v", raw, err)
	}
	u.Raw = append([]byte(nil), raw...)
	return u
}

// readWS reads one update frame with a deadline.
func readWS(t *testing.T, c *websocket.Conn) update {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("ws read: %v", err)
	}
	return parseUpdate(t, b)
}

// pollResponse is the body of a 200 from /api/poll.
type pollResponse struct {
	V       uint64            `json:"v"`
	Updates []json.RawMessage `json:"updates"`
}

// poll does one GET /api/poll and returns the status and updates.
func poll(t *testing.T, hc *http.Client, base, query string) (int, []update) {
	t.Helper()
	resp, err := hc.Get(base + "/api/poll" + query)
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("poll body: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var pr pollResponse
	if err := json.Unmarshal(body, &pr); err != nil {
		t.Fatalf("poll body %q: %v", body, err)
	}
	ups := make([]update, len(pr.Updates))
	for i, raw := range pr.Updates {
		ups[i] = parseUpdate(t, raw)
	}
	return resp.StatusCode, ups
}

// publishChat publishes one chat update over HTTP.
func publishChat(t *testing.T, hc *http.Client, base, query, text string) uint64 {
	t.Helper()
	body := fmt.Sprintf(`{"kind":"chat","data":{"text":%q}}`, text)
	resp, err := hc.Post(base+"/api/publish"+query, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	defer resp.Body.Close()
	var out struct{ V uint64 }
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("publish: %d %s", resp.StatusCode, b)
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return out.V
}

// sseStream reads Server-Sent Events from a response body.
type sseStream struct {
	resp *http.Response
	r    *bufio.Reader
}

func openSSE(t *testing.T, hc *http.Client, url string, hdr http.Header) *sseStream {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("sse: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sse: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("sse: content type %q", ct)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sseStream{resp: resp, r: bufio.NewReader(resp.Body)}
}

// next returns the next event's id and data, skipping comments and retry.
func (s *sseStream) next() (id string, data []byte, err error) {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return "", nil, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if data != nil {
				return id, data, nil
			}
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:]...)
		}
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// stallWriter publishes ticks until the server's writer to a client that
// does not read is stuck (the bytes the server wrote to it stop growing),
// then publishes past the retained log, so that the client has fallen out
// of it whatever coalescing did meanwhile. Bounded in count and time.
func stallWriter(t *testing.T, lab *servertest.Server, client string, retain int) {
	t.Helper()
	last, stable := int64(-1), 0
	deadline := time.Now().Add(30 * time.Second)
	for stable < 25 {
		if time.Now().After(deadline) {
			t.Fatalf("the writer to %s never stalled", client)
		}
		lab.Generator().Tick()
		time.Sleep(2 * time.Millisecond)
		out := lab.Stats().Snapshot(true).Clients[client].BytesOut
		if out == last {
			stable++
		} else {
			last, stable = out, 0
		}
	}
	for i := 0; i <= retain; i++ {
		lab.Generator().Tick()
	}
}
