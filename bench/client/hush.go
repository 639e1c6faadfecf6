package client

import (
	"context"
	"sync/atomic"
)

// Hush holds back the requests clients start on their own (short polls,
// chat publishes) for a few milliseconds around each edge of the measured
// window, so that no exchange is half-way across the wire while the
// clients' and the server's byte counters are read. Ticks are avoided by
// reading in the middle of a tick period; long polls and streams only move
// when an update does.
type Hush struct {
	ch atomic.Pointer[chan struct{}] // nil: clients may go
}

// wait returns at once unless hushed, else when the hush ends or ctx does.
func (h *Hush) wait(ctx context.Context) {
	if ch := h.ch.Load(); ch != nil {
		select {
		case <-*ch:
		case <-ctx.Done():
		}
	}
}

// Start holds new exchanges back until End.
func (h *Hush) Start() {
	ch := make(chan struct{})
	h.ch.Store(&ch)
}

// End lets the clients go again.
func (h *Hush) End() {
	if ch := h.ch.Swap(nil); ch != nil {
		close(*ch)
	}
}
