package held

import "sync"

// StartWatcher starts a watcher whose Run counts in busy, or returns nil
// where epoll is not available (the caller then watches by reading, or
// not at all). Stop it, wait on busy, then Release it.
func StartWatcher(busy *sync.WaitGroup) *Watcher {
	w, err := NewWatcher()
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
