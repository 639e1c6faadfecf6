package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// Each client names itself, runs a scripted exchange over its transport and
// ends it cleanly; then the server's per-client and per-transport byte
// counts must equal what the client's own connections carried.
func TestStatsBytesEqualWhatClientsCarried(t *testing.T) {
	lab := startLab(t, server.Config{Payload: 300})
	for i := 0; i < 3; i++ {
		lab.Generator().Tick()
	}
	counters := map[string]*wireCounter{}
	client := func(id string) *wireCounter {
		counters[id] = &wireCounter{}
		return counters[id]
	}

	// short: a snapshot, a conditional GET, two polls, one publish.
	hc := client("c-short").httpClient()
	resp, err := hc.Get(lab.URL + "/api/state?client=c-short")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, lab.URL+"/api/state?client=c-short", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if resp, err = hc.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	poll(t, hc, lab.URL, "?since=0&client=c-short")
	publishChat(t, hc, lab.URL, "?client=c-short", "from short")
	poll(t, hc, lab.URL, "?since=999&client=c-short") // ahead of the server: a snapshot
	if status, _ := poll(t, hc, lab.URL, "?since="+itoa(lab.Store.Latest())+"&client=c-short"); status != http.StatusNoContent {
		t.Fatalf("poll at the latest version: %d, want 204", status)
	}

	// long: one that is answered, one that times out.
	hc = client("c-long").httpClient()
	poll(t, hc, lab.URL, "?since=1&wait=2s&client=c-long")
	poll(t, hc, lab.URL, "?since="+itoa(lab.Store.Latest())+"&wait=200ms&client=c-long")

	// ws: receive, publish, close with the closing handshake.
	ws := mustDialWS(t, wsURL(lab, "?since=2&client=c-ws"), client("c-ws"))
	for latest := lab.Store.Latest(); readWS(t, ws).V < latest; {
	}
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"publish","data":{"text":"from ws"}}`))
	readWS(t, ws)
	ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""))
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, 1000) {
		t.Fatalf("ws close: %v", err)
	}
	ws.Close()

	// sse: read until the server ends the stream at shutdown, so that the
	// client reads every byte the server wrote (the last chunk included).
	sse := openSSE(t, client("c-sse").httpClient(), lab.URL+"/sse?since=0&client=c-sse", nil)
	for latest := lab.Store.Latest(); ; {
		id, _, err := sse.next()
		if err != nil {
			t.Fatal(err)
		}
		if id == itoa(latest) {
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := lab.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sse.next(); err == nil {
		t.Fatal("sse stream did not end at shutdown")
	}
	for _, wc := range counters {
		if hc, ok := wc.httpClientCache(); ok {
			hc.CloseIdleConnections()
		}
	}

	transportOf := map[string]string{"c-short": "short", "c-long": "long", "c-ws": "ws", "c-sse": "sse"}
	servertest.Eventually(t, "server counts settle", 3*time.Second, func() bool {
		snap := lab.Stats().Snapshot(true)
		for id, wc := range counters {
			c := snap.Clients[id]
			if c.BytesIn != wc.written.Load() || c.BytesOut != wc.read.Load() {
				return false
			}
		}
		return true
	})
	snap := lab.Stats().Snapshot(true)
	for id, wc := range counters {
		c := snap.Clients[id]
		if c.Transport != transportOf[id] {
			t.Errorf("%s counted as %q, want %q", id, c.Transport, transportOf[id])
		}
		if c.BytesIn != wc.written.Load() || c.BytesOut != wc.read.Load() {
			t.Errorf("%s: server in/out %d/%d, client wrote/read %d/%d", id, c.BytesIn, c.BytesOut, wc.written.Load(), wc.read.Load())
		}
		// Only these clients used these transports, so the totals agree too.
		tr := snap.Transports[transportOf[id]]
		if tr.BytesIn != c.BytesIn || tr.BytesOut != c.BytesOut {
			t.Errorf("%s transport totals %d/%d differ from its one client's %d/%d", transportOf[id], tr.BytesIn, tr.BytesOut, c.BytesIn, c.BytesOut)
		}
	}
	if got := snap.Clients["c-short"]; got.Requests != 6 || got.Empty != 2 {
		t.Errorf("c-short: %d requests, %d empty; want 6 and 2", got.Requests, got.Empty)
	}
	if got := snap.Clients["c-long"]; got.Requests != 2 || got.Empty != 1 {
		t.Errorf("c-long: %d requests, %d empty; want 2 and 1", got.Requests, got.Empty)
	}
}

func TestStatsAndMetricsServe(t *testing.T) {
	lab := startLab(t, server.Config{})
	lab.Generator().Tick()
	hc := (&wireCounter{}).httpClient()
	poll(t, hc, lab.URL, "?since=0&client=x")
	// A measuring tool's own poll is not a short poller's traffic.
	poll(t, hc, lab.URL, "?since=0&client="+transport.ControlClient)
	resp, err := hc.Get(lab.URL + "/api/stats")
	if err != nil {
		t.Fatal(err)
	}
	var st server.StatsSnapshot
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st.Version != 1 || st.Transports["short"].Requests != 1 || st.Clients["x"].Transport != "short" ||
		st.Clients[transport.ControlClient].Transport != transport.Other {
		t.Fatalf("stats: %+v", st)
	}
	for _, name := range transport.Names() {
		if _, ok := st.Transports[name]; !ok {
			t.Errorf("stats lack transport %s", name)
		}
	}
	resp, err = hc.Get(lab.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`pushlab_requests_total{transport="short"} 1`, "pushlab_state_version 1", "go_goroutines"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
