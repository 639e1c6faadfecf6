package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// measure is one figure drawn against the swept parameter: how to read it
// from a transport at a point, and whether it is the dashed one of a pair.
type measure struct {
	key    string // legend suffix, e.g. "p99"; empty for a single measure
	value  func(t bench.TransportResult, seconds float64) float64
	dashed bool
}

// sweepSpec describes one sweep line chart.
type sweepSpec struct {
	name, title     string
	sweep           string // the parameter it needs swept
	xLabel, yLabel  string
	measures        []measure
	logYWhenSpreads float64 // log y axis when max/min reaches this (0: never)
}

var (
	p50 = measure{"p50", func(t bench.TransportResult, _ float64) float64 { return Millis(t.Latency.P50) }, false}
	p99 = measure{"p99", func(t bench.TransportResult, _ float64) float64 { return Millis(t.Latency.P99) }, true}
)

// sweepSpecs are the line charts drawn when the results hold a sweep.
var sweepSpecs = []sweepSpec{
	{
		name: "bandwidth-vs-clients", title: "Wire bandwidth vs clients", sweep: "clients",
		xLabel: "clients per transport", yLabel: "bandwidth, up + down (Mbit/s)",
		measures: []measure{{"", func(t bench.TransportResult, s float64) float64 {
			return t.BitsPerSecond(s) / 1e6
		}, false}},
		// Log-log: traffic proportional to clients is a straight line.
		logYWhenSpreads: 10,
	},
	{
		name: "cpu-vs-clients", title: "Server CPU per 1,000 deliveries vs clients", sweep: "clients",
		xLabel: "clients per transport", yLabel: "server CPU (ms per 1,000 deliveries)",
		measures:        []measure{{"", func(t bench.TransportResult, _ float64) float64 { return t.ServerCPUPerThousand() }, false}},
		logYWhenSpreads: 10,
	},
	{
		name: "latency-vs-interval", title: "Latency vs short-poll interval", sweep: "interval",
		xLabel: "short-poll interval (ms)", yLabel: "publish-to-seen latency (ms)",
		measures: []measure{p50, p99}, logYWhenSpreads: 100,
	},
	{
		name: "bytes-vs-interval", title: "Bytes per update vs short-poll interval", sweep: "interval",
		xLabel: "short-poll interval (ms)", yLabel: "bytes per update received (B, up + down)",
		measures:        []measure{{"", func(t bench.TransportResult, _ float64) float64 { return t.BytesPerUpdate }, false}},
		logYWhenSpreads: 100,
	},
	{
		name: "latency-vs-rtt", title: "Latency vs network round-trip time", sweep: "rtt",
		xLabel: "added round-trip time (ms)", yLabel: "publish-to-seen latency (ms)",
		measures: []measure{p50, p99}, logYWhenSpreads: 100,
	},
	// The update-rate sweep: where each transport wins. Costs span
	// decades, so their axes are log scales (zeros, such as a push
	// transport's requests inside the window, are left off, not faked).
	{
		name: "bytes-per-update-vs-rate", title: "Bytes per update vs update rate", sweep: "rate",
		xLabel: "updates per second", yLabel: "bytes per update received (B, up + down)",
		measures:        []measure{{"", func(t bench.TransportResult, _ float64) float64 { return t.BytesPerUpdate }, false}},
		logYWhenSpreads: 10,
	},
	{
		name: "bandwidth-per-client-vs-rate", title: "Bytes per client per second vs update rate", sweep: "rate",
		xLabel: "updates per second", yLabel: "bytes per client per second (B/s, up + down)",
		measures:        []measure{{"", bench.TransportResult.BytesPerClientSecond, false}},
		logYWhenSpreads: 10,
	},
	{
		name: "requests-vs-rate", title: "HTTP requests per client per second vs update rate", sweep: "rate",
		xLabel: "updates per second", yLabel: "requests per client per second",
		measures:        []measure{{"", requestsPerClientSecond, false}},
		logYWhenSpreads: 10,
	},
	{
		name: "empty-vs-rate", title: "Empty responses vs update rate", sweep: "rate",
		xLabel: "updates per second", yLabel: "responses that carried no update (%)",
		measures: []measure{{"", func(t bench.TransportResult, _ float64) float64 { return 100 * t.EmptyShare() }, false}},
	},
	{
		name: "latency-vs-rate", title: "Latency vs update rate", sweep: "rate",
		xLabel: "updates per second", yLabel: "publish-to-seen latency (ms)",
		measures: []measure{p50, p99}, logYWhenSpreads: 100,
	},
}

