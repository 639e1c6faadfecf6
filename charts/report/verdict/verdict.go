// Package verdict turns measured options into the report's answer to
// "which should I use?": for each update rate and each latency need, the
// transport that meets the need at the lowest cost, its runner-up, and the
// update rates at which one transport's cost crosses another's. It reads
// plain measurements, not results files, so its sentences can be tested
// against synthetic figures with known answers; every number it writes is
// one it was given (or, for a crossover, interpolated between two it was
// given), with the source it came from.
package verdict

import (
	"cmp"
	"slices"
	"time"
)

// Need is a latency requirement: 99 of 100 updates seen within Within.
type Need struct {
	Name   string // "under 100 ms"
	Within time.Duration
}

// Needs are the requirements the report answers for: interactive, live, and
// "fresh enough".
var Needs = []Need{
	{"under 100 ms", 100 * time.Millisecond},
	{"under 1 s", time.Second},
	{"under 10 s", 10 * time.Second},
}

// Option is one way of delivering the live state, measured at one update
// rate: a transport, or a variant of one (cache-timed short polling, HTTP/2).
type Option struct {
	Name string  // in prose: "WebSocket", "short poll (cache-timed)"
	Rate float64 // updates per second it was measured at
	P50  time.Duration
	P99  time.Duration
	// BytesPerClientSecond is wire bytes, both ways, per client per second.
	BytesPerClientSecond float64
	// CPUPerClientSecond is the server's CPU seconds per client per second
	// (a share of one core); 0 when not measured.
	CPUPerClientSecond float64
	Source             string // where the figures come from: a results file and point
}

// Meets reports whether the option delivers 99% of updates within the need.
func (o Option) Meets(n Need) bool { return o.P99 > 0 && o.P99 <= n.Within }

// Cost is what the verdict minimises: bytes on the wire or server CPU.
type Cost struct {
	Name  string // "bytes", "server CPU"
	Of    func(Option) float64
	Unit  func(float64) string // writes a figure with its unit
	Known func(Option) bool    // whether the option was measured for this cost
}

// Choice is the verdict for one rate and one need.
type Choice struct {
	Rate     float64
	Need     Need
	Best     *Option // nil: no option meets the need
	RunnerUp *Option // nil: no second option meets it
}

// Choose picks, of the options measured at rate, the one that meets the need
// at the lowest cost, and the next one. Ties go to the earlier option, so
// the caller's order (the transport table's) decides them.
func Choose(opts []Option, rate float64, need Need, c Cost) Choice {
	var fit []Option
	for _, o := range opts {
		if o.Rate == rate && o.Meets(need) && (c.Known == nil || c.Known(o)) {
			fit = append(fit, o)
		}
	}
	slices.SortStableFunc(fit, func(a, b Option) int { return cmp.Compare(c.Of(a), c.Of(b)) })
	ch := Choice{Rate: rate, Need: need}
	if len(fit) > 0 {
		ch.Best = &fit[0]
	}
	if len(fit) > 1 {
		ch.RunnerUp = &fit[1]
	}
	return ch
}

// Rates returns the distinct rates the options were measured at, in order.
func Rates(opts []Option) []float64 {
	var rs []float64
	for _, o := range opts {
		if !slices.Contains(rs, o.Rate) {
			rs = append(rs, o.Rate)
		}
	}
	slices.Sort(rs)
	return rs
}
