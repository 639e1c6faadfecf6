package report_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts/report"
)

// option is one transport (or cache-timed short polling) at one rate of
// the rate fixtures, as the verdict should have weighed it.
type fixtureOption struct {
	name     string
	p99ms    float64
	bytesPer float64
}

// fixtureOptions reads the rate fixtures independently of the report's
// code: each transport of the rate sweep and cache-timed short polling, at
// each rate.
func fixtureOptions(t *testing.T, runs map[string]*bench.Results) map[string][]fixtureOption {
	t.Helper()
	out := map[string][]fixtureOption{}
	add := func(r *bench.Results, cache bool) {
		for i, p := range r.Points {
			rate := r.Points[i].Sweep.Value.String()
			for _, tr := range p.Transports {
				name := map[string]string{"short": "short poll", "long": "long poll", "ws": "WebSocket", "sse": "SSE"}[tr.Transport]
				if cache {
					name += " (cache-timed)"
				}
				out[rate] = append(out[rate], fixtureOption{name, float64(tr.Latency.P99) / 1000,
					float64(tr.BytesUp+tr.BytesDown) / float64(tr.Clients) / p.Duration})
			}
		}
	}
	add(runs["results-rate.json"], false)
	add(runs["results-rate-cache.json"], true)
	return out
}

var cellRE = regexp.MustCompile(`^\*\*(.+?)\*\* ([0-9.]+) B/s per client(?:; then (.+?) ([0-9.]+) B/s per client)?$`)

// Every cell of the verdict's byte table names the option that meets the
// need (99% within it) at the lowest bytes per client per second of those
// measured at the row's rate, with its figure, and the runner-up with its
// own; a need nothing meets says so.
func TestWhichShouldIUseNamesTheCheapestThatMeetsEachNeed(t *testing.T) {
	md, runs, _ := writeFixtureReport(t)
	opts := fixtureOptions(t, runs)
	section := md[strings.Index(md, "## Which should I use?"):]
	section = section[:strings.Index(section, "### By server CPU")]
	tb := find(t, tables(section), "updates/s", "99% under 100 ms")
	if len(tb.rows) != len(runs["results-rate.json"].Points) {
		t.Fatalf("%d rows, want one per rate", len(tb.rows))
	}
	for _, row := range tb.rows {
		rate := row["updates/s"]
		for _, need := range []struct {
			col string
			ms  float64
		}{{"99% under 100 ms", 100}, {"99% under 1 s", 1000}, {"99% under 10 s", 10000}} {
			var meets []fixtureOption
			for _, o := range opts[rate] {
				if o.p99ms > 0 && o.p99ms <= need.ms {
					meets = append(meets, o)
				}
			}
			for i := 1; i < len(meets); i++ { // stable insertion sort by bytes: ties keep table order
				for j := i; j > 0 && meets[j].bytesPer < meets[j-1].bytesPer; j-- {
					meets[j], meets[j-1] = meets[j-1], meets[j]
				}
			}
			got := row[need.col]
			if len(meets) == 0 {
				if got != "none meets it" {
					t.Errorf("rate %s, %s: %q, want none meets it", rate, need.col, got)
				}
				continue
			}
			m := cellRE.FindStringSubmatch(got)
			if m == nil {
				t.Errorf("rate %s, %s: cell %q", rate, need.col, got)
				continue
			}
			if m[1] != meets[0].name {
				t.Errorf("rate %s, %s: chose %s, the fixture's cheapest that meets it is %s", rate, need.col, m[1], meets[0].name)
			}
			nearSig3(t, fmt.Sprintf("rate %s %s", rate, m[1]), m[2], meets[0].bytesPer)
			if len(meets) > 1 && (m[3] != meets[1].name || m[4] == "") {
				t.Errorf("rate %s, %s: runner-up %q, want %s", rate, need.col, m[3], meets[1].name)
			}
		}
	}
	for _, want := range []string{
		"(report/data/results-rate.json)", "(report/data/results-rate-cache.json)",
		"### Where the lines cross", "### Where the round trip changes the answer", "At 4 updates/s, for 99% of updates under 100 ms",
		"### Where the clients change the answer", "*Not measured in this report: the answer is read from the default comparison run again with other clients",
		"<summary>The same, in words</summary>",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the verdict lacks %q", want)
		}
	}
}

// nearSig3 checks a figure printed with three significant digits.
func nearSig3(t *testing.T, what, got string, want float64) {
	t.Helper()
	v, err := strconv.ParseFloat(got, 64)
	if err != nil {
		t.Errorf("%s: %q is not a number", what, got)
		return
	}
	if d := v - want; d > 0.006*want+0.001 || d < -0.006*want-0.001 {
		t.Errorf("%s: report says %s, fixture gives %v", what, got, want)
	}
}

