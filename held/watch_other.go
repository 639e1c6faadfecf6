//go:build !linux

package held

import (
	"errors"
	"net"
)

// Watcher is epoll's, on Linux; elsewhere held connections are watched by
// a goroutine each (ReadUntilGone).
type Watcher struct{}

func NewWatcher(bool) (*Watcher, error)                 { return nil, errors.ErrUnsupported }
func (w *Watcher) Add(net.Conn, Watched, *Watch) bool   { return false }
func (w *Watcher) Rearm(net.Conn, Watched, *Watch) bool { return false }
func (w *Watcher) Remove(net.Conn, *Watch)              {}
func (w *Watcher) Run()                                 {}
func (w *Watcher) Stop()                                {}
func (w *Watcher) Release()                             {}
