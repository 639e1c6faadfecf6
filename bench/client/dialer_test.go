package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// clientStats is the per-client part of /api/stats.
type clientStats struct {
	Clients map[string]struct {
		Transport string `json:"transport"`
		BytesIn   int64  `json:"bytes_in"`
		BytesOut  int64  `json:"bytes_out"`
	} `json:"clients"`
}

func readStats(t *testing.T, base string) clientStats {
	t.Helper()
	resp, err := http.Get(base + "/api/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st clientStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// Each simulated client names itself with ?client=, so its own byte counts
// can be held against the server's for that name, one client at a time.
func TestEachClientCountsTheSameBytesAsTheServer(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 200})
	base, _ := url.Parse(s.URL)
	g := client.NewGroup(context.Background())
	for i, tr := range transport.Names() {
		cfg := client.Config{Transport: tr, Base: base, Interval: 100 * time.Millisecond, Wait: 25 * time.Second, ChatRate: 5}
		if _, err := g.Start(fmt.Sprintf("%s-only-%d", tr, i), cfg, uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second)
	if !g.Stop(5 * time.Second) {
		t.Fatal("clients did not stop")
	}
	clients := g.Clients()

	// The server may count a connection's last bytes when it sees it close.
	var st clientStats
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st = readStats(t, s.URL)
		same := true
		for _, c := range clients {
			got, n := st.Clients[c.ID()], c.Counts()
			same = same && got.BytesIn == n.Up && got.BytesOut >= n.Down
		}
		if same || time.Now().After(deadline) {
			break
		}
	}
	for _, c := range clients {
		got, n := st.Clients[c.ID()], c.Counts()
		if got.Transport != c.Transport() {
			t.Errorf("%s: server filed it under %q", c.ID(), got.Transport)
		}
		// Up must match to the byte. Down may differ by what the server
		// had written but the client had not read when it hung up (an
		// update or a 204 in flight), never the other way.
		inFlight := got.BytesOut - n.Down
		if got.BytesIn != n.Up || inFlight < 0 || inFlight > 1024 || got.BytesOut == 0 {
			t.Errorf("%s: client wrote %d read %d; server read %d wrote %d", c.ID(), n.Up, n.Down, got.BytesIn, got.BytesOut)
		}
		// Chat is the only body a client sends up; floor clients do not chat.
		if n.BodyUp == 0 && c.Transport() != transport.Floor {
			t.Errorf("%s: never chatted", c.ID())
		}
	}
}

func TestEveryTransportOfTheTableHasAClient(t *testing.T) {
	for _, tr := range transport.Names() {
		if !client.Speaks(tr) {
			t.Errorf("no simulated client for %s", tr)
		}
	}
	g := client.NewGroup(context.Background())
	defer g.Stop(time.Second)
	if _, err := g.Start("x", client.Config{Transport: "carrier-pigeon"}, 1); err == nil {
		t.Error("a client for an unknown transport was made")
	}
}
