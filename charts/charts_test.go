package charts_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
)

// fixtures are hand-made results shaped like the bench's: one plain
// comparison and one file per sweep the report runs.
var fixtures = map[string][]string{
	"testdata/results.json": {"latency-cdf", "bytes-per-update", "requests"},
	"testdata/results-clients.json": {
		"latency-cdf-clients-10", "bytes-per-update-clients-10", "requests-clients-10",
		"latency-cdf-clients-100", "bytes-per-update-clients-100", "requests-clients-100",
		"latency-cdf-clients-1000", "bytes-per-update-clients-1000", "requests-clients-1000",
		"bandwidth-vs-clients", "cpu-vs-clients",
	},
	"testdata/results-interval.json": {
		"latency-cdf-interval-100ms", "bytes-per-update-interval-100ms", "requests-interval-100ms",
		"latency-cdf-interval-250ms", "bytes-per-update-interval-250ms", "requests-interval-250ms",
		"latency-cdf-interval-1s", "bytes-per-update-interval-1s", "requests-interval-1s",
		"latency-cdf-interval-2s", "bytes-per-update-interval-2s", "requests-interval-2s",
		"latency-vs-interval", "bytes-vs-interval",
	},
	"testdata/results-rtt.json": {
		"latency-cdf-rtt-0s", "bytes-per-update-rtt-0s", "requests-rtt-0s",
		"latency-cdf-rtt-50ms", "bytes-per-update-rtt-50ms", "requests-rtt-50ms",
		"latency-cdf-rtt-200ms", "bytes-per-update-rtt-200ms", "requests-rtt-200ms",
		"latency-vs-rtt",
	},
}

func TestEveryChartRendersAsPNGAndSVGAt800x500(t *testing.T) {
	keep := os.Getenv("CHARTS_KEEP") // set to a directory to look at the charts
	rendered := map[string]bool{}
	for path, want := range fixtures {
		r, err := bench.ReadResults(path)
		if err != nil {
			t.Fatal(err)
		}
		figs, skipped, err := charts.All(r)
		if err != nil || len(skipped) > 0 {
			t.Fatalf("%s: %v (skipped %v)", path, err, skipped)
		}
		var names []string
		for _, f := range figs {
			names = append(names, f.Name)
			if f.Caption == "" || f.Title == "" {
				t.Errorf("%s: chart %s has no caption or title", path, f.Name)
			}
			// Draw one chart of each kind (the per-point charts of a sweep
			// are the same functions as the plain run's): every chart
			// function runs, and the test stays quick under -race.
			if kind := kindOf(f.Name); rendered[kind] {
				continue
			} else {
				rendered[kind] = true
			}
			checkPNG(t, f)
			checkSVG(t, f)
			if keep != "" {
				if _, err := f.Save(keep); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: charts\n got %v\nwant %v", path, names, want)
		}
	}
}

// kindOf strips a sweep point from a chart name: "latency-cdf-rtt-50ms"
// is a "latency-cdf".
func kindOf(name string) string {
	for _, k := range []string{"latency-cdf", "bytes-per-update", "requests"} {
		if strings.HasPrefix(name, k) {
			return k
		}
	}
	return name
}

func checkPNG(t *testing.T, f *charts.Figure) {
	t.Helper()
	var buf bytes.Buffer
	if err := f.WriteTo(&buf, "png"); err != nil {
		t.Fatalf("%s png: %v", f.Name, err)
	}
	img, format, err := image.Decode(&buf)
	if err != nil {
		t.Fatalf("%s png: %v", f.Name, err)
	}
	if b := img.Bounds(); format != "png" || b.Dx() != 800 || b.Dy() != 500 {
		t.Errorf("%s: %s image %dx%d, want png 800x500", f.Name, format, b.Dx(), b.Dy())
	}
}

func checkSVG(t *testing.T, f *charts.Figure) {
	t.Helper()
	var buf bytes.Buffer
	if err := f.WriteTo(&buf, "svg"); err != nil {
		t.Fatalf("%s svg: %v", f.Name, err)
	}
	d := xml.NewDecoder(&buf)
	var root string
	texts := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s svg does not parse as XML: %v", f.Name, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			if se.Name.Local == "text" {
				texts++
			}
		}
	}
	if root != "svg" {
		t.Errorf("%s: svg root element %q", f.Name, root)
	}
	// Title, two axis titles, ticks and the caption are all text.
	if texts < 6 {
		t.Errorf("%s: svg has %d text elements, want titles, ticks and caption", f.Name, texts)
	}
}

func TestSaveWritesBothFormats(t *testing.T) {
	r, err := bench.ReadResults("testdata/results.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := charts.LatencyCDF(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := f.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "latency-cdf.png"), filepath.Join(dir, "latency-cdf.svg")}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (size %d)", p, err, st.Size())
		}
	}
}

