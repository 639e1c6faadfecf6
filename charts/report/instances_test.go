package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts/report"
)

const instancesTitle = "## Two instances through NATS"

func renderRuns(t *testing.T, skipped string, runs ...report.Run) string {
	t.Helper()
	var buf bytes.Buffer
	in := report.Input{Machine: "test machine", Generated: "2026-11-25T08:00:00Z", Command: "pushlab report",
		Runs: runs, FigDir: t.TempDir(), FigLink: "report", InstancesSkipped: skipped}
	if _, err := report.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func fixture(t *testing.T) *bench.Results {
	t.Helper()
	r, err := bench.ReadResults(filepath.Join("..", "testdata", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The run across two instances gets its own section, its latency beside
// the one-instance comparison of the same scenario.
func TestTheRunAcrossInstancesStandsBesideTheDefault(t *testing.T) {
	base, two := fixture(t), fixture(t)
	two.Scenario.Instances, two.Scenario.Broker = 2, "nats://127.0.0.1:4222"
	two.Environment.Instances, two.Environment.Broker = 2, "nats://127.0.0.1:4222"
	for i := range two.Points[0].Transports {
		two.Points[0].Transports[i].Latency.P50 += 300 // the broker hop, in µs
	}
	md := renderRuns(t, "", report.Run{Name: "default", Command: "pushlab bench", Results: base},
		report.Run{Name: "nats", Command: "pushlab bench --instances 2 --broker nats://127.0.0.1:4222", Results: two})

	at := strings.Index(md, instancesTitle)
	if at < 0 {
		t.Fatalf("no %q section:\n%s", instancesTitle, md)
	}
	section := md[at:]
	for _, want := range []string{"2 `pushlab serve --broker` instances sharing `nats://127.0.0.1:4222`", "one clock", "sums over the instances"} {
		if !strings.Contains(section, want) {
			t.Errorf("section lacks %q", want)
		}
	}
	tb := find(t, tables(section), "transport", "clients")
	if len(tb.rows) != 4 {
		t.Fatalf("%d rows, want 4", len(tb.rows))
	}
	for _, row := range tb.rows {
		one := transportOf(t, base, 0, row["transport"])
		got := transportOf(t, two, 0, row["transport"])
		near(t, got.Transport+" p50", row["p50 (ms)"], float64(got.Latency.P50)/1000)
		near(t, got.Transport+" one instance p50", row["one instance p50 (ms)"], float64(one.Latency.P50)/1000)
		near(t, got.Transport+" one instance p99", row["one instance p99 (ms)"], float64(one.Latency.P99)/1000)
		near(t, got.Transport+" delivered", row["delivered"], float64(got.Delivered))
		near(t, got.Transport+" chat missed", row["chat missed"], float64(got.ChatMissed))
	}
	if !strings.Contains(section, "the broker hop moved WebSocket's median") {
		t.Errorf("no reading of the broker hop:\n%s", section)
	}
	// The run is not taken for the default comparison.
	if strings.Count(md, "## Default comparison") != 1 {
		t.Errorf("want one default comparison")
	}
}

// A suite that ran without a broker says so; saved results without a run
// across instances render no such section.
func TestTheReportSaysWhyTheRunAcrossInstancesIsMissing(t *testing.T) {
	base := report.Run{Name: "default", Command: "pushlab bench", Results: fixture(t)}
	md := renderRuns(t, "no `--broker` was given", base)
	if !strings.Contains(md, instancesTitle+"\n\nSkipped: no `--broker` was given.") {
		t.Errorf("no skipped section:\n%s", md[strings.Index(md, "## Header"):])
	}
	if md := renderRuns(t, "", base); strings.Contains(md, instancesTitle) {
		t.Errorf("a section for a run that was never asked for")
	}
}
