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

// When the network drops every connection for a moment, each client
// reconnects with what it holds (since= or Last-Event-ID) and catches up
// from the server's retained log: chat published during the outage still
// arrives, nothing is missed.
func TestClientsCatchUpAfterTheNetworkDrops(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 64})
	base, _ := url.Parse(s.URL)
	sc := DefaultScenario()
	sc.Interval = Duration(100 * time.Millisecond)
	sc.ChatRate = 3
	sc.Bandwidth = "100mbit" // any condition puts the proxy in the path
	ne, err := startNetem(base.Host, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer ne.stop()

	run := newRunState()
	run.recordFrom.Store(0)
	ctx, cancel := context.WithCancel(context.Background())
	var (
		clients []*simClient
		wg      sync.WaitGroup
	)
	for i, tr := range transport.Names() {
		c := newSimClient(fmt.Sprintf("%s-drop-%d", tr, i), tr, sc, base, ne.addr, run, uint64(i))
		clients = append(clients, c)
		wg.Add(1)
		go func() { defer wg.Done(); c.run(ctx) }()
	}
	time.Sleep(500 * time.Millisecond)
	var st serverStats
	if err := getJSON(ctx, http.DefaultClient, s.URL+"/api/stats", &st); err != nil {
		t.Fatal(err)
	}
	v0 := st.Version

	ne.proxy.Stop() // every client connection is cut
	time.Sleep(300 * time.Millisecond)
	// Chat published while nobody is connected must still reach everyone.
	for i := 0; i < 3; i++ {
		if _, err := s.Store.Publish("chat", []byte(`{"text":"during the outage"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ne.proxy.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := getJSON(ctx, http.DefaultClient, s.URL+"/api/stats", &st); err != nil {
		t.Fatal(err)
	}
	v1 := st.Version
	time.Sleep(500 * time.Millisecond) // let v1 reach the short pollers
	cancel()
	wg.Wait()

	vt := newVersionTable(v0, v1)
	ups, _ := fetchUpdates(context.Background(), http.DefaultClient, base, v0)
	fillTable(vt, clients, ups)
	for _, c := range clients {
		d := evaluate([]*simClient{c}, vt)
		if d.missed != 0 || d.chatMissed != 0 || d.delivered == 0 {
			t.Errorf("%s: delivered %d, coalesced %d, missed %d, chat missed %d over versions %d..%d",
				c.id, d.delivered, d.coalesced, d.missed, d.chatMissed, v0+1, v1)
		}
		if c.n.errors.Load() == 0 {
			t.Errorf("%s: did not notice the outage", c.id)
		}
		if c.transport == "ws" || c.transport == "sse" {
			if c.n.reconnects.Load() == 0 {
				t.Errorf("%s: never reconnected", c.id)
			}
		}
	}
}
