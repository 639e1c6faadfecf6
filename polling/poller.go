package polling

import (
	"net/http"
	"strconv"

	"github.com/pushlab/pushlab/state"
)

// Meter is told what each response carried, so the server can count it per
// transport and per client (it finds them in the request's context).
type Meter interface {
	Deliver(r *http.Request, updates int)
	Empty(r *http.Request)
}

// Poller serves the polling routes over one store.
type Poller struct {
	store state.Store
	meter Meter
	// done is closed at shutdown: held long polls answer at once.
	done  <-chan struct{}
	short shortPolls // freshness and micro-cache of short polls (cache.go)
}

// New returns a Poller over store. meter may be nil; done is closed when the
// server shuts down.
func New(store state.Store, meter Meter, done <-chan struct{}) *Poller {
	return &Poller{store: store, meter: meter, done: done}
}

// writeUpdates answers 200 {"v":latest,"updates":[...]} with each update's
// own bytes, so the data is byte for byte what the push transports send.
func (p *Poller) writeUpdates(w http.ResponseWriter, r *http.Request, ups []*state.Update) {
	b := encodeUpdates(ups)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	if p.meter != nil {
		p.meter.Deliver(r, len(ups))
	}
}

// writeEmpty answers 204: nothing after the client's version.
func (p *Poller) writeEmpty(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	if p.meter != nil {
		p.meter.Empty(r)
	}
}
