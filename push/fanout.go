package push

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// keepaliveCheck is how often the writers look for connections owed a
// keepalive when nothing is published.
const keepaliveCheck = time.Second

// fanout is one transport's subscribers, split into one shard per core. Each
// shard has one writer goroutine, which walks it whenever the store changes
// and writes each subscriber what it lacks, so that an update reaches a
// shard's subscribers from one goroutine with no goroutine woken per
// subscriber, and an idle subscriber costs no goroutine at all.
type fanout struct {
	hub    *Hub
	shards []*shard
	next   atomic.Uint32
}

// shard is the subscribers one writer walks.
type shard struct {
	mu   sync.Mutex
	subs []*subscriber
	walk []*subscriber // the writer's copy of subs, reused
}

func newFanout(h *Hub) *fanout {
	f := &fanout{hub: h, shards: make([]*shard, runtime.GOMAXPROCS(0))}
	for i := range f.shards {
		f.shards[i] = &shard{}
		h.busy.Add(1)
		go f.write(f.shards[i])
	}
	return f
}

// add gives s to the next shard, round robin.
func (f *fanout) add(s *subscriber) {
	sh := f.shards[int(f.next.Add(1))%len(f.shards)]
	sh.mu.Lock()
	s.shard, s.slot = sh, len(sh.subs)
	sh.subs = append(sh.subs, s)
	sh.mu.Unlock()
}

func (sh *shard) remove(s *subscriber) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i, last := s.slot, len(sh.subs)-1
	if i < 0 || i > last || sh.subs[i] != s {
		return
	}
	sh.subs[i] = sh.subs[last]
	sh.subs[i].slot = i
	sh.subs[last] = nil
	sh.subs = sh.subs[:last]
	s.slot = -1
}

// each calls f for every subscriber of the fanout.
func (f *fanout) each(fn func(*subscriber)) {
	for _, sh := range f.shards {
		sh.mu.Lock()
		subs := append([]*subscriber(nil), sh.subs...)
		sh.mu.Unlock()
		for _, s := range subs {
			fn(s)
		}
	}
}

// write is a shard's writer: it walks the shard at every publish and, for
// keepalives, every keepaliveCheck, until the hub shuts down.
func (f *fanout) write(sh *shard) {
	defer f.hub.busy.Done()
	tick := time.NewTicker(keepaliveCheck)
	defer tick.Stop()
	store := f.hub.store
	for {
		changed := store.Changed() // taken before the walk: no publish is missed
		sh.mu.Lock()
		sh.walk = append(sh.walk[:0], sh.subs...)
		sh.mu.Unlock()
		latest, now := store.Latest(), time.Now().UnixNano()
		for _, s := range sh.walk {
			if s.due(latest, now) {
				s.kick()
			}
		}
		clear(sh.walk) // ended subscribers are not kept alive by the copy
		select {
		case <-changed:
		case <-tick.C:
		case <-f.hub.ctx.Done():
			return
		}
	}
}
