package held

import "sync/atomic"

// Watched is told, once, that its connection stirred: gone is true when the
// client closed or reset it, false when it sent bytes.
type Watched interface {
	Stirred(gone bool)
}

// Watch is a connection's registration with a Watcher, kept by its owner
// for Remove.
type Watch struct{ id atomic.Uint64 }

// Move hands the registration at reg over to to, whose owner must then
// Rearm for itself; reg is left unregistered. An event that comes in
// between goes to the old owner, and Rearm watches for it again.
func (reg *Watch) Move(to *Watch) { to.id.Store(reg.id.Swap(0)) }

// Watching reports whether reg holds a registration.
func (reg *Watch) Watching() bool { return reg.id.Load() != 0 }
