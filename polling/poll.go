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

// hold is the long poll: it waits until there is something after q.Since,
// the wait passes, the client goes away or the server shuts down. It is
// parked (park.go) at once: it leaves net/http, which frees the handler's
// goroutine, net/http's background reader and their buffers, and its
// connection then serves the client's next polls outside net/http too
// (kept.go). Where its connection cannot leave (TLS, HTTP/2, a compressed
// answer), it waits here, on the store's broadcast.
func (p *Poller) hold(w http.ResponseWriter, r *http.Request, q PollQuery) {
	if !q.HaveSince || p.store.Latest() != q.Since {
		p.answer(w, r, q)
		return
	}
	if p.park(w, r, q) {
		return
	}
	// The server's WriteTimeout would cut a long wait; this one is ours.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(q.Wait + 10*time.Second))
	timer := time.NewTimer(q.Wait)
	defer timer.Stop()
	for {
		changed := p.store.Changed()
		if p.store.Latest() != q.Since {
			p.answer(w, r, q)
			return
		}
		select {
		case <-changed:
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
