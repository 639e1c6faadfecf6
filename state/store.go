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

// ErrUnavailable is returned by a publish that the store could not carry
// out now (its broker is unreachable): nothing was published, and the same
// publish may be tried again later.
var ErrUnavailable = errors.New("live state unavailable: the broker cannot be reached; nothing was published")

// ErrStaleVersion is returned by Apply for a version not above the latest.
var ErrStaleVersion = errors.New("version is not above the latest")

// Memory is a Store held in this process: a ring of the last N updates and
// the state they add up to. It numbers its own updates (Publish), or takes
// versions decided elsewhere, such as a broker's sequence (Apply).
type Memory struct {
	mu      sync.RWMutex
	ring    []*Update // ring[v % len(ring)]; nil for a version that holds no update
	first   uint64    // the oldest version this store has held (0: none yet)
	latest  uint64    // the latest update; a skipped version never is
	changed chan struct{}
	now     func() time.Time
	// mirror: the snapshot is made from the retained window alone, so that
	// stores fed the same log agree byte for byte however long each has run.
	mirror bool

	lastTick  json.RawMessage
	lastTickV uint64
	chats     []chatEntry // the most recent chats, oldest first
	snap      *Update     // the last snapshot made, kept while its version is the latest
}

// chatEntry is one chat's data in the snapshot, with its version so that a
// mirror can drop it when it leaves the window.
type chatEntry struct {
	v    uint64
	data json.RawMessage
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

// NewMirror returns an empty store to be fed through Apply from a shared
// log (a broker's stream). Its snapshot holds only what the retained window
// holds: the last tick and the last chats of the last retain versions. Two
// mirrors of one log with the same retain then serve the same bytes, even
// when one of them started after older messages had left the log.
func NewMirror(retain int) *Memory {
	m := NewMemory(retain)
	m.mirror = true
	return m
}

// CheckUpdate says why an update of kind with data cannot be published, if
// it cannot: a kind clients may not publish, or data that is not JSON.
func CheckUpdate(kind string, data json.RawMessage) error {
	if kind != KindTick && kind != KindChat {
		return ErrBadKind
	}
	if !json.Valid(data) {
		return ErrBadData
	}
	return nil
}

// Publish implements Store: the update gets the next version and this
// process's clock.
func (m *Memory) Publish(kind string, data json.RawMessage) (*Update, error) {
	if err := CheckUpdate(kind, data); err != nil {
		return nil, err
	}
	data = append(json.RawMessage(nil), data...)
	m.mu.Lock()
	u := m.addLocked(m.latest+1, m.now().UnixNano(), kind, data)
	ch := m.wakeLocked()
	m.mu.Unlock()
	close(ch) // one close wakes every waiter: no per-waiter work here
	return u, nil
}

// Apply stores an update whose version and publish time were decided
// elsewhere (a broker's sequence, the publisher's clock), so that every
// store fed the same log holds the same bytes. v must be above Latest;
// versions between Latest and v hold no update and are never sent.
func (m *Memory) Apply(v uint64, t int64, kind string, data json.RawMessage) (*Update, error) {
	if err := CheckUpdate(kind, data); err != nil {
		return nil, err
	}
	data = append(json.RawMessage(nil), data...)
	m.mu.Lock()
	if v <= m.latest {
		m.mu.Unlock()
		return nil, ErrStaleVersion
	}
	u := m.addLocked(v, t, kind, data)
	ch := m.wakeLocked()
	m.mu.Unlock()
	close(ch)
	return u, nil
}

// Skip records that version v exists in the log but holds no update of
// ours. It only matters before the first update: a client that holds the
// version just before v is then still exact here.
func (m *Memory) Skip(v uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.first == 0 && v > m.latest {
		m.first = v
	}
}

// addLocked puts update v in the ring, clearing the slots of versions
// skipped since the latest, and folds it into the snapshot's state.
func (m *Memory) addLocked(v uint64, t int64, kind string, data json.RawMessage) *Update {
	n := uint64(len(m.ring))
	if m.first == 0 {
		m.first = v
	}
	for x := max(m.latest+1, v-min(v, n)+1); x < v; x++ {
		m.ring[x%n] = nil
	}
	u := newUpdate(v, t, kind, false, data)
	m.ring[v%n] = u
	m.latest = v
	if kind == KindTick {
		m.lastTick, m.lastTickV = data, v
	} else {
		m.chats = append(m.chats, chatEntry{v, data})
		if len(m.chats) > chatInSnapshot {
			m.chats = m.chats[len(m.chats)-chatInSnapshot:]
		}
	}
	if m.mirror {
		oldest := m.oldestLocked()
		if m.lastTickV < oldest {
			m.lastTick, m.lastTickV = nil, 0
		}
		for len(m.chats) > 0 && m.chats[0].v < oldest {
			m.chats = m.chats[1:]
		}
	}
	return u
}

// wakeLocked swaps the changed channel and returns the old one to close
// once the lock is released.
func (m *Memory) wakeLocked() chan struct{} {
	ch := m.changed
	m.changed = make(chan struct{})
	return ch
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

// AppendSince implements Store. Skipped versions are passed over.
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
		if u := m.ring[x%uint64(len(m.ring))]; u != nil {
			dst = append(dst, u)
		}
	}
	m.mu.RUnlock()
	return dst
}

// oldestLocked is the oldest version still in the ring: the last len(ring)
// versions, none before the first this store held.
func (m *Memory) oldestLocked() uint64 {
	oldest := max(m.first, 1)
	if n := uint64(len(m.ring)); m.latest >= n {
		oldest = max(oldest, m.latest-n+1)
	}
	return oldest
}

// snapshotData is the shape of a snapshot's data.
type snapshotData struct {
	Tick json.RawMessage   `json:"tick"`
	Chat []json.RawMessage `json:"chat"`
}

// chatData is the data of the chats a snapshot carries, oldest first.
func (m *Memory) chatData() []json.RawMessage {
	out := make([]json.RawMessage, len(m.chats))
	for i, c := range m.chats {
		out[i] = c.data
	}
	return out
}

// Snapshot implements Store. The snapshot carries the latest version and
// its publish time, so a client that applies it holds that version.
func (m *Memory) Snapshot() *Update {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap != nil && m.snap.V == m.latest {
		return m.snap
	}
	d := snapshotData{Tick: m.lastTick, Chat: m.chatData()}
	if d.Tick == nil {
		d.Tick = json.RawMessage("null")
	}
	data, _ := json.Marshal(d) // RawMessages already valid: cannot fail
	t := m.now().UnixNano()
	if u := m.ring[m.latest%uint64(len(m.ring))]; u != nil && m.latest > 0 {
		t = u.T
	}
	m.snap = newUpdate(m.latest, t, KindSnapshot, true, data)
	return m.snap
}
