package report

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
	"github.com/pushlab/pushlab/charts/report/verdict"
	"github.com/pushlab/pushlab/transport"
)

// The report's answer to "which should I use?", written from the results
// by package verdict: what each transport (and cache-timed short polling)
// cost at each update rate of the rate sweep, and at each round trip of an
// RTT sweep.

// minCPUTicks is the least server CPU, in /proc's 10 ms ticks, a
// transport's window must have cost for its CPU figure to be set against
// another's in a crossing or a standing: below it, a tick either way
// changes the order.
const minCPUTicks = 10

// cpuTicks is the server CPU of an option's window in 10 ms ticks, keyed
// by the option's name and rate.
type cpuTicks map[string]float64

func (c cpuTicks) key(o verdict.Option) string { return fmt.Sprintf("%s@%g", o.Name, o.Rate) }

// resolved reports whether an option's CPU figure may be compared.
func (c cpuTicks) resolved(o verdict.Option) bool { return c[c.key(o)] >= minCPUTicks }

// choices are the transports of a point that a page can choose between.
// The floor, which no browser speaks, is a yardstick: tabled and drawn, but
// never the answer.
func choices(p bench.Point) []bench.TransportResult {
	var out []bench.TransportResult
	for _, t := range p.InTableOrder() {
		if tr, ok := transport.Lookup(t.Transport); !ok || tr.Browser {
			out = append(out, t)
		}
	}
	return out
}

// option is transport t at point i of a run, as the verdict weighs it. A
// transport with no latency recorded there meets no need.
func option(run *Run, i int, t bench.TransportResult) verdict.Option {
	r := run.Results
	secs := r.Seconds(i)
	o := verdict.Option{
		Name:                 charts.Label(r, t.Transport),
		Rate:                 updatesPerSecond(r, i, t.Clients),
		BytesPerClientSecond: t.BytesPerClientSecond(secs),
		Source:               fmt.Sprintf("%s at %s, %s", run.Data, r.PointLabel(i), t.Transport),
	}
	if t.Latency.N > 0 {
		o.P50 = time.Duration(t.Latency.P50) * time.Microsecond
		o.P99 = time.Duration(t.Latency.P99) * time.Microsecond
	}
	if t.Clients > 0 && secs > 0 {
		o.CPUPerClientSecond = t.ServerCPU / float64(t.Clients) / secs
	}
	return o
}

// updatesPerSecond is what each client was sent at point i: the generator's
// rate there (the swept value in a rate sweep) and everyone's chat.
func updatesPerSecond(r *bench.Results, i, clients int) float64 {
	rate := float64(r.Scenario.Rate)
	if r.SweepName() == "rate" {
		if x, err := r.SweepValue(i); err == nil {
			rate = x
		}
	}
	return rate + float64(r.Scenario.ChatRate)*float64(clients)
}

// rateOptions are every transport of the rate sweep at every rate, and the
// transports its variant runs changed, with what each window's server CPU
// came to in ticks.
func rateOptions(rate *Run, variants []*Run) ([]verdict.Option, cpuTicks) {
	var opts []verdict.Option
	ticks := cpuTicks{}
	add := func(r *Run, i int, t bench.TransportResult) {
		o := option(r, i, t)
		opts = append(opts, o)
		ticks[ticks.key(o)] = t.ServerCPU / 0.01
	}
	for i, p := range rate.Results.Points {
		for _, t := range choices(p) {
			add(rate, i, t)
		}
		for _, v := range variants {
			j := pointAt(v.Results, rate.Results.PointLabel(i))
			if j < 0 {
				continue
			}
			for _, t := range choices(v.Results.Points[j]) {
				if charts.Label(v.Results, t.Transport) != label(t.Transport) {
					add(v, j, t)
				}
			}
		}
	}
	return opts, ticks
}

