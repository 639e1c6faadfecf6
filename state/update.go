package state

import (
	"encoding/json"
	"strconv"
	"sync"
)

// Kinds of update.
const (
	KindTick     = "tick"     // published by the generator
	KindChat     = "chat"     // published by a client
	KindSnapshot = "snapshot" // the whole state, sent when a client is too far behind
)

// Update is one change of the live state. Raw is its JSON encoding, made
// once at publish time; every transport sends those same bytes.
type Update struct {
	V     uint64          // version, +1 per update
	T     int64           // publish time, Unix nanoseconds, server clock
	Kind  string          // KindTick, KindChat or KindSnapshot
	Reset bool            // a snapshot that replaces what the client held
	Data  json.RawMessage // the payload as published
	Raw   []byte          // {"v":..,"t":..,"kind":..,"data":..}

	memoMu sync.Mutex
	memo   []memoEntry
}

type memoEntry struct {
	key any
	val any
}

// NewUpdate builds update v of kind (tick or chat) as a store would, with
// its one JSON encoding: for a store that learns the version of an update
// it published only from elsewhere (a broker's acknowledgement).
func NewUpdate(v uint64, t int64, kind string, data json.RawMessage) *Update {
	return newUpdate(v, t, kind, false, data)
}

// newUpdate builds an update and its one JSON encoding. Data must already be
// valid JSON; it is copied in verbatim so that every transport carries the
// same bytes.
func newUpdate(v uint64, t int64, kind string, reset bool, data json.RawMessage) *Update {
	b := make([]byte, 0, 64+len(data))
	b = append(b, `{"v":`...)
	b = strconv.AppendUint(b, v, 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, t, 10)
	b = append(b, `,"kind":`...)
	b = strconv.AppendQuote(b, kind)
	if reset {
		b = append(b, `,"reset":true`...)
	}
	b = append(b, `,"data":`...)
	b = append(b, data...)
	b = append(b, '}')
	return &Update{V: v, T: t, Kind: kind, Reset: reset, Data: data, Raw: b}
}

// Memo returns the value cached under key for this update, making it with
// mk the first time. Transports use it to frame an update once for all their
// connections (a WebSocket PreparedMessage, an SSE event) without this
// package knowing about them. Keys should be unexported types of the caller.
func (u *Update) Memo(key any, mk func(*Update) any) any {
	u.memoMu.Lock()
	defer u.memoMu.Unlock()
	for _, e := range u.memo {
		if e.key == key {
			return e.val
		}
	}
	v := mk(u)
	u.memo = append(u.memo, memoEntry{key, v})
	return v
}
