package server

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/state/broker"
	"github.com/pushlab/pushlab/transport"
)

// accountNames are the transports of the table and transport.Other, which
// holds what belongs to none of them (the page, /api/stats itself, ...).
func accountNames() []string { return append(transport.Names(), transport.Other) }

// maxClients bounds the per-client table; past it, clients are counted in
// their transport only.
const maxClients = 50000

// counters are one transport's or one client's figures. Every request ends
// in exactly one of answered, empty, refused or aborted, so requests equals
// their sum plus the requests still open.
type counters struct {
	requests   atomic.Int64
	answered   atomic.Int64 // got an answer: updates, or a non-error response to a publish, a page, ...
	empty      atomic.Int64 // answered with no update (204/304)
	refused    atomic.Int64 // answered with an error status
	aborted    atomic.Int64 // ended without an answer: the client gave up, the server shut down
	deliveries atomic.Int64
	open       atomic.Int64
	bytesIn    atomic.Int64
	bytesOut   atomic.Int64

	// Requests by the protocol they came in, and those over TLS: a browser
	// speaks h2 to the HTTP routes over TLS, WebSocket stays on http/1.1.
	http10, http11, h2 atomic.Int64
	tls                atomic.Int64
}

// Protocol names in /api/stats, spelt as ALPN spells them.
const (
	ProtoHTTP10 = "http/1.0"
	ProtoHTTP11 = "http/1.1"
	ProtoH2     = "h2"
)

// countProtocol counts r under its protocol (named as ALPN names them) and
// under TLS when it came encrypted.
func (c *counters) countProtocol(r *http.Request) {
	switch {
	case r.ProtoMajor == 2:
		c.h2.Add(1)
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		c.http10.Add(1)
	default:
		c.http11.Add(1)
	}
	if r.TLS != nil {
		c.tls.Add(1)
	}
}

// CounterSnapshot is counters as JSON.
type CounterSnapshot struct {
	Transport  string `json:"transport,omitempty"`
	Requests   int64  `json:"requests"`
	Answered   int64  `json:"answered"`
	Empty      int64  `json:"empty"`
	Refused    int64  `json:"refused"`
	Aborted    int64  `json:"aborted"`
	Deliveries int64  `json:"deliveries"`
	Open       int64  `json:"open"`
	BytesIn    int64  `json:"bytes_in"`
	BytesOut   int64  `json:"bytes_out"`
	// Protocols counts requests by protocol ("http/1.1", "h2", "http/1.0"),
	// leaving out those with none.
	Protocols   map[string]int64 `json:"protocols,omitempty"`
	TLSRequests int64            `json:"tls_requests"`
}

func (c *counters) snapshot() CounterSnapshot {
	return CounterSnapshot{
		Requests: c.requests.Load(), Answered: c.answered.Load(), Empty: c.empty.Load(),
		Refused: c.refused.Load(), Aborted: c.aborted.Load(), Deliveries: c.deliveries.Load(),
		Open: c.open.Load(), BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(),
		Protocols: c.protocols(), TLSRequests: c.tls.Load(),
	}
}

func (c *counters) protocols() map[string]int64 {
	var m map[string]int64
	for name, n := range map[string]int64{ProtoHTTP10: c.http10.Load(), ProtoHTTP11: c.http11.Load(), ProtoH2: c.h2.Load()} {
		if n > 0 {
			if m == nil {
				m = make(map[string]int64, 1)
			}
			m[name] = n
		}
	}
	return m
}

// client is one named client's counters and the transport it uses.
type client struct {
	counters
	transport atomic.Pointer[string]
}

// account is where one request's bytes and figures go: its transport and,
// when it named itself, its client. It also notes what the request was
// answered with, to count its outcome when it ends.
type account struct {
	name      string // the transport's
	transport *counters
	client    *client // nil when unnamed

	delivered atomic.Bool // some update reached the client
	emptied   atomic.Bool // answered that there was nothing new
}

// outcome picks the counter that a request ending now with the given
// response status adds to. A request that ended before any answer was
// aborted, and so was a push stream that ended before it delivered an
// update (its 200 or 101 opened the stream; the answer is the updates).
func (a *account) outcome(status int) func(*counters) *atomic.Int64 {
	tr, _ := transport.Lookup(a.name)
	switch {
	case a.delivered.Load():
		return func(c *counters) *atomic.Int64 { return &c.answered }
	case a.emptied.Load():
		return func(c *counters) *atomic.Int64 { return &c.empty }
	case status >= 400:
		return func(c *counters) *atomic.Int64 { return &c.refused }
	case status == 0 || tr.Push:
		return func(c *counters) *atomic.Int64 { return &c.aborted }
	}
	return func(c *counters) *atomic.Int64 { return &c.answered }
}

func (a *account) addIn(n int64) {
	if n == 0 {
		return
	}
	a.transport.bytesIn.Add(n)
	if a.client != nil {
		a.client.bytesIn.Add(n)
	}
}