func TestChartsWithoutDataAreSkippedNotFailed(t *testing.T) {
	r, err := bench.ReadResults("testdata/results.json")
	if err != nil {
		t.Fatal(err)
	}
	// A run in which nothing arrived: valid results, nothing to plot but
	// the requests that went unanswered.
	for i := range r.Points[0].Transports {
		tr := &r.Points[0].Transports[i]
		tr.Delivered, tr.Received, tr.PayloadBytes, tr.BytesPerUpdate = 0, 0, 0, 0
		tr.Latency, tr.LatencyCDF = bench.Latency{}, nil
	}
	figs, skipped, err := charts.All(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 1 || figs[0].Name != "requests" {
		t.Errorf("drew %d charts, want only requests", len(figs))
	}
	var names []string
	for _, s := range skipped {
		var nd *charts.NoDataError
		if !errors.As(s, &nd) {
			t.Fatalf("skipped for %v, want a NoDataError", s)
		}
		names = append(names, nd.Chart)
	}
	if !slices.Equal(names, []string{"latency-cdf", "bytes-per-update"}) {
		t.Errorf("skipped %v, want latency-cdf and bytes-per-update", names)
	}
}

func TestEachSweepChartNeedsItsSweep(t *testing.T) {
	sweepCharts := []struct {
		name, sweep string // chart, and the fixture holding its sweep
		draw        func(*bench.Results) (*charts.Figure, error)
	}{
		{"bandwidth-vs-clients", "testdata/results-clients.json", charts.BandwidthVsClients},
		{"cpu-vs-clients", "testdata/results-clients.json", charts.CPUVsClients},
		{"latency-vs-interval", "testdata/results-interval.json", charts.LatencyVsInterval},
		{"bytes-vs-interval", "testdata/results-interval.json", charts.BytesVsInterval},
		{"latency-vs-rtt", "testdata/results-rtt.json", charts.LatencyVsRTT},
	}
	for _, path := range []string{"testdata/results.json", "testdata/results-clients.json", "testdata/results-interval.json", "testdata/results-rtt.json"} {
		r, err := bench.ReadResults(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sweepCharts {
			f, err := c.draw(r)
			switch {
			case c.sweep == path && (err != nil || f.Name != c.name):
				t.Errorf("%s from %s: %v", c.name, path, err)
			case c.sweep != path && (err == nil || !strings.Contains(err.Error(), "sweep")):
				t.Errorf("%s from %s: err %v, want a sweep mismatch", c.name, path, err)
			}
		}
	}
}

// The update-rate sweep's charts draw blind and cache-timed short polling
// as two lines: cache-timed polling from its own run of the same sweep.
func TestRateChartsDrawTheCacheTimedVariantBeside(t *testing.T) {
	r, err := bench.ReadResults("testdata/results-rate.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := bench.ReadResults("testdata/results-rate-cache.json")
	if err != nil {
		t.Fatal(err)
	}
	figs, err := charts.SweepCharts(r, v)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
		checkPNG(t, f)
		var svg bytes.Buffer
		if err := f.WriteTo(&svg, "svg"); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"short poll (cache-timed)", "short poll", "WebSocket"} {
			if !bytes.Contains(svg.Bytes(), []byte(key)) {
				t.Errorf("%s: no legend entry %q", f.Name, key)
			}
		}
	}
	want := []string{"bytes-per-update-vs-rate", "bandwidth-per-client-vs-rate", "requests-vs-rate", "empty-vs-rate", "latency-vs-rate"}
	if !slices.Equal(names, want) {
		t.Errorf("charts %v, want %v", names, want)
	}
	// A variant must sweep what the main run sweeps.
	other, _ := bench.ReadResults("testdata/results-rtt.json")
	if _, err := charts.SweepCharts(r, other); err == nil {
		t.Error("a variant sweeping rtt was drawn on a rate chart")
	}
}

// Capacity against the bound, one line per transport, from the capacity
// runs only.
func TestCapacityVsMALFromTheCapacityRuns(t *testing.T) {
	var runs []*bench.Results
	for _, f := range []string{"testdata/results-capacity-30s.json", "testdata/results.json", "testdata/results-capacity-250ms.json", "testdata/results-capacity-1s.json"} {
		r, err := bench.ReadResults(f)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	points := charts.Capacities(runs)
	if len(points) != 6 || points[0].MAL != 0.25 || points[len(points)-1].MAL != 30 {
		t.Fatalf("points %+v: want 3 bounds × 2 transports in order of the bound", points)
	}
	f, err := charts.CapacityVsMAL(points, charts.CapacityCaption(runs))
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, f)
	checkSVG(t, f)
	if !strings.Contains(f.Caption, "250ms") || !strings.Contains(f.Caption, "95% within the bound") {
		t.Errorf("caption %q", f.Caption)
	}
	if _, err := charts.CapacityVsMAL(nil, ""); err == nil {
		t.Error("a capacity chart from no capacity runs")
	}
}
