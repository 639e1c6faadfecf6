package polling

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
)

// Meter is told what each response carried, so the server can count it per
// transport and per client (it finds them in the request's context), and
// keeps counting a parked long poll's connection after its handler returned.
type Meter interface {
	Deliver(r *http.Request, updates int)
	Empty(r *http.Request)
	held.Meter
}

// Resumer gives the HTTP server back a connection that a parked long poll
// took over, once it is answered, so that its next request is served as
// usual (keep-alive goes on as if the poll had never left net/http) — or
// lets the poller keep it and serve its next request itself when that
// repeats the poll (see kept.go).
type Resumer interface {
	// CanResume reports whether r's connection can be taken over and
	// given back.
	CanResume(r *http.Request) bool
	// Head is r's request line and headers as they came on the wire, nil
	// when they were not kept whole.
	Head(r *http.Request) []byte
	// Resume serves c's next requests; it closes c when the server is
	// closing.
	Resume(c net.Conn) bool
	// Keep ends c's request and leaves its next one to the poller, which
	// may keep c waiting for it up to idle; false when the server wants c
	// back (it is closing, or full).
	Keep(c net.Conn) (idle time.Duration, ok bool)
	// Return gives a kept c back to the HTTP server, which reads read
	// first: what the poller read of a request it does not serve.
	Return(c net.Conn, read []byte) bool
}

// shutdownGrace is how long a shutdown lets parked polls' answers go out
// before it drops those stuck on a client that does not read; it keeps the
// whole shutdown within the server's 5 s.
const shutdownGrace = 3 * time.Second

// Poller serves the polling routes over one store.
type Poller struct {
	store     state.Store
	meter     Meter
	done      <-chan struct{} // closed at shutdown: held long polls answer at once
	resume    Resumer         // nil: long polls wait inside their handler
	writeWait time.Duration
	log       *slog.Logger

	parked *held.Set     // long polls waiting outside net/http
	watch  *held.Watcher // tells when a parked poll's client goes away
	kept   keptConns     // answered polls' connections, waiting for the next (kept.go)
	open   sync.WaitGroup
	busy   sync.WaitGroup // the writers and the watcher
	short  shortPolls     // freshness and micro-cache of short polls (cache.go)
}

// New returns a Poller over store. meter may be nil; done is closed when the
// server shuts down. With resume, a long poll with nothing to answer yet
// leaves net/http while it waits (see park.go); writeWait bounds each write
// of its answer.
func New(store state.Store, meter Meter, done <-chan struct{}, resume Resumer, writeWait time.Duration, log *slog.Logger) *Poller {
	if log == nil {
		log = slog.Default()
	}
	if writeWait <= 0 {
		writeWait = 10 * time.Second
	}
	p := &Poller{store: store, meter: meter, done: done, resume: resume, writeWait: writeWait, log: log}
	if resume != nil {
		p.parked = held.NewSet(store, done, &p.busy)
		p.watch = held.StartWatcher(&p.busy, true)
		p.busy.Add(1)
		go func() {
			defer p.busy.Done()
			p.kept.sweep(done)
		}()
	}
	return p
}

// Shutdown answers every parked long poll (204, and the connection closes)
// and waits for them and the poller's goroutines until ctx is done; done
// must be closed first.
func (p *Poller) Shutdown(ctx context.Context) error {
	if p.parked == nil {
		return nil
	}
	p.kept.closeAll()
	p.parked.Each(func(m held.Member) { m.Kick() })
	// An answer stuck on a client that does not read would hold the
	// shutdown for a whole write deadline: after a grace, drop whoever is left.
	grace, cancel := context.WithTimeout(ctx, shutdownGrace)
	defer cancel()
	if held.Wait(grace, &p.open) != nil {
		p.parked.Each(func(m held.Member) { m.(*parked).end() })
	}
	err := held.Wait(ctx, &p.open)
	p.watch.Stop()
	if werr := held.Wait(ctx, &p.busy); werr == nil {
		p.watch.Release()
	} else if err == nil {
		err = werr
	}
	return err
}

func (p *Poller) shuttingDown() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// The headers of a poll's answer, shared by every response: net/http keeps
// a handler's header values as they are, so one slice serves them all.
var (
	noStore  = []string{"no-store"}
	jsonType = []string{"application/json"}
)

// writeUpdates answers 200 {"v":latest,"updates":[...]} with each update's
// own bytes, so the data is byte for byte what the push transports send.
// The body is made once per update and version asked from (pollBody), for
// every long poll that asks the same.
func (p *Poller) writeUpdates(w http.ResponseWriter, r *http.Request, since uint64, ups []*state.Update) {
	b := pollBody(since, ups)
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Cache-Control"] = noStore
	h["Content-Length"] = b.length
	w.WriteHeader(http.StatusOK)
	w.Write(b.bytes)
	if p.meter != nil {
		p.meter.Deliver(r, len(ups))
	}
}

// writeEmpty answers 204: nothing after the client's version.
func (p *Poller) writeEmpty(w http.ResponseWriter, r *http.Request) {
	w.Header()["Cache-Control"] = noStore
	w.WriteHeader(http.StatusNoContent)
	if p.meter != nil {
		p.meter.Empty(r)
	}
}

// body is a poll's answer body and its length as a header value.
type body struct {
	bytes  []byte
	length []string
}

type bodyKey struct{ since uint64 }

// pollBody is the answer to "what is there after since", ups being that:
// {"v":latest,"updates":[...]}. It is memoised on the latest update, by
// since, so that all pollers waiting at one version share one encoding.
func pollBody(since uint64, ups []*state.Update) body {
	last := ups[len(ups)-1]
	if ups[0].Reset {
		since = ^uint64(0) // a snapshot answers every version it replaces alike
	}
	return last.Memo(bodyKey{since}, func(*state.Update) any {
		b := encodeUpdates(ups)
		return body{b, []string{strconv.Itoa(len(b))}}
	}).(body)
}
