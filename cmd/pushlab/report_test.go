package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportRendersSavedResultsWithoutRunningTheBench(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	// --from takes files, and directories holding NAME/results.json as
	// the report's own data directory does.
	saved := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(saved, "clients"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(fixtureDir, "results-clients.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(saved, "clients", "results.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	from := strings.Join([]string{
		filepath.Join(fixtureDir, "results.json"),
		saved,
		filepath.Join(fixtureDir, "results-interval.json"),
		filepath.Join(fixtureDir, "results-rtt.json"),
	}, ",")
	code := runReport([]string{"--from", from, "--out-dir", out, "--machine", "test box"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"on **test box**",
		"## Default comparison", "## Header overhead at scale", "## Clients sweep",
		"## Short-poll interval sweep", "## Round-trip-time sweep",
		"![Latency CDF per transport](report/latency-cdf.png)",
		"pushlab bench --transports short,long,ws,sse --clients 50",
		"--sweep clients=10,100,1000",
	} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	// Saved results without a run across instances render as before.
	if bytes.Contains(md, []byte("Two instances")) {
		t.Errorf("report.md from results without instances has a two-instance section")
	}
	for _, f := range []string{"latency-cdf.png", "latency-cdf.svg", "latency-vs-rtt.png", "bandwidth-vs-clients.svg"} {
		if _, err := os.Stat(filepath.Join(out, "report", f)); err != nil {
			t.Errorf("chart %s not written: %v", f, err)
		}
	}
	if !strings.HasPrefix(stdout.String(), filepath.Join(out, "report.md")+"\n") {
		t.Errorf("stdout should list report.md first: %q", stdout.String())
	}
}

func TestReportRejectsBrokenSavedResults(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range badResults {
		path := filepath.Join(dir, bad.name)
		if err := os.WriteFile(path, []byte(bad.body), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := runReport([]string{"--from", path, "--out-dir", filepath.Join(dir, "out")}, &stdout, &stderr)
		msg := stderr.String()
		if code != 2 || strings.Count(msg, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line", bad.name, code, msg)
		}
		for _, w := range bad.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not name %q", bad.name, msg, w)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if code := runReport([]string{"--from", filepath.Join(dir, "nothere.json")}, &stdout, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "nothere.json") {
		t.Errorf("missing --from file: exit %d, stderr %q", code, stderr.String())
	}
}

// A --broker the report cannot use is refused before the suite runs.
func TestReportRefusesABadBrokerAtOnce(t *testing.T) {
	for name, args := range map[string][]string{
		"malformed":     {"--broker", "nats//127.0.0.1:4222"},
		"not NATS":      {"--broker", "http://127.0.0.1:4222"},
		"with --from":   {"--broker", "nats://127.0.0.1:4222", "--from", filepath.Join(fixtureDir, "results.json")},
		"empty in list": {"--broker", "nats://127.0.0.1:4222,"},
	} {
		var stdout, stderr bytes.Buffer
		code := runReport(append(args, "--out-dir", t.TempDir()), &stdout, &stderr)
		if msg := stderr.String(); code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "broker") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line about --broker", name, code, msg)
		}
	}
}
