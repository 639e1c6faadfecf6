package report_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts/report"
)

// fixtureFiles are rendered in this order: the first run of each swept
// parameter is the one the sweep tables below are checked against.
var fixtureFiles = []string{"results.json", "results-clients.json", "results-interval.json", "results-rtt.json",
	"results-rate.json", "results-rate-cache.json", "results-rtt-4hz.json", "results-bozdag.json",
	"results-capacity-1s.json", "results-capacity-250ms.json", "results-capacity-30s.json"}

var labels = map[string]string{"short poll": "short", "long poll": "long", "WebSocket": "ws", "SSE": "sse",
	"short poll (cache-timed)": "short"}

// fixtureReport is the report rendered once from the charts package's
// fixtures; the tests read it.
var fixtureReport struct {
	once sync.Once
	md   string
	lit  string // literature.md
	runs map[string]*bench.Results
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureReport.dir != "" {
		os.RemoveAll(fixtureReport.dir)
	}
	os.Exit(code)
}

// writeFixtureReport renders report.md once from the fixtures; runs are
// the fixtures by file name.
func writeFixtureReport(t *testing.T) (string, map[string]*bench.Results, string) {
	t.Helper()
	f := &fixtureReport
	f.once.Do(func() { f.md, f.lit, f.runs, f.dir, f.err = renderFixtures() })
	if f.err != nil {
		t.Fatal(f.err)
	}
	return f.md, f.runs, f.dir
}

// writeFixtureLiterature is literature.md from the same fixtures.
func writeFixtureLiterature(t *testing.T) (string, map[string]*bench.Results) {
	t.Helper()
	_, runs, _ := writeFixtureReport(t)
	return fixtureReport.lit, runs
}

func renderFixtures() (md, lit string, runs map[string]*bench.Results, dir string, err error) {
	dir, err = os.MkdirTemp("", "report-test")
	if err != nil {
		return "", "", nil, "", err
	}
	in := report.Input{Machine: "test machine", Generated: "2026-11-25T08:00:00Z", Command: "pushlab report --from fixtures",
		FigDir: dir, FigLink: "report"}
	runs = map[string]*bench.Results{}
	for _, f := range fixtureFiles {
		r, err := bench.ReadResults(filepath.Join("..", "testdata", f))
		if err != nil {
			return "", "", nil, dir, err
		}
		runs[f] = r
		in.Runs = append(in.Runs, report.Run{Name: f, Command: "pushlab bench " + f, Data: "report/data/" + f, Results: r})
	}
	var buf, lbuf bytes.Buffer
	if _, err := report.Write(&buf, in); err != nil {
		return "", "", nil, dir, err
	}
	if err := report.WriteLiterature(&lbuf, in); err != nil {
		return "", "", nil, dir, err
	}
	if keep := os.Getenv("REPORT_KEEP"); keep != "" {
		os.WriteFile(filepath.Join(keep, "report.md"), buf.Bytes(), 0o644)
		os.WriteFile(filepath.Join(keep, "literature.md"), lbuf.Bytes(), 0o644)
	}
	return buf.String(), lbuf.String(), runs, dir, nil
}

// table is a markdown table: its header cells and its rows keyed by header.
type table struct {
	header []string
	rows   []map[string]string
}

func tables(md string) []table {
	var out []table
	var cur *table
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cur = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case cur == nil:
			out = append(out, table{header: cells})
			cur = &out[len(out)-1]
		case strings.HasPrefix(cells[0], "--") || strings.HasPrefix(cells[0], "-"):
		default:
			row := map[string]string{}
			for i, c := range cells {
				row[cur.header[i]] = c
			}
			cur.rows = append(cur.rows, row)
		}
	}
	return out
}

func find(t *testing.T, ts []table, first, second string) table {
	t.Helper()
	for _, tb := range ts {
		if len(tb.header) > 1 && tb.header[0] == first && tb.header[1] == second {
			return tb
		}
	}
	t.Fatalf("no table with header %q, %q", first, second)
	return table{}
}

