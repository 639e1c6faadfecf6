package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

func TestBenchBadInputIsOneLineAndExitStatus2(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown transport", []string{"--transports", "short,smoke-signals"}, "unknown transport"},
		{"negative rate", []string{"--rate", "-5"}, "rate"},
		{"unreachable target", []string{"--target", "http://127.0.0.1:1", "--transports", "ws"}, "unreachable"},
		{"unknown scenario", []string{"--scenario", "no-such-scenario"}, "no-such-scenario"},
		{"bad sweep", []string{"--sweep", "clients"}, "sweep"},
		{"bad duration", []string{"--duration", "forever"}, "duration"},
		{"stray argument", []string{"now"}, "unexpected argument"},
		{"no latency bound", []string{"--capacity", "--mal", "0"}, "mal"},
		{"quantile above 1", []string{"--capacity", "--quantile", "1.5"}, "quantile"},
		{"capacity with a sweep", []string{"--capacity", "--sweep", "rate=1,2"}, "sweep"},
		{"bound without capacity", []string{"--mal", "1s"}, "only with --capacity"},
		{"unknown poll schedule", []string{"--poll-schedule", "whenever"}, "fixed or cache"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runBench(c.args, &stdout, &stderr)
			msg := stderr.String()
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, msg)
			}
			if strings.Count(strings.TrimSpace(msg), "\n") != 0 || !strings.Contains(msg, c.want) {
				t.Errorf("stderr %q, want one line about %q", msg, c.want)
			}
			if strings.Contains(msg, "goroutine") || strings.Contains(msg, "panic") {
				t.Errorf("stack trace on stderr: %q", msg)
			}
		})
	}
}

// A run against a target server: the summary on stdout, both result files
// written, and the results readable by the charts and the report.
func TestBenchAgainstATargetWritesSummaryAndResults(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 128})
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := runBench([]string{"--target", s.URL, "--transports", "long,ws", "--clients", "2",
		"--ramp-up", "0s", "--warmup", "200ms", "--duration", "500ms", "--chat-rate", "0", "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"transport", "p50", "B/update", "long", "ws", "results.json"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
	// stderr is not a terminal here: progress comes as plain lines.
	if !strings.Contains(stderr.String(), "bench: ws: measuring 500ms") || strings.Contains(stderr.String(), "\r") {
		t.Errorf("progress lines: %q", stderr.String())
	}
	r, err := bench.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 1 || len(r.Points[0].Transports) != 2 || r.Points[0].Transports[1].Delivered == 0 {
		t.Errorf("results: %+v", r.Points)
	}
	f, err := os.Open(filepath.Join(out, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][2] != "transport" || rows[2][2] != "ws" {
		t.Errorf("results.csv: %v %v", err, rows)
	}
}
