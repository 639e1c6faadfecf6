package polling

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
)

// A long poller asks the same thing again and again: once answered, it
// sends the same request with the next version. Through net/http each of
// those costs a request parsed into a Request, the router, every
// middleware, a handler goroutine woken, a response writer and its buffer
// (most of a long poll's CPU at 10,000 pollers, by profile), though
// everything they decide was decided for the first poll. So once a parked
// poll is answered, its connection stays here: the watcher says when the
// next request comes, it is read without waiting, and when it is the same
// request byte for byte but for its query (same headers, so the same
// CORS, client, account and answer headers), it is parked at once with the
// decisions of the first. Anything else (another route, other headers, a
// bad query, a request in pieces, two at once) goes back to net/http with
// the bytes read, and is served as if it had never left.

// repeat is what a parked poll's next request must be to be served here.
type repeat struct {
	headers []byte // after the request line, through the blank line
	client  string // its ?client=
}

// pollLine opens a long poll's request line; httpEnd closes it.
const (
	pollLine = "GET /api/poll?"
	httpEnd  = " HTTP/1.1"
)

// newRepeat is r's repeat, from its head as it came; nil when the head is
// not a plain long poll kept whole.
func newRepeat(head []byte, r *http.Request) *repeat {
	line, headers, ok := splitHead(head)
	if !ok || !bytes.HasPrefix(line, []byte(pollLine)) {
		return nil
	}
	return &repeat{headers: headers, client: r.URL.Query().Get("client")}
}

// splitHead splits one whole request head, and nothing after it, into its
// request line (without CRLF) and the rest.
func splitHead(head []byte) (line, headers []byte, ok bool) {
	end := bytes.Index(head, []byte("\r\n\r\n"))
	if end < 0 || end+4 != len(head) {
		return nil, nil, false
	}
	i := bytes.Index(head, []byte("\r\n"))
	return head[:i], head[i+2:], true
}

// match parses head as a repeat of the poll: its query when it is one.
func (rp *repeat) match(head []byte) (PollQuery, bool) {
	line, headers, ok := splitHead(head)
	if !ok || !bytes.Equal(headers, rp.headers) ||
		!bytes.HasPrefix(line, []byte(pollLine)) || !bytes.HasSuffix(line, []byte(httpEnd)) {
		return PollQuery{}, false
	}
	raw := line[len(pollLine) : len(line)-len(httpEnd)]
	for _, c := range raw {
		if c <= ' ' || c >= 0x7f {
			return PollQuery{}, false // net/http refuses some of these: let it
		}
	}
	since, wait, client, plain := plainQuery(raw)
	if !plain {
		q, err := url.ParseQuery(string(raw))
		if err != nil {
			return PollQuery{}, false
		}
		since, wait, client = []byte(q.Get("since")), []byte(q.Get("wait")), []byte(q.Get("client"))
	}
	if string(client) != rp.client {
		return PollQuery{}, false
	}
	var pq PollQuery
	var err error
	pq.Since, pq.HaveSince, err = state.ParseVersion(string(since))
	if err != nil || !pq.HaveSince {
		return PollQuery{}, false
	}
	pq.Wait, err = ParseWait(string(wait))
	return pq, err == nil && pq.Wait > 0 // a long poll still
}

// plainQuery finds since, wait and client in a query, each the first one
// as url.Values.Get finds it, without the map url.ParseQuery makes: this
// runs for every repeated poll. plain is false for a query with escapes,
// which url.ParseQuery reads instead.
func plainQuery(raw []byte) (since, wait, client []byte, plain bool) {
	if bytes.ContainsAny(raw, "%+;") {
		return nil, nil, nil, false
	}
	var haveSince, haveWait, haveClient bool
	for len(raw) > 0 {
		var pair []byte
		pair, raw, _ = bytes.Cut(raw, []byte("&"))
		key, value, _ := bytes.Cut(pair, []byte("="))
		switch {
		case !haveSince && string(key) == "since":
			since, haveSince = value, true
		case !haveWait && string(key) == "wait":
			wait, haveWait = value, true
		case !haveClient && string(key) == "client":
			client, haveClient = value, true
		}
	}
	return since, wait, client, true
}

// kept is an answered poll's connection waiting for the client's next
// request: its socket in the watcher, closed by the sweep when it has
// waited as long as net/http would let a keep-alive connection be idle.
type kept struct {
	p     *Poller
	conn  *held.Conn
	rep   *repeat
	extra http.Header
	acct  held.Account // the answered poll's; Again opens the next one's
	timer *waitTimer   // the polls' wait, for the next one
	watch held.Watch
	once  sync.Once
	stirs atomic.Int32 // news not yet read (Stirred)
	gone  atomic.Bool  // the client went away
	// idleAt is when it has waited as long as net/http lets an idle
	// keep-alive connection wait; the sweep closes it then.
	idleAt time.Time
}

// keep holds pp's connection, answered, for its next request.
func (p *Poller) keep(pp *parked, idle time.Duration) {
	k := &kept{p: p, conn: pp.conn, rep: pp.rep, extra: pp.extra, acct: pp.acct, timer: pp.timer, idleAt: time.Now().Add(idle)}
	pp.watch.Move(&k.watch)
	p.kept.add(k)
	if pp.shuttingDown() || !p.watch.Rearm(k.conn, k, &k.watch) {
		k.close()
		return
	}
	// The watcher tells each connection's owner of what comes from then
	// on (held.NewWatcher's edge). News that came while the answer went
	// out went to the poll, which passes on what comes after this.
	pp.next.Store(k)
	if pp.stirred.Load() {
		k.Stirred(false)
	}
}

