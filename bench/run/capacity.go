package run

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"runtime"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/progress"
	"github.com/pushlab/pushlab/transport"
)

// Knobs of the capacity search.
const (
	capacityProbe      = 50   // clients of the small step that shows whether a transport can meet the bound at all
	capacityResolution = 1.25 // bisection stops when the smallest failing count is within this factor of the largest passing one
	capacityMaxSteps   = 8    // and in any case after this many steps per transport
	capacityStartRate  = 2000 // clients started per second in a step: its ramp-up grows with its count
	// The machine counts as saturated at a step when the harness and the
	// server together used this share of its cores.
	saturatedShare = 0.85
	filesReserved  = 64 // open files a process keeps for other things than clients
)

// capacity runs a --capacity search for each transport of the scenario in
// turn: each step a short measured run at one client count, against its
// own fresh server. It returns results with one point, one row per
// transport, each carrying what its search found.
func capacity(ctx context.Context, sc bench.Scenario, targets []*url.URL, bin string, side clientSide, res *bench.Results, o Options) (*bench.Results, error) {
	c := &capacitySearch{sc: sc, targets: targets, bin: bin, side: side}
	c.measure = c.step
	if c.files = maxClientsByFiles(sc); c.files < 1 {
		return nil, bench.InputErrorf("capacity: the open-file limit leaves no room for clients (ulimit -n)")
	}
	// Planned as three steps a transport (a search takes two to eight),
	// each as long as a small one: the bar is a rough guide.
	step := plannedLength([]bench.PointPlan{{Scenario: c.at(min(capacityProbe, int(sc.MaxClients)))}})
	c.prog = progress.New(o.Progress, 3*step)
	defer c.prog.Finish()
	pt := bench.Point{Duration: window(sc).Seconds()}
	for _, t := range sc.Transports {
		row, err := c.search(ctx, t)
		if err != nil {
			return nil, err
		}
		pt.Transports = append(pt.Transports, row)
	}
	res.Points = []bench.Point{pt}
	return res, nil
}

// capacityScenario is the scenario a capacity run records: chat off, since
// every client's chat goes to every client and would grow the traffic as
// the square of the count the search varies.
func capacityScenario(sc bench.Scenario) bench.Scenario {
	sc.ChatRate = 0
	return sc
}

// capacitySearch is the search for one scenario.
type capacitySearch struct {
	sc      bench.Scenario
	targets []*url.URL // nil: child servers
	bin     string
	side    clientSide
	prog    *progress.Bar
	files   int // the most clients the open-file limit allows
	// measure runs a step; step, unless a test of the search's course
	// puts a rule of its own in.
	measure func(ctx context.Context, t string, n int) (measuredStep, error)
}

// measuredStep is a step and the row of its run.
type measuredStep struct {
	bench.CapacityStep
	row bench.TransportResult
}

// at is the scenario of a step at n clients: started at capacityStartRate
// a second, at least over the scenario's ramp-up.
func (c *capacitySearch) at(n int) bench.Scenario {
	sc := c.sc
	sc.Capacity, sc.MAL, sc.Quantile, sc.MaxClients = false, 0, 0, 0
	sc.Clients = bench.Count(n)
	sc.RampUp = bench.Duration(max(sc.RampUp.D(), time.Duration(n)*time.Second/capacityStartRate))
	return sc
}

// search finds the capacity of one transport: the largest count first
// (when it meets the bound there is nothing more to find), a small probe
// (when not even that meets it the capacity is 0), then bisection on a
// log scale between the largest count that met the bound and the smallest
// that did not. A short poller whose interval alone breaks the bound is
// probed first, so that its answer costs one small step.
func (c *capacitySearch) search(ctx context.Context, t string) (bench.TransportResult, error) {
	top, topLimit := int(c.sc.MaxClients), bench.LimitedByMaxClients
	if c.files < top {
		top, topLimit = c.files, bench.LimitedByHarness
	}
	probe := min(capacityProbe, top)
	var (
		steps     []measuredStep
		good, bad *measuredStep
	)
	try := func(n int) (*measuredStep, error) {
		s, err := c.measure(ctx, t, n)
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
		last := &steps[len(steps)-1]
		if s.Met && (good == nil || n > good.Clients) {
			good = last
		}
		if !s.Met && (bad == nil || n < bad.Clients) {
			bad = last
		}
		return last, nil
	}
	order := []int{top, probe}
	if c.unmeetable(t) {
		order = []int{probe, top}
	}
	for _, n := range order {
		if good != nil && good.Clients >= n || bad != nil && bad.Clients <= n {
			continue // already known
		}
		if _, err := try(n); err != nil {
			return bench.TransportResult{}, err
		}
		if good == nil && bad != nil && bad.Clients <= probe {
			break // not even the probe meets the bound
		}
	}
	for good != nil && bad != nil && len(steps) < capacityMaxSteps &&
		float64(bad.Clients) > float64(good.Clients)*capacityResolution && bad.Clients-good.Clients > 1 {
		mid := int(math.Round(math.Sqrt(float64(good.Clients) * float64(bad.Clients))))
		mid = min(max(mid, good.Clients+1), bad.Clients-1)
		if _, err := try(mid); err != nil {
			return bench.TransportResult{}, err
		}
	}
	return c.result(t, steps, good, bad, top, topLimit), nil
}