// near checks that a printed number equals want to the precision printed.
func near(t *testing.T, what, got string, want float64) {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(got, ",", ""), 64)
	if err != nil {
		t.Errorf("%s: %q is not a number", what, got)
		return
	}
	decimals := 0
	if i := strings.IndexByte(got, '.'); i >= 0 {
		decimals = len(got) - i - 1
	}
	if tol := 0.5*math.Pow(10, -float64(decimals)) + 1e-9; math.Abs(v-want) > tol {
		t.Errorf("%s: report says %s, fixture gives %v", what, got, want)
	}
}

func transportOf(t *testing.T, r *bench.Results, point int, lbl string) bench.TransportResult {
	t.Helper()
	for _, tr := range r.Points[point].Transports {
		if tr.Transport == labels[lbl] {
			return tr
		}
	}
	t.Fatalf("no transport %q at point %d", lbl, point)
	return bench.TransportResult{}
}

func TestReportTablesEqualTheFixture(t *testing.T) {
	md, runs, _ := writeFixtureReport(t)
	ts := tables(md)
	base := runs["results.json"]

	lat := find(t, ts, "transport", "clients")
	if len(lat.rows) != 4 {
		t.Fatalf("latency table has %d rows, want 4", len(lat.rows))
	}
	for _, row := range lat.rows {
		tr := transportOf(t, base, 0, row["transport"])
		near(t, tr.Transport+" clients", row["clients"], float64(tr.Clients))
		near(t, tr.Transport+" delivered", row["delivered"], float64(tr.Delivered))
		near(t, tr.Transport+" missed", row["missed"], float64(tr.Missed))
		near(t, tr.Transport+" chat missed", row["chat missed"], float64(tr.ChatMissed))
		near(t, tr.Transport+" p50", row["p50"], float64(tr.Latency.P50)/1000)
		near(t, tr.Transport+" p90", row["p90"], float64(tr.Latency.P90)/1000)
		near(t, tr.Transport+" p99", row["p99"], float64(tr.Latency.P99)/1000)
		near(t, tr.Transport+" p99.9", row["p99.9"], float64(tr.Latency.P999)/1000)
		near(t, tr.Transport+" max", row["max"], float64(tr.Latency.Max)/1000)
	}

	cost := find(t, ts, "transport", "requests")
	secs := base.Points[0].Duration
	for _, row := range cost.rows {
		tr := transportOf(t, base, 0, row["transport"])
		near(t, tr.Transport+" requests", row["requests"], float64(tr.Requests))
		near(t, tr.Transport+" requests/s", row["requests/s"], float64(tr.Requests)/secs)
		near(t, tr.Transport+" empty", row["empty (%)"], float64(tr.Empty)/float64(tr.Requests)*100)
		near(t, tr.Transport+" bytes up", row["bytes up"], float64(tr.BytesUp))
		near(t, tr.Transport+" bytes down", row["bytes down"], float64(tr.BytesDown))
		near(t, tr.Transport+" kbit/s", row["kbit/s"], float64(tr.BytesUp+tr.BytesDown)*8/secs/1000)
		near(t, tr.Transport+" B/update", row["B/update"], tr.BytesPerUpdate)
		near(t, tr.Transport+" received", row["received"], float64(tr.Received))
		payload := float64(tr.PayloadBytes) / float64(tr.Received)
		near(t, tr.Transport+" payload", row["payload B/update"], payload)
		near(t, tr.Transport+" headers", row["headers+framing B/update"], tr.BytesPerUpdate-payload)
		near(t, tr.Transport+" cpu", row["server CPU (s)"], tr.ServerCPU)
		near(t, tr.Transport+" cpu/1k", row["CPU ms/1k deliveries"], tr.ServerCPU*1e6/float64(tr.Delivered))
	}

	// The fixture's short poll carries 121 + 146 header bytes, WS frames 4 B.
	short := transportOf(t, base, 0, "short poll")
	ws := transportOf(t, base, 0, "WebSocket")
	sse := transportOf(t, base, 0, "SSE")
	over := find(t, ts, "clients, 1 update/s each", "polling, historical (Mbit/s)")
	wantHist := [][2]string{{"6.6", "0.015"}, {"66", "0.153"}, {"665", "1.526"}}
	for i, n := range []float64{1000, 10000, 100000} {
		row := over.rows[i]
		near(t, "overhead clients", row["clients, 1 update/s each"], n)
		near(t, "polling measured", row["polling, measured (Mbit/s)"], n*(short.RequestHeaderBytes+short.ResponseHeaderBytes)*8/(1<<20))
		near(t, "ws measured", row["WebSocket, measured (Mbit/s)"], n*ws.FrameOverheadBytes*8/(1<<20))
		near(t, "sse measured", row["SSE, measured (Mbit/s)"], n*sse.FrameOverheadBytes*8/(1<<20))
		if row["polling, historical (Mbit/s)"] != wantHist[i][0] || row["WebSocket, historical (Mbit/s)"] != wantHist[i][1] {
			t.Errorf("historical row %d: %v", i, row)
		}
	}

	for _, sw := range []struct {
		sweep, file string
		perPoint    int // rows a point takes: its transports, and a variant's
	}{
		{"clients", "results-clients.json", 4}, {"interval", "results-interval.json", 4}, {"rtt", "results-rtt.json", 4},
		{"rate", "results-rate.json", 5},
	} {
		sweep, r := sw.sweep, runs[sw.file]
		tb := find(t, ts, sweep, "transport")
		if want := len(r.Points) * sw.perPoint; len(tb.rows) != want {
			t.Fatalf("%s sweep table has %d rows, want %d", sweep, len(tb.rows), want)
		}
		for k, row := range tb.rows {
			point := k / sw.perPoint
			if row["transport"] == "short poll (cache-timed)" {
				r := runs["results-rate-cache.json"]
				tr := transportOf(t, r, point, row["transport"])
				near(t, "cache-timed p50", row["p50 (ms)"], float64(tr.Latency.P50)/1000)
				near(t, "cache-timed B/s per client", row["B/s per client"], tr.BytesPerClientSecond(r.Points[point].Duration))
				continue
			}
			tr := transportOf(t, r, point, row["transport"])
			secs := r.Points[point].Duration
			if got, want := row[sweep], r.PointLabel(point); sweep+"="+got != want {
				t.Errorf("%s row %d: sweep value %q, want %q", sweep, k, got, want)
			}
			near(t, sweep+" delivered", row["delivered"], float64(tr.Delivered))
			near(t, sweep+" p50", row["p50 (ms)"], float64(tr.Latency.P50)/1000)
			near(t, sweep+" p99", row["p99 (ms)"], float64(tr.Latency.P99)/1000)
			near(t, sweep+" Mbit/s", row["Mbit/s"], float64(tr.BytesUp+tr.BytesDown)*8/secs/1e6)
			near(t, sweep+" cpu/1k", row["CPU ms/1k deliveries"], tr.ServerCPU*1e6/float64(tr.Delivered))
		}
	}
}

