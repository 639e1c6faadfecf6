package held

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/state"
)

// idleCheck is how often the writers walk their shard when nothing is
// published, for members with something due by the clock (a keepalive, a
// long poll's end).
const idleCheck = time.Second

// Member is what a Set holds: a client with its connection. The writers ask
// each member whether something is due and, if so, kick it.
type Member interface {
	// Due reports, cheaply and from any goroutine, whether the member has
	// something to write: latest is the store's latest version, now the
	// walk's time in Unix nanoseconds.
	Due(latest uint64, now int64) bool
	// Kick writes what is due from the calling writer, never waiting on
	// the member's socket.
	Kick()
}

// Slot is a member's place in its Set; the member keeps it for Remove.
type Slot struct {
	shard *shard
	i     int // index in shard.members, under shard.mu; -1 once removed
}

// Set is one transport's held connections, split into one shard per core.
// Each shard has one writer goroutine, which walks it whenever the store
// changes (and every idleCheck) and kicks the members that have something
// due: an update reaches a shard's members from one goroutine, with no
// goroutine woken per member, and an idle member costs no goroutine at all.
type Set struct {
	shards []*shard
	next   atomic.Uint32
}

type shard struct {
	mu      sync.Mutex
	members []entry
	walk    []Member // the writer's copy, reused
}

type entry struct {
	m    Member
	slot *Slot
}

// NewSet starts a set's writers over store; they stop when stop is closed,
// and wg counts them.
func NewSet(store state.Store, stop <-chan struct{}, wg *sync.WaitGroup) *Set {
	s := &Set{shards: make([]*shard, runtime.GOMAXPROCS(0))}
	for i := range s.shards {
		s.shards[i] = &shard{}
		wg.Add(1)
		go func(sh *shard) {
			defer wg.Done()
			sh.write(store, stop)
		}(s.shards[i])
	}
	return s
}

// Add puts m into the next shard, round robin; slot is m's to keep.
func (s *Set) Add(m Member, slot *Slot) {
	sh := s.shards[int(s.next.Add(1))%len(s.shards)]
	sh.mu.Lock()
	slot.shard, slot.i = sh, len(sh.members)
	sh.members = append(sh.members, entry{m, slot})
	sh.mu.Unlock()
}

// Remove takes the member at slot out of its set; it may be called more
// than once, and for a slot never added.
func Remove(slot *Slot) {
	sh := slot.shard
	if sh == nil {
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i, last := slot.i, len(sh.members)-1
	if i < 0 || i > last || sh.members[i].slot != slot {
		return
	}
	sh.members[i] = sh.members[last]
	sh.members[i].slot.i = i
	sh.members[last] = entry{}
	sh.members = sh.members[:last]
	slot.i = -1
}

// Each calls fn for every member of the set.
func (s *Set) Each(fn func(Member)) {
	for _, sh := range s.shards {
		sh.mu.Lock()
		ms := make([]Member, len(sh.members))
		for i, e := range sh.members {
			ms[i] = e.m
		}
		sh.mu.Unlock()
		for _, m := range ms {
			fn(m)
		}
	}
}

// Len is how many members the set holds.
func (s *Set) Len() int {
	n := 0
	for _, sh := range s.shards {
		sh.mu.Lock()
		n += len(sh.members)
		sh.mu.Unlock()
	}
	return n
}

// write is a shard's writer.
func (sh *shard) write(store state.Store, stop <-chan struct{}) {
	tick := time.NewTicker(idleCheck)
	defer tick.Stop()
	for {
		changed := store.Changed() // taken before the walk: no publish is missed
		sh.mu.Lock()
		for _, e := range sh.members {
			sh.walk = append(sh.walk, e.m)
		}
		sh.mu.Unlock()
		latest, now := store.Latest(), time.Now().UnixNano()
		for _, m := range sh.walk {
			if m.Due(latest, now) {
				m.Kick()
			}
		}
		clear(sh.walk) // ended members are not kept alive by the copy
		sh.walk = sh.walk[:0]
		select {
		case <-changed:
		case <-tick.C:
		case <-stop:
			return
		}
	}
}
