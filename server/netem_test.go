package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

type netemReply struct {
	RTTms         int64   `json:"rtt_ms"`
	JitterMS      int64   `json:"jitter_ms"`
	BandwidthKbit float64 `json:"bandwidth_kbit"`
	Active        bool    `json:"active"`
	Preset        string  `json:"preset"`
	ProxyPort     int     `json:"proxy_port"`
	Presets       []struct {
		Name   string `json:"name"`
		RTTms  int64  `json:"rtt_ms"`
		Source string `json:"source"`
	} `json:"presets"`
}

// postNetem sends body to POST /api/netem and returns the status, the
// reply (on 200) and the JSON error (otherwise).
func postNetem(t *testing.T, lab *servertest.Server, body string, hdr http.Header) (int, netemReply, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, lab.URL+"/api/netem", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r netemReply
	var e struct{ Error string }
	if resp.StatusCode == http.StatusOK {
		json.Unmarshal(raw, &r)
	} else if err := json.Unmarshal(raw, &e); err != nil || e.Error == "" {
		t.Errorf("status %d without a JSON error: %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, r, e.Error
}

func TestNetemPresetsAndBadInput(t *testing.T) {
	lab := startLab(t, server.Config{})
	var r netemReply
	getJSON(t, lab.URL+"/api/netem", &r)
	if r.Active || r.ProxyPort != 0 || r.Preset != "loopback" {
		t.Errorf("at start: %+v, want loopback, no proxy", r)
	}
	names := map[string]bool{}
	for _, p := range r.Presets {
		names[p.Name] = p.Source != ""
	}
	for _, want := range []string{"loopback", "good Wi-Fi", "4G", "satellite"} {
		if !names[want] {
			t.Errorf("preset %q missing or without a source: %v", want, names)
		}
	}

	status, r, msg := postNetem(t, lab, `{"preset":"4G"}`, nil)
	if status != http.StatusOK || !r.Active || r.Preset != "4G" || r.RTTms != 170 || r.ProxyPort == 0 {
		t.Fatalf("4G preset: %d %q %+v", status, msg, r)
	}
	set := r
	for _, c := range []struct{ name, body string }{
		{"RTT above 10 s", `{"rtt_ms":10001}`},
		{"negative RTT", `{"rtt_ms":-1}`},
		{"bandwidth below 1 kbit/s", `{"bandwidth_kbit":0.5}`},
		{"negative bandwidth", `{"bandwidth_kbit":-3}`},
		{"jitter above the RTT", `{"rtt_ms":100,"jitter_ms":150}`},
		{"huge jitter", `{"jitter_ms":9223372036854775807}`},
		{"no such preset", `{"preset":"carrier pigeon"}`},
		{"preset and numbers", `{"preset":"4G","rtt_ms":5}`},
		{"RTT as text", `{"rtt_ms":"300"}`},
		{"unknown field", `{"latency":300}`},
		{"not JSON", `rtt=300`},
	} {
		status, _, msg := postNetem(t, lab, c.body, nil)
		if status != http.StatusBadRequest || msg == "" {
			t.Errorf("%s: %d %q, want 400 with a message", c.name, status, msg)
		}
		var now netemReply
		getJSON(t, lab.URL+"/api/netem", &now)
		if now.RTTms != set.RTTms || now.BandwidthKbit != set.BandwidthKbit || now.JitterMS != set.JitterMS {
			t.Errorf("%s changed the setting: %+v, was %+v", c.name, now, set)
		}
	}
	if status, _, _ := postNetem(t, lab, `{"rtt_ms":300}`, http.Header{"Origin": {"http://evil.example"}}); status != http.StatusForbidden {
		t.Errorf("a foreign page set the conditions: %d", status)
	}
	// Numbers left out keep their value.
	if _, r, _ = postNetem(t, lab, `{"rtt_ms":300}`, nil); r.RTTms != 300 || r.BandwidthKbit != 9000 || r.Preset != "" {
		t.Errorf("rtt_ms alone: %+v, want 300 ms and the 4G bandwidth kept", r)
	}
	if _, r, _ = postNetem(t, lab, `{"preset":"loopback"}`, nil); r.Active || r.ProxyPort == 0 {
		t.Errorf("back to loopback: %+v, want inactive with the proxy still there", r)
	}
}

// Through the proxy a request pays the round trip, and every byte is still
// counted on the lab's own sockets: the client's count and the server's
// agree for a client that only ever used the proxy.
func TestNetemProxyAddsTheRoundTripAndTheServerStillCounts(t *testing.T) {
	lab := startLab(t, server.Config{})
	lab.Generator().Tick()
	const rtt = 250
	_, r, msg := postNetem(t, lab, `{"rtt_ms":`+strconv.Itoa(rtt)+`}`, nil)
	if r.ProxyPort == 0 {
		t.Fatalf("no proxy: %s", msg)
	}
	proxied := "http://127.0.0.1:" + strconv.Itoa(r.ProxyPort)

	wc := &wireCounter{}
	hc := wc.httpClient()
	for i := range 3 {
		start := time.Now()
		status, _ := poll(t, hc, proxied, "?since=0&client=via-proxy")
		if took := time.Since(start); status != http.StatusOK || took < rtt*time.Millisecond {
			t.Errorf("poll %d through the proxy: %d in %v, want 200 in at least %d ms", i, status, took, rtt)
		}
	}
	hc.CloseIdleConnections()
	var stats struct {
		Clients map[string]struct {
			BytesIn  int64 `json:"bytes_in"`
			BytesOut int64 `json:"bytes_out"`
			Requests int64
		}
	}
	servertest.Eventually(t, "server counts equal the client's", 3*time.Second, func() bool {
		getJSON(t, lab.URL+"/api/stats", &stats)
		s := stats.Clients["via-proxy"]
		return s.Requests == 3 && s.BytesIn == wc.written.Load() && s.BytesOut == wc.read.Load()
	})

	// The lab's own page, reaching it through the proxy, passes the
	// WebSocket origin check and gets CORS headers; a foreign page does not.
	labOrigin := "http://" + lab.Addr
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	wsProxied := "ws://127.0.0.1:" + strconv.Itoa(r.ProxyPort) + "/ws?client=page-ws"
	c, _, err := d.Dial(wsProxied, http.Header{"Origin": {labOrigin}})
	if err != nil {
		t.Fatalf("the lab's own page through the proxy: %v", err)
	}
	c.Close()
	if _, resp, err := d.Dial(wsProxied, http.Header{"Origin": {"http://evil.example"}}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a foreign page through the proxy: %v", err)
	}
	_, hdr, _ := httpStatus(t, http.MethodGet, proxied+"/api/state", http.Header{"Origin": {labOrigin}}, nil)
	if got := hdr.Get("Access-Control-Allow-Origin"); got != labOrigin {
		t.Errorf("through the proxy, Access-Control-Allow-Origin %q, want %q", got, labOrigin)
	}
}