func (a *account) addOut(n int64) {
	if n == 0 {
		return
	}
	a.transport.bytesOut.Add(n)
	if a.client != nil {
		a.client.bytesOut.Add(n)
	}
}

// each applies f to the transport's counters and the client's.
func (a *account) each(f func(*counters)) {
	f(a.transport)
	if a.client != nil {
		f(&a.client.counters)
	}
}

// Stats holds the server's counters, measured on the wire.
type Stats struct {
	started    time.Time
	store      state.Store
	transports map[string]*counters
	conns      atomic.Int64  // open TCP connections
	broker     *broker.Store // nil without --broker

	mu      sync.Mutex
	clients map[string]*client
}

func newStats(store state.Store) *Stats {
	s := &Stats{
		started:    time.Now(),
		store:      store,
		transports: make(map[string]*counters),
		clients:    make(map[string]*client),
	}
	for _, t := range accountNames() {
		s.transports[t] = new(counters)
	}
	return s
}

func (s *Stats) otherAccount() *account {
	return &account{name: transport.Other, transport: s.transports[transport.Other]}
}

// account returns the account for a request of the named transport by
// client id (may be empty). A client keeps the transport it first used,
// unless that was transport.Other (it published before it polled).
func (s *Stats) account(name, id string) *account {
	a := &account{name: name, transport: s.transports[name]}
	if id == "" {
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[id]
	if c == nil {
		if len(s.clients) >= maxClients {
			return a
		}
		c = new(client)
		c.transport.Store(&name)
		s.clients[id] = c
	} else if t := *c.transport.Load(); t == transport.Other && name != transport.Other {
		c.transport.Store(&name)
	}
	a.client = c
	return a
}

// clientTransport returns the transport a named client has used, or transport.Other.
func (s *Stats) clientTransport(id string) string {
	if id == "" {
		return transport.Other
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clients[id]; c != nil {
		return *c.transport.Load()
	}
	return transport.Other
}

// StatsSnapshot is the /api/stats document (DESIGN.md).
type StatsSnapshot struct {
	Version     uint64                     `json:"version"`
	UptimeS     float64                    `json:"uptime_s"`
	Connections int64                      `json:"connections"`
	Transports  map[string]CounterSnapshot `json:"transports"`
	Clients     map[string]CounterSnapshot `json:"clients"`
	// Broker is how this instance stands with its broker (--broker only).
	Broker *broker.Status `json:"broker,omitempty"`
}

// Snapshot reads every counter now. Counters move while they are read; each
// one is exact, the set is not a single instant.
func (s *Stats) Snapshot(withClients bool) StatsSnapshot {
	out := StatsSnapshot{
		Version:     s.store.Latest(),
		UptimeS:     time.Since(s.started).Seconds(),
		Connections: s.conns.Load(),
		Transports:  make(map[string]CounterSnapshot, len(s.transports)),
		Clients:     map[string]CounterSnapshot{},
	}
	for name, c := range s.transports {
		out.Transports[name] = c.snapshot()
	}
	if s.broker != nil {
		st := s.broker.Status()
		out.Broker = &st
	}
	if withClients {
		s.mu.Lock()
		for id, c := range s.clients {
			cs := c.snapshot()
			cs.Transport = *c.transport.Load()
			out.Clients[id] = cs
		}
		s.mu.Unlock()
	}
	return out
}

// serveStats serves GET /api/stats. ?clients=0 leaves the per-client table
// out (it is large under a 10,000-client bench); ?only=ID keeps one client.
func (s *Stats) serveStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	snap := s.Snapshot(q.Get("clients") != "0")
	if only := q.Get("only"); only != "" {
		one := map[string]CounterSnapshot{}
		if c, ok := snap.Clients[only]; ok {
			one[only] = c
		}
		snap.Clients = one
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(snap)
}

// Deliver implements polling.Meter and push.Meter.
func (s *Stats) Deliver(r *http.Request, n int) {
	if a := accountFrom(r.Context()); a != nil {
		a.deliver(n)
	}
}

// Empty implements polling.Meter.
func (s *Stats) Empty(r *http.Request) {
	if a := accountFrom(r.Context()); a != nil {
		a.empty()
	}
}

// deliver notes that n updates reached the request's client.
func (a *account) deliver(n int) {
	a.delivered.Store(true)
	a.each(func(c *counters) { c.deliveries.Add(int64(n)) })
}

// empty notes that the request was answered with nothing new; it is
// counted when the request ends (finish).
func (a *account) empty() { a.emptied.Store(true) }

// finish counts the request's end: its outcome (see outcome) and one open
// request fewer.
func (a *account) finish(status int) {
	outcome := a.outcome(status)
	a.each(func(c *counters) { outcome(c).Add(1); c.open.Add(-1) })
}
