package charts

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/pushlab/pushlab/bench"
)

// pointCaption is the caption of a chart drawn from one point; in a sweep
// it names the point's value.
func pointCaption(r *bench.Results, i int) string {
	if l := r.PointLabel(i); l != "" {
		return Caption(r) + " · at " + l
	}
	return Caption(r)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// NoDataError says a chart was not drawn because the results, though
// valid, hold nothing for it to show: no transport recorded a latency, none
// delivered an update. Callers skip such a chart and say so.
type NoDataError struct {
	Chart  string // chart name
	Field  string // the results field that is empty
	Reason string
}

func (e *NoDataError) Error() string {
	return fmt.Sprintf("chart %s not drawn: field %s: %s", e.Chart, e.Field, e.Reason)
}

// PointCharts returns the per-transport charts of point i: latency CDF,
// bytes per update, request rates. In a sweep their names carry the point.
// Charts the point has no data for are left out and returned as skipped.
func PointCharts(r *bench.Results, i int) (figs []*Figure, skipped []error, err error) {
	for _, chart := range []func(*bench.Results, int) (*Figure, error){LatencyCDF, BytesPerUpdate, RequestRates} {
		f, err := chart(r, i)
		var nd *NoDataError
		if errors.As(err, &nd) {
			skipped = append(skipped, err)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if l := r.PointLabel(i); l != "" {
			f.Name += "-" + unsafeName.ReplaceAllString(l, "-")
		}
		figs = append(figs, f)
	}
	return figs, skipped, nil
}

// SweepCharts returns the line charts the results' sweep supports (none
// when the results hold no sweep, or a sweep no chart is drawn for), with
// a line of its own for each transport a variant run of the same sweep
// changed (cache-timed short polling beside blind).
func SweepCharts(r *bench.Results, variants ...*bench.Results) ([]*Figure, error) {
	var figs []*Figure
	name := r.SweepName()
	for _, s := range sweepSpecs {
		if s.sweep != name {
			continue
		}
		f, err := sweepChart(r, s, variants...)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// All returns every chart the results support: the per-transport charts of
// every point and the sweep's line charts, and the charts skipped for want
// of data (see NoDataError). An error means the results are broken.
func All(r *bench.Results) (figs []*Figure, skipped []error, err error) {
	for i := range r.Points {
		f, s, err := PointCharts(r, i)
		if err != nil {
			return nil, nil, err
		}
		figs, skipped = append(figs, f...), append(skipped, s...)
	}
	s, err := SweepCharts(r)
	if err != nil {
		return nil, nil, err
	}
	return append(figs, s...), skipped, nil
}
