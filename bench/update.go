package bench

import (
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"
)

// update is what the harness reads of each update: enough to place it.
type update struct {
	V     uint64 `json:"v"`
	T     int64  `json:"t"`
	Kind  string `json:"kind"`
	Reset bool   `json:"reset"`
}

var errNoVersion = errors.New("update without a version")

func parseUpdate(b []byte) (update, error) {
	var u update
	if err := json.Unmarshal(b, &u); err != nil {
		return u, err
	}
	if u.V == 0 && u.Kind != "snapshot" { // the state before any update is snapshot 0
		return u, errNoVersion
	}
	return u, nil
}

// arrival is one update a client received: it moved from holding version
// from to holding v at time at (Unix ns, the client's clock). Versions
// between from and v that it did not receive were coalesced.
type arrival struct {
	from, v uint64
	at, t   int64
	chat    bool
}

// tracker is one client's record of what it holds. Only the client's
// reading goroutine writes to it; it is read after the client has stopped.
type tracker struct {
	held     uint64
	joined   bool // has received the state (a snapshot, maybe of version 0)
	arrivals []arrival
	run      *runState
}

// runState is what all clients of one run share: where recording starts and
// the highest version anyone has seen (to choose that start).
type runState struct {
	recordFrom atomic.Uint64 // record arrivals of versions above this
	maxSeen    atomic.Uint64
	lastTick   atomic.Int64 // publish time of the latest tick seen, Unix ns
	ready      atomic.Int64 // clients that hold some version
}

func newRunState() *runState {
	r := &runState{}
	r.recordFrom.Store(^uint64(0)) // nothing until the window opens
	return r
}

// receive notes update u read at time at, and reports whether it was new
// to the client (an older or repeated version changes nothing).
func (tr *tracker) receive(u update, at time.Time) bool {
	if !tr.joined {
		tr.joined = true
		tr.run.ready.Add(1)
	}
	if u.V <= tr.held && !(u.Reset && u.V < tr.held) {
		return false
	}
	// A reset snapshot older than what we hold means the server started
	// again; take it as the new state without recording a step back.
	if u.V > tr.held && u.V > tr.run.recordFrom.Load() {
		tr.arrivals = append(tr.arrivals, arrival{from: tr.held, v: u.V, at: at.UnixNano(), t: u.T, chat: u.Kind == "chat"})
	}
	tr.held = u.V
	if u.Kind == "tick" && u.T > tr.run.lastTick.Load() {
		tr.run.lastTick.Store(u.T)
	}
	for {
		m := tr.run.maxSeen.Load()
		if u.V <= m || tr.run.maxSeen.CompareAndSwap(m, u.V) {
			break
		}
	}
	return true
}
