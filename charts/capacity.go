package charts

import (
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// CapacityPoint is one transport's capacity at one latency bound, read from
// a --capacity run.
type CapacityPoint struct {
	Transport string
	MAL       float64 // seconds
	Clients   int
	Bounded   bool    // the search stopped at --max-clients or the harness: the capacity is at least this
	PerCore   float64 // clients per core of server CPU at the capacity (0: not measured)
	Poll      string  // the short-poll interval of the run
}

// Capacities gathers, from --capacity runs, each transport's capacity at
// each run's latency bound, in the order of the bound; runs that are not
// capacity runs are left out.
func Capacities(runs []*bench.Results) []CapacityPoint {
	var out []CapacityPoint
	for _, r := range runs {
		if !r.Scenario.Capacity || len(r.Points) == 0 {
			continue
		}
		for _, t := range r.Points[0].InTableOrder() {
			if c := t.Capacity; c != nil {
				out = append(out, CapacityPoint{Transport: t.Transport, MAL: c.MAL.D().Seconds(), Clients: c.Clients,
					Bounded: c.LimitedBy != bench.LimitedByMAL, PerCore: c.ClientsPerCore(), Poll: r.Scenario.Interval.String()})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b CapacityPoint) int {
		switch {
		case a.MAL < b.MAL:
			return -1
		case a.MAL > b.MAL:
			return 1
		}
		return transport.Order(a.Transport) - transport.Order(b.Transport)
	})
	return out
}

// CapacityVsMAL draws, per transport, the most clients the server kept
// within each latency bound, against the bound. Capacities the search
// could not push further (the most clients tried, or the harness's own
// limit) are ringed: the true capacity is at least that. caption describes
// the runs.
func CapacityVsMAL(points []CapacityPoint, caption string) (*Figure, error) {
	if len(points) == 0 {
		return nil, &NoDataError{"capacity-vs-mal", "points[].transports[].capacity", "no capacity runs"}
	}
	p := newPlot("Capacity under a latency bound", "maximum acceptable latency (s)", "clients served within the bound")
	var xs []float64
	for _, pt := range points {
		if !slices.Contains(xs, pt.MAL) {
			xs = append(xs, pt.MAL)
		}
	}
	slices.Sort(xs)
	if xs[0] > 0 && xs[len(xs)-1]/xs[0] >= 10 {
		setLog(&p.X, xs[0], xs[len(xs)-1])
		p.X.Label.Text += ", log scale"
	}
	var ticks plot.ConstantTicks
	for _, x := range xs {
		ticks = append(ticks, plot.Tick{Value: x, Label: formatTick(x)})
	}
	p.X.Tick.Marker = ticks
	p.Y.Min = 0
	addGrid(p, true)

	f := newFigure("capacity-vs-mal", "Capacity under a latency bound, per transport", caption, p)
	ringed := false
	for _, name := range transport.Names() {
		var line, bound plotter.XYs
		for _, pt := range points {
			if pt.Transport != name {
				continue
			}
			xy := plotter.XY{X: pt.MAL, Y: float64(pt.Clients)}
			line = append(line, xy)
			if pt.Bounded {
				bound = append(bound, xy)
			}
		}
		if len(line) == 0 {
			continue
		}
		ln, sc, err := plotter.NewLinePoints(line)
		if err != nil {
			return nil, err
		}
		ln.LineStyle = lineStyle(name, false)
		sc.GlyphStyle = glyphStyle(name)
		p.Add(ln, sc)
		if len(bound) > 0 {
			rings, err := plotter.NewScatter(bound)
			if err != nil {
				return nil, err
			}
			rings.GlyphStyle = draw.GlyphStyle{Color: styleOf(name).Color, Radius: vg.Points(8), Shape: draw.RingGlyph{}}
			p.Add(rings)
			ringed = true
		}
		f.addKey(styleOf(name).Label, ln, sc)
	}
	if ringed {
		f.addKey("ringed: at least this many", ringKey{})
	}
	return f, nil
}

// ringKey is the legend sample of a ringed point.
type ringKey struct{}

func (ringKey) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle{Color: plotterBlack, Radius: vg.Points(5), Shape: draw.RingGlyph{}}, c.Center())
}

// CapacityCaption describes a set of capacity runs in one line: what was
// varied and what was held.
func CapacityCaption(runs []*bench.Results) string {
	var mals, polls []string
	var first *bench.Results
	for _, r := range runs {
		if !r.Scenario.Capacity {
			continue
		}
		if first == nil {
			first = r
		}
		mals = append(mals, r.Scenario.MAL.String())
		polls = append(polls, r.Scenario.Interval.String())
	}
	if first == nil {
		return ""
	}
	sc := first.Scenario
	return fmt.Sprintf("capacity searches at MAL %s · %g%% within the bound · up to %d clients · %g Hz ticks · %d B payload · short polls every %s · %s, %d cores",
		strings.Join(mals, ", "), 100*float64(sc.Quantile), sc.MaxClients, sc.Rate, sc.Payload, strings.Join(polls, ", "), first.Environment.CPU, first.Environment.Cores)
}
