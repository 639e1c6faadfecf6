package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// Each simulated client names itself with ?client=, so its own byte counts
// can be held against the server's for that name, one client at a time.
func TestEachClientCountsTheSameBytesAsTheServer(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 200})
	base, _ := url.Parse(s.URL)
	sc := DefaultScenario()
	sc.Interval = Duration(100 * time.Millisecond)
	sc.ChatRate = 5
	run := newRunState()
	ctx, cancel := context.WithCancel(context.Background())
	var (
		clients []*simClient
		wg      sync.WaitGroup
	)
	for i, tr := range transport.Names() {
		c := newSimClient(fmt.Sprintf("%s-only-%d", tr, i), tr, sc, base, "", run, uint64(i))
		clients = append(clients, c)
		wg.Add(1)
		go func() { defer wg.Done(); c.run(ctx) }()
	}
	time.Sleep(time.Second)
	cancel()
	wg.Wait()

	// The server may count a connection's last bytes when it sees it close.
	var st struct {
		Clients map[string]struct {
			Transport string `json:"transport"`
			BytesIn   int64  `json:"bytes_in"`
			BytesOut  int64  `json:"bytes_out"`
		} `json:"clients"`
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if err := getJSON(context.Background(), http.DefaultClient, s.URL+"/api/stats", &st); err != nil {
			t.Fatal(err)
		}
		same := true
		for _, c := range clients {
			got := st.Clients[c.id]
			same = same && got.BytesIn == c.dial.up.Load() && got.BytesOut >= c.dial.down.Load()
		}
		if same || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range clients {
		got := st.Clients[c.id]
		if got.Transport != c.transport {
			t.Errorf("%s: server filed it under %q", c.id, got.Transport)
		}
		// Up must match to the byte. Down may differ by what the server
		// had written but the client had not read when it hung up (an
		// update or a 204 in flight), never the other way.
		inFlight := got.BytesOut - c.dial.down.Load()
		if got.BytesIn != c.dial.up.Load() || inFlight < 0 || inFlight > 1024 || got.BytesOut == 0 {
			t.Errorf("%s: client wrote %d read %d; server read %d wrote %d",
				c.id, c.dial.up.Load(), c.dial.down.Load(), got.BytesIn, got.BytesOut)
		}
		if c.n.chats.Load() == 0 {
			t.Errorf("%s: never chatted", c.id)
		}
	}
}
