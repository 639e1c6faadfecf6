package run

import (
	"context"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/proc"
	"github.com/pushlab/pushlab/bench/target"
)

// mark is everything read at one edge of the measured window.
type mark struct {
	at      time.Time
	counts  bench.Counts   // all clients' counters
	stats   []target.Stats // each instance's, in order
	server  proc.Sample    // the instances' processes, CPU and RSS summed
	harness proc.Sample
	machine float64 // CPU seconds every process on the machine has spent (proc.MachineBusy)

	serverKnown  bool // every instance's process figures were read (a child's /proc, or a target's /metrics)
	machineKnown bool
}

// measured is the window: its two edges and the peaks sampled in between.
type measured struct {
	start, end  mark
	recordFrom  uint64 // clients recorded arrivals of versions above this
	serverPeak  int64  // the child servers' peak resident memory, each one's summed, bytes
	harnessPeak int64  // this process's
	heap        int64  // the servers' heap in use at the end (/metrics), summed
}

// measure takes the marks at the window's edges and samples memory in
// between (the peaks are what a capacity plan needs).
func (r *transportRun) measure(ctx context.Context) (m measured, err error) {
	// Arrivals are recorded from the highest version seen so far, which
	// is at or below the version the window opens at.
	m.recordFrom = r.clients.MaxSeen()
	r.clients.RecordFrom(m.recordFrom)
	if m.start, err = r.mark(ctx, r.quietMoment()); err != nil {
		return m, err
	}
	end := m.start.at.Add(window(r.sc))
	for {
		r.samplePeaks()
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
	m.serverPeak = r.peaks()
	m.heap = r.heap(ctx)
	return m, nil
}

// mark reads, at time at, the clients' counters, then each server's
// /api/stats and process figures. Polls and publishes are held back from a
// moment before until the reading is done. With several instances it reads
// again, a few times at most, while they disagree on the latest version:
// an update still on its way to one of them would be counted by its
// server and not yet by its clients.
func (r *transportRun) mark(ctx context.Context, at time.Time) (mark, error) {
	pause(ctx, time.Until(at)-settleFor(r.sc))
	r.clients.Hush.Start()
	defer r.clients.Hush.End()
	pause(ctx, time.Until(at))
	var m mark
	for try := 1; ; try++ {
		m = mark{at: time.Now(), counts: r.clients.Tally()}
		if err := r.readInstances(ctx, &m); err != nil {
			return m, err
		}
		if m.lag() == 0 || try == edgeTries || !pause(ctx, settleLoop) {
			break
		}
	}
	if lag := m.lag(); lag > 0 {
		r.prog.Note("%s: an instance was %d versions behind at the window's edge; the edge is the version every instance holds", r.transport, lag)
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
