package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/charts/report"
)

// literature.md has each study's setting, claim, command, measured figures
// (the fixtures') and verdict, and the references.
func TestLiteratureReplaysEachStudyFromTheResults(t *testing.T) {
	lit, runs := writeFixtureLiterature(t)
	sections := strings.Split(lit, "\n## ")
	if len(sections) != 5 { // title, three studies, references
		t.Fatalf("%d sections, want the title, three studies and the references", len(sections))
	}
	for i, study := range sections[1:4] {
		for _, part := range []string{"**Setting.**", "**Claim.**", "**Here.**", "`pushlab bench ", "**Measured", "**Does it hold?**"} {
			if !strings.Contains(study, part) {
				t.Errorf("study %d lacks %s", i+1, part)
			}
		}
	}

	// Lubbers and Greco: the header and frame sizes of the default run.
	short := transportOf(t, runs["results.json"], 0, "short poll")
	ws := transportOf(t, runs["results.json"], 0, "WebSocket")
	tb := find(t, tables(sections[1]), "figure", "Lubbers and Greco")
	near(t, "headers per poll", tb.rows[0]["this lab"], short.HeaderBytes())
	near(t, "framing per update", tb.rows[1]["this lab"], ws.FrameOverheadBytes)

	// Pimentel and Nickerson: one row per RTT of the 4 Hz sweep; in the
	// fixture long polling keeps up exactly while the one-way latency is
	// under 125 ms, so the claim holds.
	rtt := runs["results-rtt-4hz.json"]
	tb = find(t, tables(sections[2]), "RTT", "one-way")
	if len(tb.rows) != len(rtt.Points) {
		t.Fatalf("Pimentel: %d rows, want %d", len(tb.rows), len(rtt.Points))
	}
	for i, row := range tb.rows {
		long := transportOf(t, rtt, i, "long poll")
		p50 := strings.Split(row["long poll"], " / ")[0]
		near(t, "long poll p50 at "+row["RTT"], p50, float64(long.Latency.P50)/1000)
		if row["long poll timely?"] != row["one-way below half the interval?"] {
			t.Errorf("at %s the fixture's long poll should follow the rule: %v", row["RTT"], row)
		}
	}
	if !strings.Contains(sections[2], "For long polling, it holds") {
		t.Error("Pimentel: the claim should hold for the fixture")
	}

	// Bozdag et al.: push did not cost 7 times the CPU of pull.
	if !strings.Contains(sections[3], "The 7:1 CPU ratio does not hold") || !strings.Contains(sections[3], "Saturation at 350 to 500 users does not hold") {
		t.Error("Bozdag: the fixture's figures should contradict both claims")
	}
	for _, ref := range []string{"websocket.org/quantum.html", "doi:10.1109/MIC.2012.64", "arXiv:0706.3984"} {
		if !strings.Contains(sections[4], ref) {
			t.Errorf("references lack %s", ref)
		}
	}
}

// Without the runs a study needs, it says what to run instead of making a
// figure up.
func TestLiteratureSaysWhatIsNotMeasured(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteLiterature(&buf, report.Input{Machine: "m", Generated: "now", Command: "pushlab report"}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "*Not measured in these results"); n != 3 {
		t.Errorf("%d studies say they were not measured, want 3:\n%s", n, buf.String())
	}
}