// result is the transport's row: the figures of the step at its capacity
// (or of the smallest step when none met the bound) and what the search
// found.
func (c *capacitySearch) result(t string, steps []measuredStep, good, bad *measuredStep, top int, topLimit string) bench.TransportResult {
	cp := &bench.Capacity{MAL: c.sc.MAL, Quantile: float64(c.sc.Quantile)}
	for _, s := range steps {
		cp.Steps = append(cp.Steps, s.CapacityStep)
	}
	shown := good
	switch {
	case good != nil && good.Clients >= top:
		cp.Clients, cp.LimitedBy = good.Clients, topLimit
		if topLimit == bench.LimitedByHarness {
			cp.Reason = fmt.Sprintf("met the bound at %d clients, the most this process's open-file limit allows "+
				"(the server holds the other end of every connection in one process under the same limit, so spreading the clients over more harness processes would not lift it)", top)
		} else {
			cp.Reason = fmt.Sprintf("met the bound at %d clients, the most asked for (--max-clients)", top)
		}
	default:
		if good != nil {
			cp.Clients = good.Clients
		} else {
			shown = bad
		}
		cp.LimitedBy, cp.Reason = c.failure(t, bad)
	}
	if shown.ServerCPU > 0 && shown.Seconds > 0 && cp.Clients > 0 {
		cp.ServerCores = shown.ServerCPU / shown.Seconds
	}
	row := shown.row
	row.Capacity = cp
	return row
}

// failure says why the smallest count that missed the bound missed it.
func (c *capacitySearch) failure(t string, bad *measuredStep) (limitedBy, reason string) {
	q := 100 * float64(c.sc.Quantile)
	switch {
	case bad.Saturated == bench.SaturatedByHarness:
		return bench.LimitedByHarness, fmt.Sprintf("at %d clients the machine's %d cores were saturated and the harness used more of them than the server (%.2f against %.2f cores): "+
			"the clients, not the server, set this limit", bad.Clients, runtime.NumCPU(), bad.HarnessCPU/bad.Seconds, bad.ServerCPU/bad.Seconds)
	case bad.Failed != "":
		return bench.LimitedByMAL, fmt.Sprintf("at %d clients the step could not be measured: %s", bad.Clients, bad.Failed)
	}
	reason = fmt.Sprintf("at %d clients %.1f%% of updates arrived within %s, short of %g%%", bad.Clients, 100*bad.Within, c.sc.MAL, q)
	if bad.AtQuantile > 0 {
		reason += fmt.Sprintf(" (p%g %s)", q, (time.Duration(bad.AtQuantile) * time.Microsecond).Round(time.Millisecond))
	}
	if bad.Errors > 0 {
		reason += fmt.Sprintf(", with %d client errors", bad.Errors)
	}
	if bad.Saturated == bench.SaturatedByOthers {
		reason += fmt.Sprintf("; the machine's %d cores were saturated, mostly by other work than this run's (%.2f cores besides the server's %.2f and the harness's %.2f), so on a quiet machine the capacity is likely higher",
			runtime.NumCPU(), (bad.MachineCPU-bad.ServerCPU-bad.HarnessCPU)/bad.Seconds, bad.ServerCPU/bad.Seconds, bad.HarnessCPU/bad.Seconds)
	}
	if c.unmeetable(t) {
		reason += fmt.Sprintf(": a short poll every %s finds an update only at its next poll, up to a whole interval after it was published, so %g%% within %s is out of reach at any count",
			c.sc.Interval, q, c.sc.MAL)
	}
	return bench.LimitedByMAL, reason
}

