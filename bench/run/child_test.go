package run

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// buildPushlab builds the pushlab binary for tests that start it as a child.
func buildPushlab(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the pushlab binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build pushlab with")
	}
	bin := filepath.Join(t.TempDir(), "pushlab")
	out, err := exec.Command(gobin, "build", "-o", bin, "github.com/pushlab/pushlab/cmd/pushlab").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The default way to run: the server is a child process, measured from
// /proc, and its counters still agree with the clients'.
func TestChildServerIsMeasuredFromProc(t *testing.T) {
	bin := buildPushlab(t)
	sc := scenario(t, "--transports", "ws", "--clients", "3", "--rate", "50", "--chat-rate", "0",
		"--ramp-up", "0s", "--warmup", "200ms", "--duration", "1s")
	r, err := Run(context.Background(), sc, Options{ServerBinary: bin})
	if err != nil {
		t.Fatal(err)
	}
	ws := row(t, r, "ws")
	if ws.ServerRSS < 1<<20 || ws.ServerHeap <= 0 {
		t.Errorf("server RSS %d B, heap %d B: want the child's memory", ws.ServerRSS, ws.ServerHeap)
	}
	if ws.ServerCPU < 0 || ws.HarnessCPU <= 0 || ws.HarnessRSS < 1<<20 {
		t.Errorf("server CPU %.3fs, harness CPU %.3fs RSS %d: want them measured", ws.ServerCPU, ws.HarnessCPU, ws.HarnessRSS)
	}
	if want := int64(3 * 50); ws.Delivered < want*8/10 || ws.Missed != 0 {
		t.Errorf("delivered %d (want about %d), missed %d", ws.Delivered, want, ws.Missed)
	}
	if up, down := ws.ByteAgreement(); ws.ServerBytesOut == 0 || up > 0.01 || down > 0.01 {
		t.Errorf("harness down %d, server out %d", ws.BytesDown, ws.ServerBytesOut)
	}
	if r.Environment.Remote || r.Environment.Cores <= 0 || r.Environment.Go == "" {
		t.Errorf("environment %+v", r.Environment)
	}
}

// --rtt puts every client connection through toxiproxy: a pushed update
// then arrives half a round trip after it was published.
func TestRTTDelaysPushedUpdatesByHalfARoundTrip(t *testing.T) {
	s := startServer(t, 20, 64)
	sc := scenario(t, "--target", s.URL, "--transports", "ws", "--clients", "2", "--chat-rate", "0",
		"--ramp-up", "0s", "--warmup", "300ms", "--duration", "1s", "--rtt", "80ms")
	r, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := row(t, r, "ws")
	p50 := time.Duration(ws.Latency.P50) * time.Microsecond
	if p50 < 38*time.Millisecond || p50 > 70*time.Millisecond {
		t.Errorf("ws p50 %s with an 80ms round trip, want about 40ms", p50)
	}
	if up, down := ws.ByteAgreement(); up > 0.01 || down > 0.01 {
		t.Errorf("through the proxy the bytes must still agree: harness %d/%d, server %d/%d",
			ws.BytesUp, ws.BytesDown, ws.ServerBytesIn, ws.ServerBytesOut)
	}
}