// requestsPerClientSecond is each client's HTTP requests per second.
func requestsPerClientSecond(t bench.TransportResult, seconds float64) float64 {
	if t.Clients == 0 {
		return 0
	}
	return t.RequestsPerSecond(seconds) / float64(t.Clients)
}

// BandwidthVsClients draws each transport's wire bandwidth against the
// number of clients; the results must sweep clients.
func BandwidthVsClients(r *bench.Results) (*Figure, error) {
	return sweepChart(r, spec("bandwidth-vs-clients"))
}

// CPUVsClients draws the server's CPU time per 1,000 deliveries against the
// number of clients; the results must sweep clients.
func CPUVsClients(r *bench.Results) (*Figure, error) { return sweepChart(r, spec("cpu-vs-clients")) }

// LatencyVsInterval draws p50 (solid) and p99 (dashed) latency against the
// short-poll interval; the results must sweep interval.
func LatencyVsInterval(r *bench.Results) (*Figure, error) {
	return sweepChart(r, spec("latency-vs-interval"))
}

// BytesVsInterval draws wire bytes per update received against the
// short-poll interval: the price in bytes of polling faster. The results
// must sweep interval.
func BytesVsInterval(r *bench.Results) (*Figure, error) {
	return sweepChart(r, spec("bytes-vs-interval"))
}

// LatencyVsRTT draws p50 (solid) and p99 (dashed) latency against the added
// round-trip time; the results must sweep rtt.
func LatencyVsRTT(r *bench.Results) (*Figure, error) { return sweepChart(r, spec("latency-vs-rtt")) }

// spec returns the sweep chart of that name; the names are constants of
// this file, so a miss is a programming error.
func spec(name string) sweepSpec {
	for _, s := range sweepSpecs {
		if s.name == name {
			return s
		}
	}
	panic("charts: no sweep chart " + name)
}

// sweepValues are the swept values of r's points, in axis units; the
// results must sweep the chart's parameter.
func sweepValues(r *bench.Results, s sweepSpec) ([]float64, error) {
	if got := r.SweepName(); got != s.sweep {
		return nil, fmt.Errorf("chart %s needs a %s sweep, results sweep %q", s.name, s.sweep, got)
	}
	xs := make([]float64, len(r.Points))
	for i := range r.Points {
		x, err := r.SweepValue(i)
		if err != nil {
			return nil, err
		}
		if r.Seconds(i) <= 0 {
			return nil, fmt.Errorf("field points[%d].duration_s: missing or 0", i)
		}
		xs[i] = x
	}
	return xs, nil
}

