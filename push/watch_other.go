//go:build !linux

package push

import "errors"

// watcher is epoll's, on Linux; elsewhere every stream is watched by a
// goroutine blocked in Read (watchByReading).
type watcher struct{}

func newWatcher() (*watcher, error)     { return nil, errors.ErrUnsupported }
func (w *watcher) add(*subscriber) bool { return false }
func (w *watcher) remove(*subscriber)   {}
func (w *watcher) run()                 {}
func (w *watcher) stop()                {}
func (w *watcher) release()             {}
