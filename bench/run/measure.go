package run

import (
	"context"
	"fmt"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/proc"
	"github.com/pushlab/pushlab/bench/target"
)

// mark is everything read at one edge of the measured window.
type mark struct {
	at      time.Time
	counts  bench.Counts // all clients' counters
	stats   target.Stats // the server's
	server  proc.Sample
	harness proc.Sample
	machine float64 // CPU seconds every process on the machine has spent (proc.MachineBusy)

	serverKnown  bool // the server's process figures were read (a child's /proc, or a target's /metrics)
	machineKnown bool
}

// measured is the window: its two edges and the peaks sampled in between.
type measured struct {
	start, end  mark
	serverPeak  int64 // a child server's peak resident memory, bytes
	harnessPeak int64 // this process's
	heap        int64 // the server's heap in use at the end (/metrics)
}

// measure takes the marks at the window's edges and samples memory in
// between (the peaks are what a capacity plan needs).
func (r *transportRun) measure(ctx context.Context) (m measured, err error) {
	// Arrivals are recorded from the highest version seen so far, which
	// is at or below the version the window opens at.
	r.clients.RecordFrom(r.clients.MaxSeen())
	if m.start, err = r.mark(ctx, r.quietMoment()); err != nil {
		return m, err
	}
	end := m.start.at.Add(window(r.sc))
	for {
		if r.child != nil {
			if s, err := proc.Read(r.child.PID); err == nil {
				m.serverPeak = max(m.serverPeak, s.RSS)
			}
		}
		m.harnessPeak = max(m.harnessPeak, proc.Self().RSS)
		left := time.Until(end) - settleFor(r.sc)
		if left <= 0 {
			break
		}
		if !pause(ctx, min(left, memoryEvery)) {
			return m, ctx.Err()
		}
	}
	if m.end, err = r.mark(ctx, end); err != nil {
		return m, err
	}
	m.heap = r.server.Metrics(ctx).Heap
	return m, nil
}

// mark reads, at time at, the clients' counters, then the server's
// /api/stats and process figures. Polls and publishes are held back from a
// moment before until the reading is done.
func (r *transportRun) mark(ctx context.Context, at time.Time) (mark, error) {
	pause(ctx, time.Until(at)-settleFor(r.sc))
	r.clients.Hush.Start()
	defer r.clients.Hush.End()
	pause(ctx, time.Until(at))
	m := mark{at: time.Now(), counts: r.clients.Tally()}
	st, err := r.server.Stats(ctx)
	if err != nil {
		return m, fmt.Errorf("%s: server stats: %w", r.transport, err)
	}
	m.stats = st
	if r.child != nil {
		s, err := proc.Read(r.child.PID)
		m.server, m.serverKnown = s, err == nil
	} else if sm := r.server.Metrics(ctx); sm.OK {
		// A target's process is not ours to read; it reports its own
		// CPU and memory (10 ms resolution, RSS now rather than peak).
		m.server, m.serverKnown = proc.Sample{CPU: sm.CPU, RSS: sm.RSS}, true
	}
	m.harness = proc.Self()
	m.machine, m.machineKnown = proc.MachineBusy()
	return m, nil
}

// quietMoment is the next middle of a tick period (well ahead of now),
// when no pushed update is in flight, so that the clients' and the
// server's byte counters are read at a moment when they agree.
func (r *transportRun) quietMoment() time.Time {
	soon := time.Now().Add(2 * settleFor(r.sc))
	last := r.clients.LastTick()
	if r.sc.Rate <= 0 || last.IsZero() {
		return soon
	}
	period := time.Duration(float64(time.Second) / float64(r.sc.Rate))
	next := last.Add(period / 2)
	if next.Before(soon) {
		next = next.Add((soon.Sub(next)/period + 1) * period)
	}
	return next
}
