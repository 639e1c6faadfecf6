package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts/report"
	"github.com/pushlab/pushlab/transport"
)

// A default comparison that ran the floor gets a section setting every
// transport against it, with the ratios the results hold; one without a
// floor (every fixture recorded before it) gets none.
func TestReportSetsTransportsAgainstTheFloor(t *testing.T) {
	r, err := bench.ReadResults(filepath.Join("..", "testdata", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	render := func(r *bench.Results) string {
		var buf bytes.Buffer
		in := report.Input{Machine: "test machine", Generated: "2026-11-28T08:00:00Z", Command: "pushlab report",
			FigDir: t.TempDir(), FigLink: "report", Runs: []report.Run{{Name: "default", Command: "pushlab bench", Data: "d", Results: r}}}
		if _, err := report.Write(&buf, in); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if md := render(r); strings.Contains(md, "## Push against the floor") {
		t.Error("a run without the floor got a floor section")
	}

	// The same run with a floor row: the WebSocket's figures at half its
	// latency and two thirds of its CPU.
	pt := &r.Points[0]
	var ws bench.TransportResult
	for _, tr := range pt.Transports {
		if tr.Transport == transport.WS {
			ws = tr
		}
	}
	floor := ws
	floor.Transport = transport.Floor
	floor.Latency.P50, floor.Latency.P99 = ws.Latency.P50/2, ws.Latency.P99/2
	floor.ServerCPU = ws.ServerCPU * 2 / 3
	pt.Transports = append(pt.Transports, floor)
	pt.CompareWithFloor()
	md := render(r)
	if !strings.Contains(md, "## Push against the floor") {
		t.Fatal("no floor section")
	}
	section := md[strings.Index(md, "## Push against the floor"):]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	for _, tr := range pt.Transports {
		row := "| " + transport.Label(tr.Transport) + " |"
		line := ""
		for _, l := range strings.Split(section, "\n") {
			if strings.HasPrefix(l, row) {
				line = l
			}
		}
		if line == "" {
			t.Errorf("%s: no row in\n%s", tr.Transport, section)
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		switch tr.Transport {
		case transport.Floor:
			near(t, "floor × floor p99", cells[5], 1)
		case transport.WS:
			near(t, "ws × floor p50", cells[4], 2)
			near(t, "ws × floor p99", cells[5], 2)
			near(t, "ws × floor CPU", cells[6], 1.5)
		default:
			near(t, tr.Transport+" × floor p99", cells[5], tr.VsFloor.P99)
		}
	}
}

// The floor is a yardstick, not an answer: a rate sweep in which it is the
// cheapest and fastest at every point still has the verdict and the
// headline choose among what a page can speak.
func TestTheVerdictNeverChoosesTheFloor(t *testing.T) {
	r, err := bench.ReadResults(filepath.Join("..", "testdata", "results-rate.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Points {
		pt := &r.Points[i]
		for _, tr := range pt.Transports {
			if tr.Transport == transport.WS {
				floor := tr
				floor.Transport = transport.Floor
				floor.BytesUp, floor.BytesDown = tr.BytesUp/2, tr.BytesDown/2
				floor.Latency.P50, floor.Latency.P99 = tr.Latency.P50/2, tr.Latency.P99/2
				floor.ServerCPU = tr.ServerCPU / 2
				pt.Transports = append(pt.Transports, floor)
				break
			}
		}
	}
	var buf bytes.Buffer
	in := report.Input{Machine: "test machine", Generated: "2026-11-28T08:00:00Z", Command: "pushlab report",
		FigDir: t.TempDir(), FigLink: "report", Runs: []report.Run{{Name: "rate", Command: "pushlab bench --sweep rate=...", Data: "d", Results: r}}}
	if _, err := report.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	start, end := strings.Index(md, "## Headline"), strings.Index(md, "## Which should I use?")
	verdict := md[end:]
	if next := strings.Index(verdict[3:], "\n## "); next >= 0 {
		verdict = verdict[:next+3]
	}
	floor := transport.Label(transport.Floor)
	if !strings.Contains(md[start:end], "| "+floor+" |") {
		t.Errorf("the headline table does not show the floor beside the others")
	}
	if strings.Contains(verdict, "**"+floor+"**") || strings.Contains(verdict, floor+" costs the least") {
		t.Errorf("the verdict chose the floor:\n%s", verdict)
	}
	if strings.Contains(md[start:end], "were "+floor+"'s") {
		t.Errorf("the headline reads the floor as the answer:\n%s", md[start:end])
	}
}
