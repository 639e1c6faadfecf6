package bench

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/transport"
)

// Timing knobs of the simulated clients.
const (
	requestTimeout = 10 * time.Second       // a short poll or publish that takes longer is an error
	waitSlack      = 10 * time.Second       // a long poll may take its wait plus this
	readIdle       = 60 * time.Second       // a WS or SSE stream silent this long is dead (the server pings every 25 s, SSE keeps alive every 15 s)
	writeWait      = 5 * time.Second        // bounds one WS frame write
	backoffFirst   = 100 * time.Millisecond // first wait after an error
	backoffMax     = 2 * time.Second        // longest wait between retries
	pollJitter     = 0.1                    // short polls land at interval × (1 ± this)
)

// counts are one client's counters, read at the window's start and end.
type counts struct {
	requests   atomic.Int64 // HTTP requests sent (a WS or SSE connection is one)
	empty      atomic.Int64 // 204 and 304 responses
	errors     atomic.Int64 // failed requests, broken streams, unexpected statuses
	reconnects atomic.Int64 // WS and SSE streams opened again after the first
	updates    atomic.Int64 // updates received (each one in a poll response counts)
	payload    atomic.Int64 // bytes of update JSON received
	bodyUp     atomic.Int64 // request bodies and WS message payloads sent
	bodyDown   atomic.Int64 // response bodies (de-chunked) and WS message payloads received
	chats      atomic.Int64 // chat updates published
}

// simClient is one simulated client of one transport. Each has its own
// connections (its own http.Transport or WebSocket), so the bytes it counts
// and the bytes the server counts for its ?client= name are the same bytes.
type simClient struct {
	id        string
	transport string
	sc        Scenario
	base      *url.URL // the server, http://host:port
	http      *http.Client
	dial      *wire
	hdr       headerTally
	n         counts
	track     tracker
	via       string // network-conditions proxy address, or ""
	rng       *rand.Rand
}

func newSimClient(id, transport string, sc Scenario, base *url.URL, via string, run *runState, seed uint64) *simClient {
	c := &simClient{
		id: id, transport: transport, sc: sc, base: base, via: via,
		dial:  &wire{},
		track: tracker{run: run},
		rng:   rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
	}
	if transport != "ws" || sc.ChatRate > 0 {
		c.http = &http.Client{Transport: &http.Transport{
			DialContext: countingDialer(c.dial, via),
			// Two connections at most: one for the poll or stream, one for
			// a publish made while a long poll or stream is open.
			MaxConnsPerHost:     2,
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     2 * time.Minute,
			// Bodies as sent, so body bytes can be counted and explained.
			DisableCompression: true,
		}}
	}
	return c
}

// run follows the live state over the client's transport until ctx ends.
func (c *simClient) run(ctx context.Context) {
	defer func() {
		if c.http != nil {
			c.http.CloseIdleConnections()
		}
	}()
	if c.transport != "ws" && c.sc.ChatRate > 0 {
		var chat sync.WaitGroup
		chat.Add(1)
		seed := c.rng.Uint64()
		go func() { defer chat.Done(); c.chatOverHTTP(ctx, seed) }()
		defer chat.Wait()
	}
	runners[c.transport](c, ctx)
}

// runners are the simulated clients, one per transport of the table.
var runners = map[string]func(*simClient, context.Context){
	transport.Short: (*simClient).runShort,
	transport.Long:  (*simClient).runLong,
	transport.WS:    (*simClient).runWS,
	transport.SSE:   (*simClient).runSSE,
	transport.Floor: (*simClient).runFloor,
}

// Speaks reports whether the bench has a simulated client for the named
// transport.
func Speaks(name string) bool { return runners[name] != nil }

// fail counts an error unless the run is ending (requests cut off by the
// end of the run are not the server's fault).
func (c *simClient) fail(ctx context.Context) {
	if ctx.Err() == nil {
		c.n.errors.Add(1)
	}
}

// url returns the server URL of path with the client's name and extra query.
func (c *simClient) url(scheme, path string, q url.Values) *url.URL {
	if q == nil {
		q = url.Values{}
	}
	q.Set("client", c.id)
	u := *c.base
	u.Scheme = scheme
	u.Path = path
	u.RawQuery = q.Encode()
	return &u
}

// sinceQuery is ?since=V for the version held, or nothing before the client
// has the state (the server then answers with a snapshot).
func (c *simClient) sinceQuery() url.Values {
	q := url.Values{}
	if c.track.joined {
		q.Set("since", strconv.FormatUint(c.track.held, 10))
	}
	return q
}

// jittered returns d scaled by a random factor in [1-f, 1+f].
func (c *simClient) jittered(d time.Duration, f float64) time.Duration {
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

func (b *backoff) wait(ctx context.Context, c *simClient) bool {
	switch {
	case b.d == 0:
		b.d = backoffFirst
	case b.d < backoffMax:
		b.d = min(2*b.d, backoffMax)
	}
	return sleep(ctx, c.jittered(b.d, 0.5))
}

func (b *backoff) reset() { b.d = 0 }
