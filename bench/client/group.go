package client

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/bench"
)

// Group is the clients of one run: each runs in its own goroutine until
// the group stops, and they share where recording starts, the highest
// version any of them has seen (to choose that start), the latest tick,
// how many hold the state, and the hush.
type Group struct {
	Hush Hush // holds back polls and publishes while the window's edges are read

	recordFrom atomic.Uint64 // record arrivals of versions above this
	maxSeen    atomic.Uint64
	lastTick   atomic.Int64 // publish time of the latest tick seen, Unix ns
	ready      atomic.Int64 // clients that hold some version

	ctx     context.Context
	stop    context.CancelFunc
	running sync.WaitGroup
	clients []*Client
}

// NewGroup returns a group whose clients run until ctx ends or Stop, and
// record nothing until RecordFrom.
func NewGroup(ctx context.Context) *Group {
	g := &Group{}
	g.ctx, g.stop = context.WithCancel(ctx)
	g.recordFrom.Store(^uint64(0))
	return g
}

// Start makes a client named id (its ?client= name) of cfg's transport and
// runs it. seed makes its random choices (poll phase, chat times)
// repeatable.
func (g *Group) Start(id string, cfg Config, seed uint64) (*Client, error) {
	c, err := newClient(id, cfg, g, seed)
	if err != nil {
		return nil, err
	}
	g.clients = append(g.clients, c)
	g.running.Add(1)
	go func() { defer g.running.Done(); c.run(g.ctx) }()
	return c, nil
}

// Clients are the group's clients, in the order they started.
func (g *Group) Clients() []*Client { return g.clients }

// Stop ends every client and waits for them, at most within; it reports
// whether they all stopped.
func (g *Group) Stop(within time.Duration) bool {
	g.stop()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		g.running.Wait()
	}()
	late := time.NewTimer(within)
	defer late.Stop()
	select {
	case <-stopped:
		return true
	case <-late.C:
		return false
	}
}

// Tally is all the clients' counts together now; the window's figures are
// the difference of two tallies.
func (g *Group) Tally() bench.Counts {
	var t bench.Counts
	for _, c := range g.clients {
		t = t.Plus(c.Counts())
	}
	return t
}

// Tracks are what each client received; call it after Stop.
func (g *Group) Tracks() []Track {
	ts := make([]Track, len(g.clients))
	for i, c := range g.clients {
		ts[i] = c.Track()
	}
	return ts
}

// RecordFrom starts recording the arrival of versions above v.
func (g *Group) RecordFrom(v uint64) { g.recordFrom.Store(v) }

// MaxSeen is the highest version any client has received.
func (g *Group) MaxSeen() uint64 { return g.maxSeen.Load() }

// LastTick is the publish time of the latest tick any client received
// (zero before the first).
func (g *Group) LastTick() time.Time {
	if ns := g.lastTick.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Ready is how many clients hold the state.
func (g *Group) Ready() int64 { return g.ready.Load() }

// Refused is how many publishes the server refused, over the whole run
// (503 to a POST, an error frame to a WebSocket publish).
func (g *Group) Refused() int64 {
	var n int64
	for _, c := range g.clients {
		n += c.n.refused.Load()
	}
	return n
}