// verdict writes "Which should I use?".
func (m *md) verdict(rs runs) {
	m.printf("## Which should I use?\n\n")
	if rs.rate == nil {
		m.printf("*Not measured in this report: the answer is read from an update-rate sweep (`pushlab bench --sweep rate=...`), and these results hold none.*\n\n")
		return
	}
	variants := rs.variants[rs.rate]
	opts, ticks := rateOptions(rs.rate, variants)
	m.printf("Written by the program from the update-rate sweep, not by hand. A transport *meets* a latency need when 99%% of its updates arrived within it; of those that meet it, the table names the one that cost the least and its figure, then the runner-up. ")
	m.printf("Every figure is a transport's entry at the row's point (`rate=R`) of %s", m.link(rs.rate))
	for _, v := range variants {
		m.printf(" (%s: of %s)", charts.Label(v.Results, transport.Short), m.link(v))
	}
	m.printf(". The choices are what a page can speak; the floor (raw TCP), which no browser does, is left out of them: it is the yardstick of [Push against the floor](#push-against-the-floor).\n\n")

	m.printf("### By bytes on the wire\n\nBytes per client per second, both directions, headers and framing included.\n\n")
	if m.table(opts, verdict.Bytes) {
		m.inWords(opts, verdict.Bytes)
	}
	m.printf("### By server CPU\n\nThe server's CPU time per client per second of window (µs of CPU each second, per client).")
	if least := fewestTicks(rs.rate, variants); least > 0 && least < minCPUTicks {
		m.printf(" The server's CPU is read from /proc in 10 ms ticks, and at the slowest rates a whole window cost as few as %d of them: a choice between figures within a few ticks of each other there is noise, and the crossings and standings below leave out figures of fewer than %d ticks.", least, minCPUTicks)
	}
	m.printf("\n\n")
	if m.table(opts, verdict.CPU) {
		m.inWords(opts, verdict.CPU)
	}

	m.printf("### Where the lines cross\n\n")
	m.crossovers(opts, ticks)

	m.printf("### Where the round trip changes the answer\n\n")
	m.acrossRTT(rs)

	m.printf("### Where the clients change the answer\n\n")
	m.acrossClients(rs)
}

// acrossClients says, for the default comparison's scenario run with other
// clients (HTTPS with HTTP/2, compression, lean or cookie-laden headers),
// whether the cheapest transport that meets each need changes from the one
// the reference clients (browser headers over plain HTTP/1.1) make it.
func (m *md) acrossClients(rs runs) {
	if rs.reference == nil || len(rs.clientVariants) == 0 {
		m.printf("*Not measured in this report: the answer is read from the default comparison run again with other clients (HTTP/2, compression, headers), and these results hold none.*\n\n")
		return
	}
	ref := runOptions(rs.reference)
	refName := variantTitle(rs.reference.Results.Scenario)
	m.printf("The default comparison's scenario (%g updates/s) run again with other clients: each line sets one run against the %s clients of %s, by bytes per client per second; a need is met when 99%% of updates arrived within it.\n\n",
		ref[0].Rate, refName, m.link(rs.reference))
	for _, v := range rs.clientVariants {
		opts := runOptions(v)
		var parts []string
		for _, need := range verdict.Needs {
			was := verdict.Choose(ref, ref[0].Rate, need, verdict.Bytes)
			now := verdict.Choose(opts, opts[0].Rate, need, verdict.Bytes)
			parts = append(parts, changed(need, was, now))
		}
		m.printf("- **%s** (%s): %s.\n", variantTitle(v.Results.Scenario), m.link(v), strings.Join(parts, "; "))
	}
	m.printf("\n")
}

// runOptions are the transports of a run's first point as the verdict
// weighs them.
func runOptions(r *Run) []verdict.Option {
	var opts []verdict.Option
	for _, t := range choices(r.Results.Points[0]) {
		opts = append(opts, option(r, 0, t))
	}
	return opts
}

// changed says whether a choice changed, with the figures of both.
func changed(need verdict.Need, was, now verdict.Choice) string {
	cost := func(c verdict.Choice) string {
		if c.Best == nil {
			return "none meets it"
		}
		return fmt.Sprintf("%s at %s", c.Best.Name, verdict.Bytes.Unit(verdict.Bytes.Of(*c.Best)))
	}
	switch {
	case was.Best == nil && now.Best == nil:
		return fmt.Sprintf("%s, still none meets it", need.Name)
	case was.Best != nil && now.Best != nil && was.Best.Name == now.Best.Name:
		return fmt.Sprintf("%s, still %s (was %s)", need.Name, cost(now), verdict.Bytes.Unit(verdict.Bytes.Of(*was.Best)))
	}
	return fmt.Sprintf("%s, **%s** instead of %s", need.Name, cost(now), cost(was))
}

// link is a run's results file as a markdown link.
func (m *md) link(r *Run) string {
	return fmt.Sprintf("[%s](%s)", path.Base(path.Dir(r.Data))+"/"+path.Base(r.Data), r.Data)
}

