package charts

import (
	"fmt"
	"regexp"

	"github.com/pushlab/pushlab/bench"
)

// pointCaption is the caption of a chart drawn from one point; in a sweep
// it names the point's value.
func pointCaption(r *bench.Results, i int) string {
	if name := SweepName(r); name != "" {
		return Caption(r) + " · at " + PointLabel(r, i)
	}
	return Caption(r)
}

// PointLabel names point i of a sweep, e.g. "clients=100"; "" without one.
func PointLabel(r *bench.Results, i int) string {
	name := SweepName(r)
	if name == "" {
		return ""
	}
	v, ok := r.Points[i].Sweep[name]
	if !ok {
		if x, err := SweepValue(r, i, name); err == nil {
			return fmt.Sprintf("%s=%g", name, x)
		}
	}
	return fmt.Sprintf("%s=%v", name, v)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// PointCharts returns the per-transport charts of point i: latency CDF,
// bytes per update, request rates. In a sweep their names carry the point.
func PointCharts(r *bench.Results, i int) ([]*Figure, error) {
	var figs []*Figure
	for _, chart := range []func(*bench.Results, int) (*Figure, error){LatencyCDF, BytesPerUpdate, RequestRates} {
		f, err := chart(r, i)
		if err != nil {
			return nil, err
		}
		if l := PointLabel(r, i); l != "" {
			f.Name += "-" + unsafeName.ReplaceAllString(l, "-")
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// SweepCharts returns the line charts the results' sweep supports (none
// when the results hold no sweep, or a sweep no chart is drawn for).
func SweepCharts(r *bench.Results) ([]*Figure, error) {
	var figs []*Figure
	name := SweepName(r)
	for _, s := range sweepSpecs {
		if s.sweep != name {
			continue
		}
		f, err := sweepChart(r, s)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// All returns every chart the results support: the per-transport charts of
// every point and the sweep's line charts.
func All(r *bench.Results) ([]*Figure, error) {
	var figs []*Figure
	for i := range r.Points {
		f, err := PointCharts(r, i)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f...)
	}
	s, err := SweepCharts(r)
	if err != nil {
		return nil, err
	}
	return append(figs, s...), nil
}