// unmeetable reports whether the scenario's own timing rules the bound
// out for transport t: a fixed-interval short poller sees an update on
// average half an interval late, spread evenly up to a whole one, so its
// quantile q lies near q intervals.
func (c *capacitySearch) unmeetable(t string) bool {
	return t == transport.Short && !c.sc.PollSchedule.FollowsCache() &&
		float64(c.sc.Quantile)*float64(c.sc.Interval.D())*(1-client.PollJitter) > float64(c.sc.MAL.D())
}

// step runs the transport at n clients and judges the window against the
// bound.
func (c *capacitySearch) step(ctx context.Context, t string, n int) (measuredStep, error) {
	sc := c.at(n)
	r := &transportRun{sc: sc, transport: t, targets: c.targets, bin: c.bin, side: c.side, prog: c.prog}
	row, err := r.run(ctx)
	s := measuredStep{CapacityStep: bench.CapacityStep{Clients: n, Seconds: window(sc).Seconds()}}
	var ie *bench.InputError
	switch {
	case ctx.Err() != nil:
		return s, ctx.Err()
	case errors.As(err, &ie):
		return s, err
	case err != nil:
		// An overloaded server or harness can fail a step outright (a
		// control request timing out, clients that will not stop): the
		// count is past what this machine serves.
		s.Failed = err.Error()
		c.prog.Note("%s at %d clients: step failed: %v", t, n, err)
		return s, nil
	}
	s.row = row
	s.ServerCPU, s.HarnessCPU, s.MachineCPU, s.Missed, s.Errors = row.ServerCPU, row.HarnessCPU, row.MachineCPU, row.Missed, row.Errors
	s.Within, s.AtQuantile = judge(r.got, c.sc.MAL.D(), float64(c.sc.Quantile))
	s.Met = s.Within >= float64(c.sc.Quantile) && s.Errors == 0
	s.Saturated = saturation(s.CapacityStep, runtime.NumCPU())
	verdict := "meets"
	if !s.Met {
		verdict = "misses"
	}
	c.prog.Note("%s at %d clients: %.1f%% within %s (p%g %s): %s the bound", t, n, 100*s.Within, c.sc.MAL,
		100*float64(c.sc.Quantile), (time.Duration(s.AtQuantile) * time.Microsecond).Round(time.Millisecond), verdict)
	return s, nil
}

// saturation says whose work saturated the machine at a step, "" when its
// cores were not saturated: the harness's, the server's, or other work
// sharing the machine, whichever used most. The machine's own count covers
// everyone; without it the server and harness are all that is known.
func saturation(s bench.CapacityStep, cores int) string {
	busy := max(s.MachineCPU, s.ServerCPU+s.HarnessCPU)
	if s.Seconds <= 0 || busy/s.Seconds < saturatedShare*float64(cores) {
		return ""
	}
	others := busy - s.ServerCPU - s.HarnessCPU
	switch {
	case others > s.ServerCPU && others > s.HarnessCPU:
		return bench.SaturatedByOthers
	case s.HarnessCPU > s.ServerCPU:
		return bench.SaturatedByHarness
	}
	return bench.SaturatedByServer
}

// judge is the share of the window's (update, client) pairs seen within
// mal, a missed one counting as never, and the latency at quantile q of
// them all (0 when the missed alone are more than 1-q).
func judge(d delivery, mal time.Duration, q float64) (within float64, atQuantile int64) {
	seen := d.latency.TotalCount()
	all := seen + d.missed
	if all == 0 {
		return 0, 0
	}
	limit := mal.Microseconds()
	var in int64
	for _, b := range d.latency.Distribution() {
		if b.To <= limit {
			in += b.Count
		}
	}
	within = float64(in) / float64(all)
	if need := q * float64(all); need <= float64(seen) && seen > 0 {
		atQuantile = d.latency.ValueAtQuantile(100 * need / float64(seen))
	}
	return within, atQuantile
}

// maxClientsByFiles is the most clients of the scenario the open-file
// limit lets one process hold: this one holds one end of every
// connection, and the child server, under the same limit, the other.
func maxClientsByFiles(sc bench.Scenario) int {
	per := 1
	for _, t := range sc.Transports {
		per = max(per, client.Connections(t, sc.ChatRate > 0))
	}
	limit := raiseOpenFiles()
	if limit <= filesReserved {
		return 0
	}
	return int(limit-filesReserved) / per
}
