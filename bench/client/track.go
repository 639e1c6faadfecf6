package client

import "time"

// Arrival is one update a client received: it moved from holding version
// From to holding V at time At (Unix ns, the client's clock); T is V's
// publish time (Unix ns, the server's clock). Versions between From and V
// that it did not receive were coalesced.
type Arrival struct {
	From, V  uint64
	At, T    int64
	Chat     bool
	Snapshot bool // the whole state at V, not update V itself
}

// Track is what a client received: the version it held at the end and each
// step that brought it there. It is complete once the client has stopped.
type Track struct {
	Held     uint64
	Arrivals []Arrival
}

// Track returns what the client received; call it after Run has returned.
func (c *Client) Track() Track { return Track{Held: c.track.held, Arrivals: c.track.arrivals} }

// tracker is one client's record of what it holds. Only the client's
// reading goroutine writes to it.
type tracker struct {
	held     uint64
	joined   bool // has received the state (a snapshot, maybe of version 0)
	arrivals []Arrival
	run      *Group
}

// receive notes update u read at time at, and reports whether it was new
// to the client (an older or repeated version changes nothing).
func (tr *tracker) receive(u Update, at time.Time) bool {
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
		tr.arrivals = append(tr.arrivals, Arrival{From: tr.held, V: u.V, At: at.UnixNano(), T: u.T,
			Chat: u.Kind == "chat", Snapshot: u.Kind == "snapshot"})
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

// received records one update's bytes as read at time at.
func (c *Client) received(raw []byte, at time.Time) {
	u, err := ParseUpdate(raw)
	if err != nil {
		c.n.errors.Add(1)
		return
	}
	c.n.updates.Add(1)
	c.n.payload.Add(int64(len(raw)))
	c.track.receive(u, at)
}
