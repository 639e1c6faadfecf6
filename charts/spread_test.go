package charts_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
)

// withRuns gives every row of r three runs around its figures (±20% bytes
// and latency), as --repeat 3 would.
func withRuns(r *bench.Results) {
	for i := range r.Points {
		for j, t := range r.Points[i].Transports {
			var runs []bench.TransportResult
			for _, k := range []float64{0.8, 1, 1.2} {
				run := t
				run.BytesPerUpdate *= k
				run.Latency.P50 = int64(float64(run.Latency.P50) * k)
				run.Latency.P99 = int64(float64(run.Latency.P99) * k)
				runs = append(runs, run)
			}
			r.Points[i].Transports[j] = bench.Combine(runs)
		}
	}
	r.Scenario.Repeat = 3
	r.Scenario.Profile = bench.ProfileBrowser
}

func svg(t *testing.T, f *charts.Figure) string {
	t.Helper()
	var b bytes.Buffer
	if err := f.WriteTo(&b, "svg"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Repeated runs draw their range as error bars (more strokes on the same
// chart) and the caption says what the bars are; results without runs draw
// as they always did.
func TestRepeatedRunsDrawErrorBars(t *testing.T) {
	for _, c := range []struct {
		file  string
		chart func(*bench.Results) (*charts.Figure, error)
	}{
		{"testdata/results.json", func(r *bench.Results) (*charts.Figure, error) { return charts.BytesPerUpdate(r, 0) }},
		{"testdata/results-interval.json", charts.LatencyVsInterval},
		{"testdata/results-interval.json", charts.BytesVsInterval},
	} {
		plain, err := bench.ReadResults(c.file)
		if err != nil {
			t.Fatal(err)
		}
		repeated, _ := bench.ReadResults(c.file)
		withRuns(repeated)
		a, err := c.chart(plain)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.chart(repeated)
		if err != nil {
			t.Fatal(err)
		}
		sa, sb := svg(t, a), svg(t, b)
		if n, m := strings.Count(sa, "<path"), strings.Count(sb, "<path"); m <= n {
			t.Errorf("%s %s: %d paths with runs, %d without: no error bars drawn", c.file, a.Name, m, n)
		}
		if !strings.Contains(b.Caption, "median of 3 runs, bars min–max") || strings.Contains(a.Caption, "runs") {
			t.Errorf("captions: %q / %q", a.Caption, b.Caption)
		}
	}
}
