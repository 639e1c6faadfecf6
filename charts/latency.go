package charts

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushlab/pushlab/bench"
)

// minLatencyMs is the floor for a log time axis: the histograms resolve
// microseconds, and a log axis cannot show zero.
const minLatencyMs = 0.001

// CDFPoints returns a transport's latency distribution as (ms, fraction)
// points: the recorded CDF when the bench wrote one, else the percentiles it
// always writes (p50, p90, p99, p99.9, max), which trace the same curve more
// coarsely.
func CDFPoints(t bench.TransportResult) plotter.XYs {
	var xys plotter.XYs
	if len(t.LatencyCDF) > 0 {
		for _, p := range t.LatencyCDF {
			xys = append(xys, plotter.XY{X: max(p[0]/1000, minLatencyMs), Y: p[1]})
		}
		return xys
	}
	l := t.Latency
	if l.Max == 0 {
		return nil
	}
	for _, p := range []struct {
		us int64
		f  float64
	}{{l.P50, 0.5}, {l.P90, 0.9}, {l.P99, 0.99}, {l.P999, 0.999}, {l.Max, 1}} {
		xys = append(xys, plotter.XY{X: max(Millis(p.us), minLatencyMs), Y: p.f})
	}
	return xys
}

// LatencyCDF draws for each transport at point i the share of deliveries
// seen within a given publish-to-seen latency, on a log time axis so that a
// 0.3 ms push and a 500 ms poll fit one chart. Markers sit on the p50, p90
// and p99 of each curve.
func LatencyCDF(r *bench.Results, i int) (*Figure, error) {
	p := newPlot("Publish-to-seen latency, cumulative", "latency (ms, log scale)", "share of deliveries seen (0–1)")
	var (
		series []plotter.XYs
		names  []string
	)
	for _, t := range r.Points[i].InTableOrder() {
		if xys := CDFPoints(t); len(xys) > 0 {
			series, names = append(series, xys), append(names, t.Transport)
		}
	}
	lo, hi, ok := positiveRange(series, false)
	if !ok {
		return nil, &NoDataError{"latency-cdf", fmt.Sprintf("points[%d].transports[].latency_us", i), "no transport recorded a latency"}
	}
	setLog(&p.X, lo, hi)
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Y.Tick.Marker = plot.ConstantTicks{
		{Value: 0, Label: "0"}, {Value: 0.25, Label: "0.25"}, {Value: 0.5, Label: "0.5"},
		{Value: 0.75, Label: "0.75"}, {Value: 0.9, Label: "0.9"}, {Value: 0.99}, {Value: 1, Label: "1"},
	}
	addGrid(p, true)

	f := newFigure("latency-cdf", "Latency CDF per transport", pointCaption(r, i), p)
	for k, xys := range series {
		name := names[k]
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.LineStyle = lineStyle(name, false)
		line.StepStyle = plotter.PostStep
		marks, err := plotter.NewScatter(percentileMarks(r.Points[i].Transports, name))
		if err != nil {
			return nil, err
		}
		marks.GlyphStyle = glyphStyle(name)
		p.Add(line, marks)
		f.addKey(styleOf(name).Label, line, marks)
	}
	return f, nil
}

// percentileMarks places a transport's markers at its p50, p90 and p99.
func percentileMarks(ts []bench.TransportResult, name string) plotter.XYs {
	for _, t := range ts {
		if t.Transport == name {
			l := t.Latency
			return plotter.XYs{
				{X: max(Millis(l.P50), minLatencyMs), Y: 0.5},
				{X: max(Millis(l.P90), minLatencyMs), Y: 0.9},
				{X: max(Millis(l.P99), minLatencyMs), Y: 0.99},
			}
		}
	}
	return nil
}

// keyLine is a black legend sample for a line style shared by all
// transports (solid p50, dashed p99).
type keyLine struct{ dashed bool }

func (k keyLine) Thumbnail(c *draw.Canvas) {
	ls := draw.LineStyle{Color: plotterBlack, Width: vg.Points(2)}
	if k.dashed {
		ls.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	y := c.Center().Y
	c.StrokeLine2(ls, c.Min.X, y, c.Max.X, y)
}
