package run

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/target"
	"github.com/pushlab/pushlab/netcond"
	"github.com/pushlab/pushlab/transport"
)

// When the network drops every connection for a moment, each client
// reconnects with what it holds (since= or Last-Event-ID) and catches up
// from the server's retained log: chat published during the outage still
// arrives, nothing is missed.
func TestClientsCatchUpAfterTheNetworkDrops(t *testing.T) {
	s := startServer(t, 20, 64)
	base, _ := url.Parse(s.URL)
	srv := target.New(base)
	defer srv.Close()
	// Any condition puts the proxy in the path.
	ne, err := netcond.Start("127.0.0.1:0", base.Host)
	if err == nil {
		err = ne.Set(netcond.Conditions{Bandwidth: 100e6})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer ne.Close()

	ctx := context.Background()
	g := client.NewGroup(ctx)
	g.RecordFrom(0)
	for i, tr := range transport.Names() {
		cfg := client.Config{Transport: tr, Base: base, Interval: 100 * time.Millisecond, Wait: 25 * time.Second, ChatRate: 3,
			Options: client.Options{Via: ne.Addr()}}
		if _, err := g.Start(fmt.Sprintf("%s-drop-%d", tr, i), cfg, uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	st, err := srv.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v0 := st.Version

	ne.Drop() // every client connection is cut
	time.Sleep(300 * time.Millisecond)
	// Chat published while nobody is connected must still reach everyone.
	for i := 0; i < 3; i++ {
		if _, err := s.Store.Publish("chat", []byte(`{"text":"during the outage"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ne.Restore(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if st, err = srv.Stats(ctx); err != nil {
		t.Fatal(err)
	}
	v1 := st.Version
	time.Sleep(500 * time.Millisecond) // let v1 reach the short pollers
	if !g.Stop(5 * time.Second) {
		t.Fatal("clients did not stop")
	}

	vt := newVersionTable(v0, v1)
	tracks := g.Tracks()
	ups, _ := srv.UpdatesAfter(ctx, v0)
	fillTable(vt, tracks, ups)
	for i, c := range g.Clients() {
		d := evaluate(tracks[i:i+1], vt)
		if d.missed != 0 || d.chatMissed != 0 || d.delivered == 0 {
			t.Errorf("%s: delivered %d, coalesced %d, missed %d, chat missed %d over versions %d..%d",
				c.ID(), d.delivered, d.coalesced, d.missed, d.chatMissed, v0+1, v1)
		}
		n := c.Counts()
		if n.Errors == 0 {
			t.Errorf("%s: did not notice the outage", c.ID())
		}
		if tr, _ := transport.Lookup(c.Transport()); tr.Push && n.Reconnects == 0 {
			t.Errorf("%s: never reconnected", c.ID())
		}
	}
}
