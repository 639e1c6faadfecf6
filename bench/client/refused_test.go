package client_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state/broker/brokertest"
	"github.com/pushlab/pushlab/transport"
)

// eventually waits, within a bound, until ok holds.
func eventually(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
	}
}

// While an instance's broker is away it refuses publishes: a WebSocket
// client is sent an error frame on a connection that stays open, an HTTP
// publisher a 503. The bench counts both as refused publishes (and
// errors), and an error frame is not taken for an update.
func TestPublishesRefusedWhileTheBrokerIsAwayAreCountedAsSuch(t *testing.T) {
	b := brokertest.Start(t)
	s := servertest.Start(t, server.Config{Broker: b.URL()})
	base, _ := url.Parse(s.URL)
	g := client.NewGroup(context.Background())
	var clients []*client.Client
	for i, tr := range []string{transport.WS, transport.Long} {
		cfg := client.Config{Transport: tr, Base: base, Interval: 100 * time.Millisecond, Wait: 25 * time.Second, ChatRate: 20}
		c, err := g.Start(tr+"-refused", cfg, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	eventually(t, "both clients hold the state", 5*time.Second, func() bool { return g.Ready() == 2 })
	b.Stop()
	eventually(t, "the instance sees its broker gone", 5*time.Second, func() bool {
		resp, err := http.Get(s.URL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	before := make([]int64, len(clients))
	for i, c := range clients {
		before[i] = c.Counts().Updates
	}
	// At 20 chats/s each, publishes are refused at once; one in flight as
	// the broker went may wait out the instance's 2 s retry first.
	eventually(t, "both clients count refused publishes as errors", 5*time.Second, func() bool {
		return clients[0].Counts().Errors > 0 && clients[1].Counts().Errors > 0
	})
	if !g.Stop(5 * time.Second) {
		t.Fatal("clients did not stop")
	}
	if g.Refused() < 2 {
		t.Errorf("%d publishes refused, want one from each client at least", g.Refused())
	}
	for i, c := range clients {
		n := c.Counts()
		if n.Updates != before[i] {
			t.Errorf("%s: %d updates arrived while nothing could be published: an error frame taken for an update?", c.ID(), n.Updates-before[i])
		}
		if n.Reconnects != 0 {
			t.Errorf("%s: reconnected %d times; the connection stays open through refused publishes", c.ID(), n.Reconnects)
		}
	}
}
