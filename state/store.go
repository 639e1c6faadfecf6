package state

import (
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Store is the live state as transports see it. The in-memory Memory is
// one implementation; a broker-backed store (NATS JetStream, whose stream
// sequence can serve as the version) can stand in without the transports
// changing.
type Store interface {
	// Publish appends an update of the given kind and returns it.
	Publish(kind string, data json.RawMessage) (*Update, error)
	// AppendSince appends the updates after version v to dst, in order, and
	// returns the extended slice. When v is older than the retained log (or
	// newer than the latest, as after a restart) it appends one snapshot
	// with Reset set instead. A connection that reuses dst costs no
	// allocation per update.
	AppendSince(dst []*Update, v uint64) []*Update
	// Latest returns the latest version (0 before the first update).
	Latest() uint64
	// Snapshot returns the whole state at the latest version.
	Snapshot() *Update
	// Changed returns a channel that is closed at the next publish. Take it
	// before calling AppendSince (or Latest), then wait on it, and no update
	// is ever missed.
	Changed() <-chan struct{}
}

// DefaultRetain is how many updates the store keeps for catching up.
const DefaultRetain = 1024

// chatInSnapshot is how many recent chat updates a snapshot carries.
const chatInSnapshot = 20

// ErrBadKind is returned for a publish of a kind clients may not publish.
var ErrBadKind = errors.New("kind must be tick or chat")

// ErrBadData is returned when data is not valid JSON.
var ErrBadData = errors.New("data must be valid JSON")

// Memory is a Store held in this process: a ring of the last N updates and
// the state they add up to.
type Memory struct {
	mu      sync.RWMutex
	ring    []*Update // ring[v % len(ring)]
	latest  uint64
	changed chan struct{}
	now     func() time.Time

	lastTick json.RawMessage
	chats    []json.RawMessage // the most recent chat data, oldest first
	snap     *Update           // the last snapshot made, kept while its version is the latest
}

// NewMemory returns an empty store that retains the last retain updates.
func NewMemory(retain int) *Memory {
	if retain <= 0 {
		retain = DefaultRetain
	}
	return &Memory{
		ring:    make([]*Update, retain),
		changed: make(chan struct{}),
		now:     time.Now,
	}
}

// Publish implements Store.
func (m *Memory) Publish(kind string, data json.RawMessage) (*Update, error) {
	if kind != KindTick && kind != KindChat {
		return nil, ErrBadKind
	}
	if !json.Valid(data) {
		return nil, ErrBadData
	}
	data = append(json.RawMessage(nil), data...)

	m.mu.Lock()
	m.latest++
	u := newUpdate(m.latest, m.now().UnixNano(), kind, false, data)
	m.ring[u.V%uint64(len(m.ring))] = u
	if kind == KindTick {
		m.lastTick = data
	} else {
		m.chats = append(m.chats, data)
		if len(m.chats) > chatInSnapshot {
			m.chats = m.chats[len(m.chats)-chatInSnapshot:]
		}
	}
	ch := m.changed
	m.changed = make(chan struct{})
	m.mu.Unlock()

	// One close wakes every waiter: no per-waiter work here.
	close(ch)
	return u, nil
}

// Changed implements Store.
func (m *Memory) Changed() <-chan struct{} {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.changed
}

// Latest implements Store.
func (m *Memory) Latest() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.latest
}

// Since returns the updates after version v (see Store.AppendSince).
func Since(s Store, v uint64) []*Update { return s.AppendSince(nil, v) }

// AppendSince implements Store.
func (m *Memory) AppendSince(dst []*Update, v uint64) []*Update {
	m.mu.RLock()
	latest := m.latest
	if v == latest {
		m.mu.RUnlock()
		return dst
	}
	if v > latest || v+1 < m.oldestLocked() {
		m.mu.RUnlock()
		return append(dst, m.Snapshot())
	}
	for x := v + 1; x <= latest; x++ {
		dst = append(dst, m.ring[x%uint64(len(m.ring))])
	}
	m.mu.RUnlock()
	return dst
}

// oldestLocked is the oldest version still in the ring.
func (m *Memory) oldestLocked() uint64 {
	n := uint64(len(m.ring))
	if m.latest < n {
		return 1
	}
	return m.latest - n + 1
}

// snapshotData is the shape of a snapshot's data.
type snapshotData struct {
	Tick json.RawMessage   `json:"tick"`
	Chat []json.RawMessage `json:"chat"`
}

// Snapshot implements Store. The snapshot carries the latest version and
// its publish time, so a client that applies it holds that version.
func (m *Memory) Snapshot() *Update {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap != nil && m.snap.V == m.latest {
		return m.snap
	}
	d := snapshotData{Tick: m.lastTick, Chat: m.chats}
	if d.Tick == nil {
		d.Tick = json.RawMessage("null")
	}
	if d.Chat == nil {
		d.Chat = []json.RawMessage{}
	}
	data, _ := json.Marshal(d) // RawMessages already valid: cannot fail
	t := m.now().UnixNano()
	if u := m.ring[m.latest%uint64(len(m.ring))]; u != nil && m.latest > 0 {
		t = u.T
	}
	m.snap = newUpdate(m.latest, t, KindSnapshot, true, data)
	return m.snap
}