// sweepChart draws one line per transport of r (per measure), and one per
// transport a variant run changes (see Variant), all against the swept
// parameter.
//
// Error bars: when results carry repeated runs of a point (--repeat), the
// spread of each figure belongs on its point here, one bar per line and
// point; single runs draw none.
func sweepChart(r *bench.Results, s sweepSpec, variants ...*bench.Results) (*Figure, error) {
	xs, err := sweepValues(r, s)
	if err != nil {
		return nil, err
	}
	type line struct {
		style  string // a transport, or "transport/variant"
		m      measure
		xys    plotter.XYs
		spread spreadPoints // the range of each point's runs, under --repeat
	}
	var lines []line
	add := func(r *bench.Results, xs []float64, name, style string) {
		for _, m := range s.measures {
			l := line{style: style, m: m}
			for i, pt := range r.Points {
				for _, t := range pt.Transports {
					if t.Transport == name {
						secs := r.Seconds(i)
						y := m.value(t, secs)
						l.xys = append(l.xys, plotter.XY{X: xs[i], Y: y})
						if lo, hi, ok := t.Range(func(t bench.TransportResult) float64 { return m.value(t, secs) }); ok {
							l.spread.add(xs[i], y, lo, hi)
						}
					}
				}
			}
			if len(l.xys) > 0 {
				lines = append(lines, l)
			}
		}
	}
	for _, name := range transport.Names() {
		add(r, xs, name, name)
	}
	for _, v := range variants {
		vxs, err := sweepValues(v, s)
		if err != nil {
			return nil, fmt.Errorf("variant %s: %w", VariantOf(v), err)
		}
		for _, name := range transport.Names() {
			if style, ok := variantLines(v)[name]; ok {
				add(v, vxs, name, style)
			}
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("field points[].transports: empty")
	}

	p := newPlot(s.title, s.xLabel, s.yLabel)
	all := make([]plotter.XYs, len(lines))
	for k, l := range lines {
		all[k] = l.xys
	}
	xlo, xhi, _ := positiveRange(all, false)
	logX := xhi/xlo >= 10 && minX(all) > 0
	if logX {
		setLog(&p.X, xlo, xhi)
		p.X.Label.Text += ", log scale"
	}
	// Tick exactly the swept values: there are few, and they are what was run.
	var ticks plot.ConstantTicks
	for _, x := range xs {
		ticks = append(ticks, plot.Tick{Value: x, Label: formatTick(x)})
	}
	p.X.Tick.Marker = ticks
	ylo, yhi, ok := positiveRange(all, true)
	logY := s.logYWhenSpreads > 0 && ok && yhi/ylo >= s.logYWhenSpreads
	if logY {
		// Zeros cannot be drawn on a log axis; they are dropped, not faked.
		for k := range lines {
			lines[k].xys = positiveOnly(lines[k].xys)
			lines[k].spread = lines[k].spread.positiveOnly()
		}
		setLog(&p.Y, ylo, yhi)
		p.Y.Label.Text += ", log scale"
	} else {
		p.Y.Min = 0
	}
	addGrid(p, true)

	f := newFigure(s.name, s.title, Caption(r), p)
	keyed := map[string]bool{}
	for _, l := range lines {
		if len(l.xys) == 0 {
			// Every value was 0, which a log axis cannot show: the legend
			// still names the line, and says why it is missing.
			if !keyed[l.style] {
				keyed[l.style] = true
				solid, _ := plotter.NewLine(plotter.XYs{})
				solid.LineStyle = lineStyle(l.style, false)
				f.addKey(styleOf(l.style).Label+" (0: off the log axis)", solid)
			}
			continue
		}
		ln, sc, err := plotter.NewLinePoints(l.xys)
		if err != nil {
			return nil, err
		}
		ln.LineStyle = lineStyle(l.style, l.m.dashed)
		sc.GlyphStyle = glyphStyle(l.style)
		p.Add(ln, sc)
		bars, err := errorBars(l.spread, styleOf(l.style).Color)
		if err != nil {
			return nil, err
		}
		if bars != nil {
			p.Add(bars)
		}
		if !keyed[l.style] {
			keyed[l.style] = true
			solid, _ := plotter.NewLine(plotter.XYs{})
			solid.LineStyle = lineStyle(l.style, false)
			f.addKey(styleOf(l.style).Label, solid, sc)
		}
	}
	if len(s.measures) > 1 {
		for _, m := range s.measures {
			f.addKey(fmt.Sprintf("%s (%s)", m.key, map[bool]string{false: "solid", true: "dashed"}[m.dashed]), keyLine{m.dashed})
		}
	}
	return f, nil
}

func minX(series []plotter.XYs) float64 {
	m := math.Inf(1)
	for _, s := range series {
		for _, p := range s {
			m = math.Min(m, p.X)
		}
	}
	return m
}

func positiveOnly(xys plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for _, p := range xys {
		if p.Y > 0 {
			out = append(out, p)
		}
	}
	return out
}
