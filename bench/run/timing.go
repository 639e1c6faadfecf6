package run

import (
	"context"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/transport"
)

// Timing knobs of a run.
const (
	readyWithin  = 5 * time.Second        // after warm-up, on top of a poll interval, for every client to hold the state
	readyPoll    = 20 * time.Millisecond  // how often that is checked
	memoryEvery  = 250 * time.Millisecond // memory is sampled this often within the window, for its peak
	settleLoop   = 5 * time.Millisecond   // well over a loopback round trip
	edgeTries    = 10                     // reads of a window's edge while instances disagree, settleLoop apart
	windowTicks  = 3                      // a window holds at least this many tick periods, so a slow rate still gives a few updates per client
	drainBase    = 500 * time.Millisecond // clients keep running at least this long after the window
	drainLimited = time.Second            // and this much longer behind a bandwidth limit
	retainSlack  = 5 * time.Second        // a child retains the updates of the run and this much more
	retainMin    = 1024                   // a child retains at least this many updates (the server's default)
	retainMax    = 100_000                // and at most this many, bounding its memory
)

// window is the measured window: --duration rounded to a whole number of
// tick periods, so that a window opened in the middle of a period also
// closes in the middle of one, and at least windowTicks of them (at 0.1
// ticks a second, 30 s).
func window(sc bench.Scenario) time.Duration {
	d := sc.Duration.D()
	if sc.Rate <= 0 {
		return d
	}
	period := time.Duration(float64(time.Second) / float64(sc.Rate))
	if period <= 0 {
		return d
	}
	return max(windowTicks, (d+period/2)/period) * period
}

// settleFor is how long exchanges already started need to finish: well over
// a loopback round trip, plus the round trip the network conditions add.
func settleFor(sc bench.Scenario) time.Duration {
	return settleLoop + sc.RTT.D() + sc.Jitter.D()
}

// drainFor is how long clients keep running after the window closes so
// that updates published at its very end can arrive before anything is
// called missed: a round trip or two, and for short polls one interval.
func drainFor(sc bench.Scenario, name string) time.Duration {
	d := drainBase + 2*(sc.RTT.D()+sc.Jitter.D())
	if name == transport.Short {
		d += time.Duration(float64(sc.Interval.D()) * (1 + client.PollJitter))
	}
	if sc.Bandwidth != "" {
		d += drainLimited
	}
	return d
}

// retainFor is the child server's --retain: enough to hold every update of
// the run, so that afterwards the publish time and kind of any version can
// be looked up, within a bound on the server's memory.
func retainFor(sc bench.Scenario) int {
	run := sc.RampUp.D() + sc.Warmup.D() + sc.Duration.D() + drainFor(sc, transport.Short) + retainSlack
	n := int(sc.UpdatesPerSecond(int(sc.Clients)) * run.Seconds() * 1.5)
	return min(max(n, retainMin), retainMax)
}

// plannedLength is how long the run should take, for the progress bar.
func plannedLength(points []bench.PointPlan) time.Duration {
	var d time.Duration
	for _, p := range points {
		sc := p.Scenario
		d += time.Duration(sc.Runs()*len(sc.Transports)) * (sc.RampUp.D() + sc.Warmup.D() + sc.Duration.D() + drainFor(sc, transport.Long))
	}
	return d
}

// pause waits d or until ctx ends, and reports whether ctx is still live.
func pause(ctx context.Context, d time.Duration) bool {
	if d > 0 {
		wait, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		<-wait.Done()
	}
	return ctx.Err() == nil
}
