package main

import (
	"bytes"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtureDir = "../../charts/testdata"

func TestChartDrawsTheChartsAPlainRunSupports(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := runChart([]string{"--in", filepath.Join(fixtureDir, "results.json"), "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var names []string
	for _, p := range strings.Fields(stdout.String()) {
		names = append(names, filepath.Base(p))
	}
	// No sweep in the file, so no sweep chart.
	want := []string{"latency-cdf.png", "latency-cdf.svg", "bytes-per-update.png", "bytes-per-update.svg", "requests.png", "requests.svg"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("wrote %v, want %v", names, want)
	}
	f, err := os.Open(filepath.Join(out, "requests.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width != 800 || cfg.Height != 500 {
		t.Errorf("requests.png: %dx%d, %v; want 800x500", cfg.Width, cfg.Height, err)
	}
}

// badResults are broken results files and what the one-line error must name.
var badResults = []struct {
	name, body string
	want       []string
}{
	{"truncated.json", `{"scenario": {"name": "x"}, "points": [`, []string{"truncated.json", "byte"}},
	{"wrongtype.json", `{"points": [{"transports": [{"transport": "ws", "clients": 1, "requests": "many"}]}]}`,
		[]string{"wrongtype.json", "points.transports.requests"}},
	{"nopoints.json", `{"scenario": {}, "points": []}`, []string{"nopoints.json", "points"}},
	{"badtransport.json", `{"points": [{"transports": [{"transport": "carrier-pigeon", "clients": 1}]}]}`,
		[]string{"badtransport.json", "points[0].transports[0].transport"}},
	{"noclients.json", `{"points": [{"transports": [{"transport": "ws", "clients": 0}]}]}`,
		[]string{"noclients.json", "points[0].transports[0].clients"}},
	{"noduration.json", `{"points": [{"transports": [{"transport": "ws", "clients": 1, "delivered": 10, "latency_us": {"p50": 300, "max": 900}}]}]}`,
		[]string{"noduration.json", "points[0].duration_s"}},
}

func TestChartRejectsBrokenResultsWithOneLineNamingFileAndField(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range append(badResults, struct {
		name, body string
		want       []string
	}{"missing.json", "", []string{"missing.json", "no such file"}}) {
		path := filepath.Join(dir, bad.name)
		if bad.body != "" {
			if err := os.WriteFile(path, []byte(bad.body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var stdout, stderr bytes.Buffer
		code := runChart([]string{"--in", path, "--out", filepath.Join(dir, "out")}, &stdout, &stderr)
		msg := stderr.String()
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", bad.name, code, msg)
		}
		if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
			t.Errorf("%s: error is not one line: %q", bad.name, msg)
		}
		for _, w := range bad.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not name %q", bad.name, msg, w)
			}
		}
	}
}
