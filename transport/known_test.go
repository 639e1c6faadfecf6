package transport_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
	"github.com/pushlab/pushlab/web"
)

// A transport is only half added until the server routes and counts it, the
// bench can drive it and, when a browser can speak it, the page has a client
// and a colour for it. This test walks the table and asks each of them.
func TestEveryTransportIsKnownEverywhere(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	var served []transport.Transport
	getJSON(t, lab.URL+"/api/transports", &served)
	if len(served) != len(transport.All()) {
		t.Fatalf("/api/transports lists %d transports, the table %d", len(served), len(transport.All()))
	}
	page := httptest.NewServer(web.Handler())
	defer page.Close()
	clientsJS, chartsJS := fetch(t, page.URL+"/js/clients.js"), fetch(t, page.URL+"/js/charts.js")

	for i, tr := range transport.All() {
		if served[i] != tr {
			t.Errorf("/api/transports[%d] = %+v, table says %+v", i, served[i], tr)
		}
		// The server: its route answers and is counted under its name.
		before := requests(t, lab.URL, tr.Name)
		_, target, _ := strings.Cut(tr.Route, " ")
		target = strings.ReplaceAll(strings.ReplaceAll(target, "=V", "=0"), "wait=25s", "wait=1ms")
		resp, err := http.Get(lab.URL + target + "&client=known-" + tr.Name)
		if err != nil {
			t.Fatalf("%s: GET %s: %v", tr.Name, target, err)
		}
		resp.Body.Close() // a stream ends here; its request is counted already
		if after := requests(t, lab.URL, tr.Name); after <= before {
			t.Errorf("%s: GET %s was not counted under %q in /api/stats", tr.Name, target, tr.Name)
		}
		// The bench.
		if !client.Speaks(tr.Name) {
			t.Errorf("%s: the bench has no simulated client for it", tr.Name)
		}
		// The page.
		if tr.Browser {
			if !regexp.MustCompile(`(?m)^\s+` + tr.Name + `: \(`).MatchString(clientsJS) {
				t.Errorf("%s: web/static/js/clients.js has no entry in clientMakers", tr.Name)
			}
			if !regexp.MustCompile(`(?m)^\s+` + tr.Name + `: '#`).MatchString(chartsJS) {
				t.Errorf("%s: web/static/js/charts.js has no colour for it", tr.Name)
			}
		}
	}
}

func requests(t *testing.T, base, name string) int64 {
	var st server.StatsSnapshot
	getJSON(t, base+"/api/stats?clients=0", &st)
	c, ok := st.Transports[name]
	if !ok {
		t.Fatalf("/api/stats has no counters for transport %q", name)
	}
	return c.Requests
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(fetch(t, url)), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func fetch(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(b)
}
