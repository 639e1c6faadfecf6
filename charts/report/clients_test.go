package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts/report"
)

// The client variants beside the default comparison: each run's figures
// land in its own column, in the order lean, browser, cookie, HTTPS,
// compressed, whatever order the runs came in; the h2 column leaves the
// header text out; without variants the section is not written.
func TestClientVariantsStandSideBySide(t *testing.T) {
	load := func(set func(*bench.Scenario, *bench.TransportResult)) *bench.Results {
		r, err := bench.ReadResults(filepath.Join("..", "testdata", "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		r.Scenario.Profile = bench.ProfileBrowser
		for i := range r.Points[0].Transports {
			tr := &r.Points[0].Transports[i]
			tr.Protocol = "http/1.1"
			set(&r.Scenario, tr)
		}
		return r
	}
	// Each run's short-poll bytes per update tell its column apart.
	runs := []*bench.Results{
		load(func(sc *bench.Scenario, t *bench.TransportResult) {
			sc.Compress, t.Compressed, t.BytesPerUpdate = true, true, 5
		}),
		load(func(sc *bench.Scenario, t *bench.TransportResult) {
			sc.TLS, t.TLS, t.Protocol, t.BytesPerUpdate = true, true, "h2", 4
			t.RequestHeaderBytes, t.ResponseHeaderBytes = 0, 0
		}),
		load(func(sc *bench.Scenario, t *bench.TransportResult) { t.BytesPerUpdate = 2 }),
		load(func(sc *bench.Scenario, t *bench.TransportResult) { sc.CookieBytes, t.BytesPerUpdate = 2000, 3 }),
		load(func(sc *bench.Scenario, t *bench.TransportResult) {
			sc.Profile, t.BytesPerUpdate = bench.ProfileLean, 1
		}),
	}
	// The default comparison, with chat: not the variants' scenario, so
	// not their reference column.
	def := load(func(sc *bench.Scenario, t *bench.TransportResult) { sc.ChatRate, t.BytesPerUpdate = 7, 99 })
	in := report.Input{Machine: "test", Generated: "now", Command: "pushlab report", FigDir: t.TempDir(), FigLink: "report"}
	in.Runs = append(in.Runs, report.Run{Name: "clients-default", Command: def.Scenario.Command(), Data: "x/results.json", Results: def})
	for _, r := range runs {
		in.Runs = append(in.Runs, report.Run{Name: r.Scenario.Name, Command: r.Scenario.Command(), Data: "x/results.json", Results: r})
	}
	in.Runs[0].Name = "default"
	var buf bytes.Buffer
	if _, err := report.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	bpu := find(t, tables(md), "transport", "lean")
	want := []string{"transport", "lean", "browser", "browser + 2,000 B cookie", "browser, HTTPS (h2)", "browser, compressed"}
	if strings.Join(bpu.header, "|") != strings.Join(want, "|") {
		t.Fatalf("columns %q, want %q", bpu.header, want)
	}
	for i, col := range want[1:] {
		near(t, "short poll, "+col, bpu.rows[0][col], float64(i+1))
	}
	poll := find(t, tables(md), "", "lean")
	for _, row := range poll.rows {
		if strings.HasPrefix(row[""], "request headers") && row["browser, HTTPS (h2)"] != "—" {
			t.Errorf("h2 request headers %q, want left out", row["browser, HTTPS (h2)"])
		}
	}
	if !strings.Contains(md, "**Compression**") {
		t.Error("no compression table")
	}

	if !strings.Contains(md, "`"+def.Scenario.Command()+"` — ") {
		t.Error("the default comparison is not the run named default")
	}

	// The browser run alone: no variants, no section.
	in.Runs = in.Runs[3:4]
	buf.Reset()
	if _, err := report.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "What a browser pays") {
		t.Error("the section was written without variants")
	}
}