func TestReportLinksEveryChartItDrew(t *testing.T) {
	md, _, dir := writeFixtureReport(t)
	links := regexp.MustCompile(`\]\(report/([^)]+\.(?:png|svg))\)`).FindAllStringSubmatch(md, -1)
	want := []string{"latency-cdf", "bytes-per-update", "requests", "bandwidth-vs-clients", "cpu-vs-clients", "latency-vs-interval", "bytes-vs-interval", "latency-vs-rtt",
		"bytes-per-update-vs-rate", "bandwidth-per-client-vs-rate", "requests-vs-rate", "empty-vs-rate", "latency-vs-rate", "capacity-vs-mal",
		// The clients and RTT sweeps are drawn twice (the fixtures hold two
		// of each): the second time under names of their own.
		"bandwidth-vs-clients-2", "cpu-vs-clients-2", "latency-vs-rtt-2"}
	seen := map[string]bool{}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, l[1])); err != nil {
			t.Errorf("report links %s, which was not written: %v", l[1], err)
		}
		seen[l[1]] = true
	}
	for _, w := range want {
		if !seen[w+".png"] || !seen[w+".svg"] {
			t.Errorf("report does not link %s.png and %s.svg", w, w)
		}
	}
	if n := strings.Count(md, "**Reading.**"); n != len(want) {
		t.Errorf("%d readings, want one per chart (%d)", n, len(want))
	}
}