// The headline has both regimes of the rate sweep, its slowest rate and
// 10 updates/s, each with every transport and cache-timed polling, their
// figures the fixtures'.
func TestHeadlineCoversRareAndFrequentUpdates(t *testing.T) {
	md, runs, _ := writeFixtureReport(t)
	tb := find(t, tables(md), "regime", "transport")
	if len(tb.rows) != 10 {
		t.Fatalf("%d rows, want 2 regimes × (4 transports + cache-timed)", len(tb.rows))
	}
	for _, row := range tb.rows {
		file, point := "results-rate.json", map[string]int{"0.1 updates/s": 0, "10 updates/s": 5}[row["regime"]]
		if strings.Contains(row["transport"], "cache-timed") {
			file = "results-rate-cache.json"
		}
		r := runs[file]
		tr := transportOf(t, r, point, row["transport"])
		near(t, row["regime"]+" "+row["transport"]+" p99", row["p99 (ms)"], float64(tr.Latency.P99)/1000)
		near(t, row["regime"]+" "+row["transport"]+" empty", row["empty (%)"], 100*tr.EmptyShare())
	}
	if !strings.Contains(md, "At 0.1 updates/s the fewest bytes per client were") || !strings.Contains(md, "At 10 updates/s the fewest bytes per client were") {
		t.Error("the headline does not say who was cheapest in each regime")
	}
}

// The capacity table has a row per bound and transport with the fixture's
// capacity and what stopped it, and the reading says where polling
// catches up with push.
func TestCapacityTableAndParity(t *testing.T) {
	md, runs, _ := writeFixtureReport(t)
	tb := find(t, tables(md), "MAL", "transport")
	if len(tb.rows) != 6 {
		t.Fatalf("%d rows, want 3 bounds × 2 transports", len(tb.rows))
	}
	wantOrder := []string{"250ms", "250ms", "1s", "1s", "30s", "30s"}
	for k, row := range tb.rows {
		if row["MAL"] != wantOrder[k] {
			t.Errorf("row %d: MAL %s, want %s (bounds in order)", k, row["MAL"], wantOrder[k])
		}
		r := runs["results-capacity-"+row["MAL"]+".json"]
		tr := transportOf(t, r, 0, row["transport"])
		near(t, row["MAL"]+" "+row["transport"]+" clients", row["clients"], float64(tr.Capacity.Clients))
		if row["limited by"] != tr.Capacity.LimitedBy {
			t.Errorf("%s %s: limited by %s, fixture %s", row["MAL"], row["transport"], row["limited by"], tr.Capacity.LimitedBy)
		}
	}
	if !regexp.MustCompile(`From a MAL of \S+ on, short polling \(every \S+ at that bound\) served as many clients as WebSocket|Short polling never served as many clients as push`).MatchString(md) {
		t.Error("the capacity reading does not say where polling serves as many clients as push")
	}
}

// With the default comparison run again with other clients, the verdict
// says per need whether the cheapest transport changed. Here the variant's
// short polls are made cheap (200 B/s per client against WebSocket's 688),
// so it wins every need its 248 ms p99 meets, and WebSocket keeps the one
// it does not.
func TestTheVerdictSaysWhereTheClientsChangeTheAnswer(t *testing.T) {
	load := func(f string) *bench.Results {
		r, err := bench.ReadResults(filepath.Join("..", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ref, cheap := load("results.json"), load("results.json")
	ref.Scenario.Profile, cheap.Scenario.Profile = bench.ProfileBrowser, bench.ProfileBrowser
	cheap.Scenario.TLS = true
	for i, tr := range cheap.Points[0].Transports {
		if tr.Transport == "short" {
			cheap.Points[0].Transports[i].BytesUp, cheap.Points[0].Transports[i].BytesDown = 100_000, 100_000 // 50 clients, 20 s
		}
	}
	in := report.Input{Machine: "test", Generated: "now", Command: "pushlab report", FigDir: t.TempDir(), FigLink: "report"}
	for _, r := range []struct {
		name string
		res  *bench.Results
	}{{"default", ref}, {"h2", cheap}, {"rate", load("results-rate.json")}} {
		in.Runs = append(in.Runs, report.Run{Name: r.name, Command: r.res.Scenario.Command(), Data: "x/" + r.name + ".json", Results: r.res})
	}
	var buf bytes.Buffer
	if _, err := report.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"under 100 ms, still WebSocket at 688 B/s per client (was 688 B/s per client)",
		"under 1 s, **short poll at 200 B/s per client** instead of WebSocket at 688 B/s per client",
		"under 10 s, **short poll at 200 B/s per client** instead of WebSocket at 688 B/s per client",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the verdict lacks %q", want)
		}
	}
}
