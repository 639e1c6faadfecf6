package bench

import (
	"context"
	"sync/atomic"
	"time"
)

// hush holds back the requests clients start on their own (short polls,
// chat publishes) for a few milliseconds around each edge of the measured
// window, so that no exchange is half-way across the wire while the
// clients' and the server's byte counters are read. Ticks are avoided by
// reading in the middle of a tick period; long polls and streams only move
// when an update does.
type hush struct {
	ch atomic.Pointer[chan struct{}] // nil: clients may go
}

// wait returns at once unless hushed, else when the hush ends or ctx does.
func (h *hush) wait(ctx context.Context) {
	if ch := h.ch.Load(); ch != nil {
		select {
		case <-*ch:
		case <-ctx.Done():
		}
	}
}

func (h *hush) start() {
	ch := make(chan struct{})
	h.ch.Store(&ch)
}

func (h *hush) end() {
	if ch := h.ch.Swap(nil); ch != nil {
		close(*ch)
	}
}

// settleFor is how long exchanges already started need to finish: well over
// a loopback round trip, plus the round trip the network conditions add.
func settleFor(sc Scenario) time.Duration {
	return 5*time.Millisecond + sc.RTT.D() + sc.Jitter.D()
}
