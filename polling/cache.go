package polling

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/state"
)

// Short polling at its best, as a real polling API would serve it: every
// answer says when the next update is due (Cache-Control: max-age and
// Expires, from the generator's schedule), so a client that honours them
// asks just after it instead of blindly; and every poll of one version
// gets the same bytes, encoded once (micro-caching, as a reverse proxy in
// front of the API would do).

// Schedule is when the next update is due: the generator's ticks. ok is
// false when updates are not periodic (rate 0), and nobody can say.
type Schedule interface {
	NextTick() (due time.Time, period time.Duration, ok bool)
}

// publishSlack is how late a tick may be published after its due time on
// a busy machine (the ticker's goroutine waits its turn for a core).
// Expires lies at least this far after the due time.
const publishSlack = 50 * time.Millisecond

// maxCachedBytes bounds the encoded answers kept for the latest version: a
// client far behind gets a long answer, and a few thousand of them must not
// grow the server's memory without bound.
const maxCachedBytes = 4 << 20

// shortPolls is what short polls share: the schedule their answers
// announce and the encoded answers for the latest version.
type shortPolls struct {
	schedule atomic.Pointer[Schedule]
	cache    answerCache
}

// FollowSchedule makes short-poll answers say when the next update of s is
// due. Without a schedule they say no-cache.
func (p *Poller) FollowSchedule(s Schedule) { p.short.schedule.Store(&s) }

// answerShort answers a short poll from the micro-cache, with the
// freshness the schedule gives: 200 with the updates after the client's
// version, or 204 when it holds the latest.
func (p *Poller) answerShort(w http.ResponseWriter, r *http.Request, q PollQuery) {
	from := q.Since
	if !q.HaveSince {
		from = ^uint64(0) // holds nothing: the store answers with a snapshot
	}
	now := time.Now()
	a := p.short.cache.answer(p.store, from)
	h := w.Header()
	var s Schedule
	if sp := p.short.schedule.Load(); sp != nil {
		s = *sp
	}
	setFreshness(h, s, now)
	if a.body == nil {
		w.WriteHeader(http.StatusNoContent)
		if p.meter != nil {
			p.meter.Empty(r)
		}
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	w.Write(a.body)
	if p.meter != nil {
		p.meter.Deliver(r, a.updates)
	}
}

// setFreshness says how long the answer given at now stays current: until
// the next tick is due, in HTTP's whole seconds.
//
// Rounding is always up, to the next whole second after the due time plus
// publishSlack: a client that asks at Expires then finds the update already
// published, which is the point of asking then. Rounding down would send
// it back before the update exists, for an empty answer. The price is up
// to a second of extra wait (half a second on average) on top of the
// slack: HTTP cannot say anything finer.
//
// Date is written from the same clock reading, truncated to the second as
// HTTP dates are, so that Date + max-age = Expires: a cache that ages the
// answer from Date (RFC 9111 §4.2.3) and one that reads Expires agree.
// Without a schedule (no periodic updates) the answer is no-cache: it may
// be kept, but must be asked for again.
func setFreshness(h http.Header, s Schedule, now time.Time) {
	var (
		due time.Time
		ok  bool
	)
	if s != nil {
		due, _, ok = s.NextTick()
	}
	if !ok {
		h.Set("Cache-Control", "no-cache")
		return
	}
	date := now.Truncate(time.Second)
	expires := ceilSecond(due.Add(publishSlack))
	if expires.Before(date) { // the tick is late: ask again now
		expires = date
	}
	h.Set("Date", date.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "max-age="+strconv.FormatInt(int64(expires.Sub(date)/time.Second), 10))
	h.Set("Expires", expires.UTC().Format(http.TimeFormat))
}

// ceilSecond rounds t up to a whole second.
func ceilSecond(t time.Time) time.Time {
	if s := t.Truncate(time.Second); !s.Equal(t) {
		return s.Add(time.Second)
	}
	return t
}

// answer is an encoded short-poll answer: its body (nil for none, 204) and
// how many updates it carries.
type answer struct {
	body    []byte
	updates int
}

// answerCache holds the encoded answers for the latest version, one per
// version a client may hold; a publish makes them all stale at once. The
// answer to a poll is a function of the version it holds and the latest
// (updates are immutable once published, snapshots are cached by version),
// so serving it again is serving the same bytes.
type answerCache struct {
	mu      sync.Mutex
	latest  uint64
	answers map[uint64]answer // by the version the poll holds (^0: none)
	size    int               // bytes of bodies held

	encoded, reused atomic.Int64
}

// answer returns the answer to a poll holding version from.
func (c *answerCache) answer(store state.Store, from uint64) answer {
	latest := store.Latest()
	c.mu.Lock()
	if a, ok := c.answers[from]; ok && c.latest == latest {
		c.mu.Unlock()
		c.reused.Add(1)
		return a
	}
	c.mu.Unlock()

	ups := state.Since(store, from)
	if len(ups) == 0 {
		return answer{}
	}
	a := answer{body: encodeUpdates(ups), updates: len(ups)}
	c.encoded.Add(1)
	// A publish between Latest and Since makes the answer newer than
	// latest: it is filed under the version it really carries.
	last := ups[len(ups)-1].V
	c.mu.Lock()
	defer c.mu.Unlock()
	if last > c.latest || c.answers == nil {
		c.latest, c.answers, c.size = last, map[uint64]answer{}, 0
	}
	if last == c.latest && c.size+len(a.body) <= maxCachedBytes {
		c.answers[from] = a
		c.size += len(a.body)
	}
	return a
}

// Encodes reports how many short-poll answers were encoded and how many
// were served again from the cache.
func (p *Poller) Encodes() (encoded, reused int64) {
	return p.short.cache.encoded.Load(), p.short.cache.reused.Load()
}

// encodeUpdates is a poll's 200 body, {"v":latest,"updates":[...]}, with
// each update's own bytes, so the data is byte for byte what the push
// transports send.
func encodeUpdates(ups []*state.Update) []byte {
	n := 32
	for _, u := range ups {
		n += len(u.Raw) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"v":`...)
	b = strconv.AppendUint(b, ups[len(ups)-1].V, 10)
	b = append(b, `,"updates":[`...)
	for i, u := range ups {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, u.Raw...)
	}
	return append(b, "]}"...)
}
