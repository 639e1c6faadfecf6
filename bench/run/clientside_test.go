package run

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// checkAgreesAndDelivers holds each transport's harness bytes against the
// server's counters (within 1%) and wants every update delivered.
// edgeSlack is what a message written at the window's edge may put on one
// side only: counted by the harness inside the window and by the server
// just after it. A WebSocket client here sends a few hundred bytes up in the
// whole window, so one chat frame (64 B compressed, a TLS record around it)
// is more than 1% of it.
const edgeSlack = 128

func checkAgreesAndDelivers(t *testing.T, r *bench.Results) {
	t.Helper()
	off := func(rel float64, a, b int64) bool { return rel > 0.01 && max(a-b, b-a) > edgeSlack }
	for _, tr := range r.Points[0].Transports {
		up, down := tr.ByteAgreement()
		if tr.ServerBytesOut == 0 || off(up, tr.BytesUp, tr.ServerBytesIn) || off(down, tr.BytesDown, tr.ServerBytesOut) {
			t.Errorf("%s: harness up %d down %d, server in %d out %d: want within 1%%",
				tr.Transport, tr.BytesUp, tr.BytesDown, tr.ServerBytesIn, tr.ServerBytesOut)
		}
		if tr.Delivered == 0 || tr.Missed != 0 || tr.ChatMissed != 0 || tr.Errors != 0 {
			t.Errorf("%s: %d delivered, %d missed, %d chat missed, %d errors", tr.Transport, tr.Delivered, tr.Missed, tr.ChatMissed, tr.Errors)
		}
	}
}

// `pushlab bench --tls`: the child serves a certificate made for the run,
// the clients trust it; HTTP transports speak h2 and WebSocket HTTP/1.1;
// bytes counted beneath TLS agree with the server's. `--compress`: every
// transport comes compressed, still agrees and still delivers everything.
func TestChildOverTLSAndCompressed(t *testing.T) {
	bin := buildPushlab(t)
	args := []string{"--transports", "short,long,sse,ws", "--clients", "3", "--rate", "20", "--chat-rate", "1",
		"--interval", "200ms", "--ramp-up", "0s", "--warmup", "300ms", "--duration", "1s"}

	t.Run("tls", func(t *testing.T) {
		r, err := Run(context.Background(), scenario(t, append(args, "--tls")...), Options{ServerBinary: bin})
		if err != nil {
			t.Fatal(err)
		}
		checkAgreesAndDelivers(t, r)
		for _, tr := range r.Points[0].Transports {
			want := "h2"
			if tr.Transport == transport.WS {
				want = "http/1.1"
			}
			if tr.Protocol != want || !tr.TLS {
				t.Errorf("%s: protocol %q tls %v, want %q over TLS", tr.Transport, tr.Protocol, tr.TLS, want)
			}
		}
		if !strings.HasPrefix(r.Environment.Target, "child") || !r.Scenario.TLS {
			t.Errorf("environment %+v, scenario tls %v", r.Environment, r.Scenario.TLS)
		}
	})

	t.Run("compress", func(t *testing.T) {
		for _, prof := range []string{"browser", "lean"} {
			r, err := Run(context.Background(), scenario(t, append(args, "--compress", "--profile", prof)...), Options{ServerBinary: bin})
			if err != nil {
				t.Fatal(err)
			}
			checkAgreesAndDelivers(t, r)
			for _, tr := range r.Points[0].Transports {
				if !tr.Compressed || tr.Protocol != "http/1.1" || tr.TLS {
					t.Errorf("%s, %s profile: compressed %v, protocol %q, tls %v", tr.Transport, prof, tr.Compressed, tr.Protocol, tr.TLS)
				}
			}
		}
	})
}

// --repeat 2: each transport runs twice, the second time in rotated order;
// its row is the median of the two runs, with each figure's range.
func TestRepeatRunsEachPointNTimesInRotatedOrder(t *testing.T) {
	s := startServer(t, 20, 64)
	sc := scenario(t, "--target", s.URL, "--transports", "short,ws", "--clients", "2", "--chat-rate", "0",
		"--interval", "200ms", "--ramp-up", "0s", "--warmup", "200ms", "--duration", "500ms", "--repeat", "2")
	var prog strings.Builder
	r, err := Run(context.Background(), sc, Options{Progress: &prog})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range regexp.MustCompile(`(?m)^bench: (\w+): starting`).FindAllStringSubmatch(prog.String(), -1) {
		order = append(order, m[1])
	}
	if got := strings.Join(order, ","); got != "short,ws,ws,short" {
		t.Errorf("transports ran in the order %s, want short,ws,ws,short", got)
	}
	for _, tr := range r.Points[0].Transports {
		if len(tr.Runs) != 2 {
			t.Fatalf("%s: %d runs kept, want 2", tr.Transport, len(tr.Runs))
		}
		lo, hi := tr.Spread["bytes_per_update"][0], tr.Spread["bytes_per_update"][1]
		a, b := tr.Runs[0].BytesPerUpdate, tr.Runs[1].BytesPerUpdate
		if lo != min(a, b) || hi != max(a, b) || tr.BytesPerUpdate != (a+b)/2 {
			t.Errorf("%s: bytes per update %g of runs %g, %g; spread %g..%g", tr.Transport, tr.BytesPerUpdate, a, b, lo, hi)
		}
	}
	// Written and read back, the runs are there and the figures the same.
	dir := t.TempDir()
	if err := bench.WriteResults(dir, r); err != nil {
		t.Fatal(err)
	}
	back, err := bench.ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Points[0].Transports[0].Runs) != 2 || back.Scenario.Repeat != 2 {
		t.Errorf("read back: %d runs, repeat %d", len(back.Points[0].Transports[0].Runs), back.Scenario.Repeat)
	}
	if !strings.Contains(back.Scenario.Command(), "--repeat 2") {
		t.Errorf("command %q does not repeat", back.Scenario.Command())
	}
}

// An https:// target is trusted by --ca, the PEM certificate it serves;
// without it (and not in the system's roots) the run is refused in one
// line before any client is sent.
func TestHTTPSTargetIsTrustedByCA(t *testing.T) {
	s := servertest.StartTLS(t, server.Config{Rate: 20, Payload: 64})
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := server.WriteCertFiles(s.Certificate(), certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	sc := scenario(t, "--target", s.URL, "--transports", "short,sse", "--clients", "2", "--chat-rate", "0",
		"--interval", "200ms", "--ramp-up", "0s", "--warmup", "200ms", "--duration", "500ms")
	r, err := Run(context.Background(), sc, Options{CAFile: certFile})
	if err != nil {
		t.Fatal(err)
	}
	checkAgreesAndDelivers(t, r)
	if tr := r.Points[0].Transports[0]; tr.Protocol != "h2" || !tr.TLS || !r.Scenario.TLS {
		t.Errorf("short: protocol %q tls %v", tr.Protocol, tr.TLS)
	}
	if _, err := Run(context.Background(), sc, Options{}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an untrusted target: %v", err)
	}
	os.Remove(certFile)
	if _, err := Run(context.Background(), sc, Options{CAFile: certFile}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing --ca: %v", err)
	}
}