// table writes the verdict's table for a cost, or says why there is none,
// and reports whether it wrote one.
func (m *md) table(opts []verdict.Option, c verdict.Cost) bool {
	known := 0
	for _, o := range opts {
		if c.Known(o) {
			known++
		}
	}
	if known == 0 {
		m.printf("*Not measured in these results.*\n\n")
		return false
	}
	if m.err == nil {
		m.err = verdict.Table(m.w, opts, c)
	}
	m.printf("\n")
	return true
}

// inWords writes the table's choices as sentences, folded away: one per
// rate and need.
func (m *md) inWords(opts []verdict.Option, c verdict.Cost) {
	m.printf("<details><summary>The same, in words</summary>\n\n")
	for _, r := range verdict.Rates(opts) {
		for _, n := range verdict.Needs {
			m.printf("- %s\n", verdict.Choose(opts, r, n, c).Sentence(c))
		}
	}
	m.printf("\n</details>\n\n")
}

// crossovers writes one sentence for each pair of options whose cost lines
// cross between two measured rates, by bytes and by CPU, and one for each
// polling option that costs more (or less) than WebSocket at every rate.
// CPU figures of fewer than minCPUTicks are left out of both.
func (m *md) crossovers(opts []verdict.Option, ticks cpuTicks) {
	var names []string
	for _, o := range opts {
		if !slices.Contains(names, o.Name) {
			names = append(names, o.Name)
		}
	}
	rates := verdict.Rates(opts)
	resolved := func(c verdict.Cost) func(verdict.Option) bool {
		if c.Name == verdict.CPU.Name {
			return ticks.resolved
		}
		return nil
	}
	for _, c := range []verdict.Cost{verdict.Bytes, verdict.CPU} {
		ok := resolved(c)
		var kept []verdict.Option
		for _, o := range opts {
			if ok == nil || ok(o) {
				kept = append(kept, o)
			}
		}
		any := false
		for i, a := range names {
			for _, b := range names[i+1:] {
				for _, x := range verdict.Crossovers(kept, a, b, c) {
					m.printf("- %s\n", x.Sentence(c))
					any = true
				}
			}
		}
		ws := label(transport.WS)
		for _, a := range names {
			if a == ws || !strings.Contains(a, "poll") {
				continue
			}
			if s, found := verdict.Stand(opts, a, ws, c, ok); found {
				m.printf("- %s\n", s.Sentence(c))
				any = true
			}
		}
		if !any {
			m.printf("- By %s, no two cost lines cross between %s and %s.\n", c.Name, perSecond(rates[0]), perSecond(rates[len(rates)-1]))
		}
	}
	m.printf("\nEach crossing is interpolated on log-log axes between the two measured rates around it; the figures quoted are those measured at the rate below it. A polling transport whose line never crosses WebSocket's is compared with it at the ends of the range instead.\n\n")
}

// acrossRTT writes, for each RTT sweep and each need, whether the round
// trip changes the cheapest transport that meets it.
func (m *md) acrossRTT(rs runs) {
	found := false
	for _, r := range rs.sweeps {
		res := r.Results
		if res.SweepName() != "rtt" {
			continue
		}
		found = true
		var conds []verdict.Condition
		for i, p := range res.Points {
			var opts []verdict.Option
			for _, t := range choices(p) {
				opts = append(opts, option(r, i, t))
			}
			conds = append(conds, verdict.Condition{Name: trimName(res, i) + " RTT", Opts: opts})
		}
		m.printf("From %s (short polls every %s):\n\n", m.link(r), res.Scenario.Interval)
		for _, need := range verdict.Needs {
			m.printf("- %s\n", verdict.Across(conds, need, verdict.Bytes))
		}
		m.printf("\n")
	}
	if !found {
		m.printf("*Not measured in this report: no RTT sweep in these results.*\n\n")
	}
}

// fewestTicks is the fewest 10 ms ticks of server CPU any transport's
// window cost in the rate sweep (0 when none was measured).
func fewestTicks(rate *Run, variants []*Run) int {
	least := 0
	for _, r := range append([]*Run{rate}, variants...) {
		for _, p := range r.Results.Points {
			for _, t := range p.Transports {
				if n := int(t.ServerCPU/0.01 + 0.5); n > 0 && (least == 0 || n < least) {
					least = n
				}
			}
		}
	}
	return least
}
