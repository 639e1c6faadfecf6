// Package client holds the bench's simulated clients: one Client type,
// whatever the transport, and one follower per transport of the table
// behind a small interface, found by transport name in followers. Each
// client has its own connections, counted on the socket, and records every
// version it comes to hold so the run can evaluate delivery and latency.
package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/pushlab/pushlab/transport"
)

// Timing knobs of the simulated clients.
const (
	requestTimeout = 10 * time.Second       // a short poll or publish that takes longer is an error
	waitSlack      = 10 * time.Second       // a long poll may take its wait plus this
	readIdle       = 60 * time.Second       // a WS or SSE stream silent this long is dead: over twice the server's WS ping (27 s) and SSE keep-alive (15 s) periods
	writeWait      = 5 * time.Second        // bounds one WS frame write
	dialTimeout    = 10 * time.Second       // bounds connecting (and, through toxiproxy, its first hop)
	backoffFirst   = 100 * time.Millisecond // first wait after an error
	backoffMax     = 2 * time.Second        // longest wait between retries
)

// PollJitter is how far short polls stray from the interval: they land at
// interval × (1 ± PollJitter), so that clients do not poll in step.
const PollJitter = 0.1

// A follower is one transport's simulated client: how it keeps up with the
// live state over that transport until ctx ends, recording through c what
// arrives. Each lives in its own file; adding a transport adds one, and
// its line in followers.
type follower interface {
	follow(ctx context.Context, c *Client)
	// publishesInBand reports whether the client publishes its chat over
	// its own connection (a WebSocket frame) rather than with POST
	// /api/publish, and so needs no HTTP client for it.
	publishesInBand() bool
}

// followers are the simulated clients, one per transport of the table.
var followers = map[string]follower{
	transport.Short: shortPoll{},
	transport.Long:  longPoll{},
	transport.WS:    webSocket{},
	transport.SSE:   eventSource{},
	transport.Floor: floor{},
}

// Speaks reports whether the bench has a simulated client for the named
// transport.
func Speaks(name string) bool { return followers[name] != nil }

// Connections is how many sockets one client of the transport holds at
// most: one, and a second for publishing over HTTP while a long poll or a
// stream holds the first.
func Connections(transport string, chats bool) int {
	if f := followers[transport]; chats && f != nil && !f.publishesInBand() {
		return 2
	}
	return 1
}

// Config is what a client is asked to do; every client of a run gets the
// same one.
type Config struct {
	Transport string        // a name from the transport table
	Base      *url.URL      // the server, http://host:port
	Interval  time.Duration // between short polls
	// FollowCache times short polls by the answers' Cache-Control and
	// Expires instead of the interval (--poll-schedule cache).
	FollowCache bool
	Wait        time.Duration // how long a long poll may be held
	ChatRate    float64       // chat messages per second, 0 for none
	Options     Options
}

// Client is one simulated client of one transport. It has its own
// connections (its own http.Transport or WebSocket), so the bytes it counts
// and the bytes the server counts for its ?client= name are the same bytes.
type Client struct {
	id     string
	cfg    Config
	speaks follower
	http   *http.Client // nil for a client that needs none
	wire   wire
	hdr    headerTally
	n      counters
	track  tracker
	rng    *rand.Rand
}

// newClient makes a client of the group g (see Group.Start).
func newClient(id string, cfg Config, g *Group, seed uint64) (*Client, error) {
	f, ok := followers[cfg.Transport]
	if !ok {
		return nil, fmt.Errorf("the bench has no simulated client for transport %q", cfg.Transport)
	}
	c := &Client{
		id: id, cfg: cfg, speaks: f,
		track: tracker{run: g},
		rng:   rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
	}
	if !f.publishesInBand() {
		c.http = c.newHTTPClient()
	}
	return c, nil
}

// ID is the client's name, as the server files its traffic.
func (c *Client) ID() string { return c.id }

// Transport is the client's transport.
func (c *Client) Transport() string { return c.cfg.Transport }

// run follows the live state over the client's transport until ctx ends.
// Its Group runs it.
func (c *Client) run(ctx context.Context) {
	if c.http != nil {
		defer c.http.CloseIdleConnections()
	}
	if c.cfg.ChatRate > 0 && !c.speaks.publishesInBand() {
		var chat sync.WaitGroup
		chat.Add(1)
		seed := c.rng.Uint64()
		go func() { defer chat.Done(); c.chatOverHTTP(ctx, seed) }()
		defer chat.Wait()
	}
	c.speaks.follow(ctx, c)
}

// url returns the server URL of path with the client's name and extra query.
func (c *Client) url(scheme, path string, q url.Values) *url.URL {
	if q == nil {
		q = url.Values{}
	}
	q.Set("client", c.id)
	u := *c.cfg.Base
	u.Scheme = scheme
	u.Path = path
	u.RawQuery = q.Encode()
	return &u
}

// sinceQuery is ?since=V for the version held, or nothing before the client
// has the state (the server then answers with a snapshot).
func (c *Client) sinceQuery() url.Values {
	q := url.Values{}
	if c.track.joined {
		q.Set("since", strconv.FormatUint(c.track.held, 10))
	}
	return q
}

// fail counts an error unless the run is ending (requests cut off by the
// end of the run are not the server's fault).
func (c *Client) fail(ctx context.Context) {
	if ctx.Err() == nil {
		c.n.errors.Add(1)
	}
}

// unanswered counts a request that got no usable answer: an error while the
// request's context is live, else aborted (it timed out, or the run ended
// under it), as the server counts it.
func (c *Client) unanswered(ctx context.Context) {
	if ctx.Err() == nil {
		c.n.errors.Add(1)
		return
	}
	c.n.aborted.Add(1)
}

// jittered returns d scaled by a random factor in [1-f, 1+f].
func (c *Client) jittered(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * (1 - f + 2*f*c.rng.Float64()))
}

// sleep waits d or until ctx ends, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff spaces out retries after errors: doubling, jittered, bounded.
type backoff struct{ d time.Duration }

func (b *backoff) wait(ctx context.Context, c *Client) bool {
	switch {
	case b.d == 0:
		b.d = backoffFirst
	case b.d < backoffMax:
		b.d = min(2*b.d, backoffMax)
	}
	return sleep(ctx, c.jittered(b.d, 0.5))
}

func (b *backoff) reset() { b.d = 0 }

// reconnecting keeps a stream open: it calls session until ctx ends, and
// after each session (a stream only ends early by error or server
// shutdown) waits a bounded backoff, reset by a session that opened.
// Each session after the first is a reconnect.
func (c *Client) reconnecting(ctx context.Context, session func(context.Context) (opened bool)) {
	var b backoff
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			c.n.reconnects.Add(1)
		}
		if session(ctx) {
			b.reset()
		}
		c.fail(ctx)
		if !b.wait(ctx, c) {
			return
		}
	}
}