// maxHead is the most of a next request read here: a long poll's head is
// a few hundred bytes; a longer one goes to net/http.
const maxHead = 4 << 10

var heads = sync.Pool{New: func() any { b := make([]byte, maxHead); return &b }}

// Stirred is the watcher's news, on its goroutine, or keep's: the client
// went away, or sent bytes, read without waiting. One caller reads at a
// time (the socket's reads share one buffer); news that comes meanwhile
// makes it read again.
func (k *kept) Stirred(gone bool) {
	if gone {
		k.gone.Store(true)
	}
	if k.stirs.Add(1) > 1 {
		return // the caller reading reads again
	}
	for {
		seen := k.stirs.Load()
		left, next := k.readNext()
		if left {
			if next != nil && k.stirs.Load() != seen {
				// News that came while this one was read went to the
				// connection kept; from now on it is the new poll's.
				next.Stirred(k.gone.Load())
			}
			return
		}
		if k.stirs.CompareAndSwap(seen, 0) {
			return
		}
	}
}

// readNext reads what the client sent: its next poll, parked at once
// (next), or anything else, given to net/http. left reports whether the
// connection is no longer kept; false when there was nothing to read.
func (k *kept) readNext() (left bool, next *parked) {
	if k.gone.Load() {
		if k.leave(true) {
			k.conn.Drain() // what it sent before it went is counted
			k.conn.Close()
		}
		return true, nil
	}
	buf := heads.Get().(*[]byte)
	defer heads.Put(buf)
	n, err := k.conn.TryRead(*buf)
	switch {
	case err != nil:
		k.close()
		return true, nil
	case n == 0: // nothing yet: watch on
		if !k.p.watch.Rearm(k.conn, k, &k.watch) {
			k.close()
			return true, nil
		}
		return false, nil
	}
	head := (*buf)[:n]
	q, ok := k.rep.match(head)
	if k.p.shuttingDown() {
		k.close() // the shutdown closes what is kept; this one came late
		return true, nil
	}
	if !ok || n == maxHead {
		if k.leave(true) {
			k.p.resume.Return(k.conn.Conn, bytes.Clone(head))
		}
		return true, nil
	}
	pp := &parked{p: k.p, conn: k.conn, since: q.Since, extra: k.extra, rep: k.rep, timer: k.timer}
	k.watch.Move(&pp.watch)
	if !k.leave(false) {
		k.p.watch.Remove(k.conn, &pp.watch)
		return true, nil // closed meanwhile
	}
	pp.acct = k.acct.Again()
	if k.p.log.Enabled(context.Background(), slog.LevelDebug) {
		k.p.log.Debug("request", "method", http.MethodGet, "path", "/api/poll", "kept", true,
			"remote", k.conn.RemoteAddr().String())
	}
	pp.wait(q.Wait, true)
	return true, pp
}

// leave lets go of the connection as kept, once, and of its watch unless
// it was handed on: false when it was closed.
func (k *kept) leave(unwatch bool) bool {
	left := false
	k.once.Do(func() {
		left = true
		if unwatch {
			k.p.watch.Remove(k.conn, &k.watch)
		}
		k.p.kept.remove(k)
	})
	return left
}

// close drops a kept connection: idle too long, its client gone, or the
// server shutting down.
func (k *kept) close() {
	if k.leave(true) {
		k.conn.Close()
	}
}

// keptConns are the connections kept, for the shutdown to close them and
// the sweep to close those idle too long. One sweep every keptSweep over
// the lot costs less than a timer made and stopped for each answer.
type keptConns struct {
	mu sync.Mutex
	m  map[*kept]struct{}
}

// keptSweep is how often the idle kept connections are closed: each one
// within keptSweep after its idle time.
const keptSweep = 10 * time.Second

func (kc *keptConns) add(k *kept) {
	kc.mu.Lock()
	if kc.m == nil {
		kc.m = make(map[*kept]struct{})
	}
	kc.m[k] = struct{}{}
	kc.mu.Unlock()
}

func (kc *keptConns) remove(k *kept) {
	kc.mu.Lock()
	delete(kc.m, k)
	kc.mu.Unlock()
}

// closeAll closes every kept connection: between two polls, a client
// loses nothing.
func (kc *keptConns) closeAll() { kc.closeIf(func(*kept) bool { return true }) }

// sweep closes the connections idle too long, every keptSweep, until stop.
func (kc *keptConns) sweep(stop <-chan struct{}) {
	t := time.NewTicker(keptSweep)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			kc.closeIf(func(k *kept) bool { return now.After(k.idleAt) })
		}
	}
}

func (kc *keptConns) closeIf(drop func(*kept) bool) {
	var out []*kept
	kc.mu.Lock()
	for k := range kc.m {
		if drop(k) {
			out = append(out, k)
		}
	}
	kc.mu.Unlock()
	for _, k := range out {
		k.close()
	}
}
