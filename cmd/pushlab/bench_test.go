package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state/broker/brokertest"
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
		{"instances without a broker", []string{"--instances", "2"}, "needs --broker"},
		{"instances and a target", []string{"--instances", "2", "--broker", "nats://127.0.0.1:4222", "--target", "http://127.0.0.1:1"}, "--target"},
		{"malformed broker URL", []string{"--instances", "2", "--broker", "nats//127.0.0.1:4222"}, "broker"},
		{"a target list with an unreachable one", []string{"--target", "http://127.0.0.1:1,http://127.0.0.1:2", "--transports", "ws"}, "unreachable"},
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

// An unreachable broker stops `pushlab bench --instances` at its first
// child server, with that server's one line and exit status 2, in well
// under the time the child is given to start.
func TestBenchWithAnUnreachableBrokerExits2(t *testing.T) {
	b := brokertest.Start(t)
	gone := b.URL()
	b.Stop()                          // nothing listens there now
	t.Setenv("PUSHLAB_RUN_MAIN", "1") // the child server is this test binary, as pushlab
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := runBench([]string{"--instances", "2", "--broker", gone, "--transports", "ws", "--server", os.Args[0]}, &stdout, &stderr)
	msg := strings.TrimSpace(stderr.String())
	if code != 2 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "broker") {
		t.Errorf("exit %d, stderr %q: want 2 and one line about the broker", code, msg)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s to give up", d)
	}
}
