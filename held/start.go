package held

import (
	"context"
	"sync"
)

// StartWatcher starts a watcher (see NewWatcher for edge) whose Run counts
// in busy, or returns nil where epoll is not available (the caller then
// watches by reading, or not at all). Stop it, wait on busy, then Release it.
func StartWatcher(busy *sync.WaitGroup, edge bool) *Watcher {
	w, err := NewWatcher(edge)
	if err != nil {
		return nil
	}
	busy.Add(1)
	go func() {
		defer busy.Done()
		w.Run()
	}()
	return w
}

// Wait waits for wg (the writers and the watcher of a set of held
// connections, or the connections themselves) until ctx is done: a
// shutdown waits for the last answers to go out, but not forever.
func Wait(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
