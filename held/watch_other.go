//go:build !linux

package held

import (
	"errors"
	"net"
	"sync/atomic"
)

// Watcher is epoll's, on Linux; elsewhere held connections are watched by
// a goroutine each (ReadUntilGone).
type Watcher struct{}

// Watched is told, once, that its connection stirred.
type Watched interface {
	Stirred(gone bool)
}

// Watch is a connection's registration.
type Watch struct{ id atomic.Uint64 }

func NewWatcher() (*Watcher, error)                     { return nil, errors.ErrUnsupported }
func (w *Watcher) Add(net.Conn, Watched, *Watch) bool   { return false }
func (w *Watcher) Rearm(net.Conn, Watched, *Watch) bool { return false }
func (w *Watcher) Remove(net.Conn, *Watch)              {}
func (w *Watcher) Run()                                 {}
func (w *Watcher) Stop()                                {}
func (w *Watcher) Release()                             {}
