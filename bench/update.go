package bench

import (
	"bytes"
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

// parseUpdate reads an update's version, time, kind and reset flag.
func parseUpdate(b []byte) (update, error) {
	if u, ok := scanUpdate(b); ok {
		return u, nil
	}
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
	from, v  uint64
	at, t    int64
	chat     bool
	snapshot bool // the whole state at v, not update v itself
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
	hush       hush         // holds back polls and publishes while the window's edges are read
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
		tr.arrivals = append(tr.arrivals, arrival{from: tr.held, v: u.V, at: at.UnixNano(), t: u.T,
			chat: u.Kind == "chat", snapshot: u.Kind == "snapshot"})
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

// scanUpdate reads the fields from the front of an update as the server
// writes it, {"v":N,"t":N,"kind":"K"[,"reset":true],"data":...}, without
// decoding data: at 10,000 clients the harness would otherwise spend most
// of its CPU decoding payloads it does not look at. Anything else is left
// to encoding/json (ok false).
func scanUpdate(b []byte) (u update, ok bool) {
	var v, t uint64
	if b, ok = cutPrefix(b, `{"v":`); !ok {
		return u, false
	}
	if v, b, ok = scanUint(b); !ok {
		return u, false
	}
	if b, ok = cutPrefix(b, `,"t":`); !ok {
		return u, false
	}
	if t, b, ok = scanUint(b); !ok {
		return u, false
	}
	if b, ok = cutPrefix(b, `,"kind":"`); !ok {
		return u, false
	}
	i := bytes.IndexByte(b, '"')
	if i < 0 || bytes.IndexByte(b[:i], '\\') >= 0 {
		return u, false
	}
	u.Kind, b = string(b[:i]), b[i+1:]
	if rest, isReset := cutPrefix(b, `,"reset":true`); isReset {
		u.Reset, b = true, rest
	}
	if _, ok = cutPrefix(b, `,"data":`); !ok || b[len(b)-1] != '}' || v == 0 && u.Kind != "snapshot" {
		return u, false
	}
	u.V, u.T = v, int64(t)
	return u, true
}

func cutPrefix(b []byte, p string) ([]byte, bool) {
	if len(b) < len(p) || string(b[:len(p)]) != p {
		return b, false
	}
	return b[len(p):], true
}

// scanUint reads a decimal number of up to 19 digits (no overflow).
func scanUint(b []byte) (uint64, []byte, bool) {
	var n uint64
	i := 0
	for i < len(b) && i < 19 && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + uint64(b[i]-'0')
		i++
	}
	return n, b[i:], i > 0 && i < len(b) && (b[i] < '0' || b[i] > '9')
}
