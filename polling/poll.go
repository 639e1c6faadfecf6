package polling

import (
	"net/http"
	"time"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/state"
)

// ServePoll serves GET /api/poll?since=V[&wait=D]: the updates after V at
// once (short poll), or, with a wait, as soon as there are some or 204 when
// the wait passes (long poll).
func (p *Poller) ServePoll(w http.ResponseWriter, r *http.Request) {
	q, err := ParsePollQuery(r.URL.Query())
	if err != nil {
		apierror.Write(w, http.StatusBadRequest, err.Error())
		return
	}
	if q.Wait == 0 {
		p.answerShort(w, r, q)
		return
	}
	p.hold(w, r, q)
}

// answer replies with what is there now.
func (p *Poller) answer(w http.ResponseWriter, r *http.Request, q PollQuery) {
	from := q.Since
	if !q.HaveSince {
		from = ^uint64(0) // holds nothing: the store answers with a snapshot
	}
	if ups := state.Since(p.store, from); len(ups) > 0 {
		p.writeUpdates(w, r, from, ups)
		return
	}
	p.writeEmpty(w, r)
}

// parkAfter is how long a long poll waits in its handler before it is
// parked (see park.go). Parking frees a waiting poll's memory (27 KiB to
// about 1.5), but costs CPU at the answer: net/http takes the connection
// back as a new one for the next request. A poll answered within parkAfter
// (the live state changes at least that often) never pays it; an idle one,
// whose memory is the cost, does.
const parkAfter = 2 * time.Second

// hold is the long poll: it waits on the store's broadcast until there is
// something after q.Since, the wait passes, the client goes away or the
// server shuts down. A poll still waiting after parkAfter is parked: it
// leaves net/http, which frees the handler's goroutine, net/http's
// background reader and their buffers; where its connection cannot leave
// (TLS, HTTP/2), it goes on waiting here.
func (p *Poller) hold(w http.ResponseWriter, r *http.Request, q PollQuery) {
	if !q.HaveSince || p.store.Latest() != q.Since {
		p.answer(w, r, q)
		return
	}
	// The server's WriteTimeout would cut a long wait; this one is ours.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(q.Wait + 10*time.Second))
	start := time.Now()
	timer := time.NewTimer(q.Wait)
	defer timer.Stop()
	var park <-chan time.Time
	if p.parked != nil && q.Wait > parkAfter {
		t := time.NewTimer(parkAfter)
		defer t.Stop()
		park = t.C
	}
	for {
		changed := p.store.Changed()
		if p.store.Latest() != q.Since {
			p.answer(w, r, q)
			return
		}
		select {
		case <-changed:
		case <-park:
			rest := q
			rest.Wait -= time.Since(start)
			if p.park(w, r, rest) {
				return
			}
		case <-timer.C:
			p.writeEmpty(w, r)
			return
		case <-r.Context().Done():
			// The client is gone. Returning would make net/http write an
			// empty 200 to a closed socket; aborting writes nothing.
			panic(http.ErrAbortHandler)
		case <-p.done:
			p.writeEmpty(w, r)
			return
		}
	}
}
