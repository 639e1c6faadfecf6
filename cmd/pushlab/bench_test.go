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
	// A certificate without its key, for --tls --cert --key.
	dir := t.TempDir()
	cert, err := server.SelfSignedCert()
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "cert.pem")
	if err := server.WriteCertFiles(cert, certFile, filepath.Join(dir, "key.pem")); err != nil {
		t.Fatal(err)
	}
	missingKey := filepath.Join(dir, "missing-key.pem")
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
		{"unknown profile", []string{"--profile", "nope"}, "profile"},
		{"no runs", []string{"--repeat", "0"}, "repeat"},
		{"negative cookie", []string{"--cookie-bytes", "-1"}, "cookie-bytes"},
		{"huge cookie", []string{"--cookie-bytes", "1000000"}, "cookie-bytes"},
		{"tls without its key", []string{"--tls", "--cert", certFile, "--key", missingKey}, "missing-key.pem"},
		{"cert without key", []string{"--cert", certFile}, "key"},
		{"http1 without tls", []string{"--http1"}, "http1"},
		{"tls to a plain target", []string{"--tls", "--target", "http://127.0.0.1:1"}, "https://"},
		{"ca for no https", []string{"--ca", certFile, "--transports", "ws"}, "ca"},
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
