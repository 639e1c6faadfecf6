package witness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// Timing of one witness run: updates are published while it runs, then
// stop a moment before it closes its sockets, so that nothing is in flight
// when both sides read their counters.
const (
	witnessRun  = 2 * time.Second
	publishFor  = 1400 * time.Millisecond
	tickEvery   = 50 * time.Millisecond
	witnessWait = 30 * time.Second // bounds one node process
)

// report is what witness.mjs prints.
type report struct {
	Transport     string `json:"transport"`
	Requests      int64  `json:"requests"`
	BytesSent     int64  `json:"bytes_sent"`
	BytesReceived int64  `json:"bytes_received"`
	Updates       int64  `json:"updates"`
	Errors        int64  `json:"errors"`
}

// An independent client stack — Node's http module and the ws library,
// counting on its own sockets — drives each transport against a real
// server, and the server's per-transport counters must agree with it: bytes
// both ways to the byte, requests and updates exactly.
func TestOutsideWitnessAgreesWithTheServer(t *testing.T) {
	node := witnessReady(t)
	lab := servertest.Start(t, server.Config{Rate: 0, Payload: 120})
	for _, name := range transport.Names() {
		t.Run(name, func(t *testing.T) {
			before := lab.Stats().Snapshot(false).Transports[name]
			got := runWitness(t, node, lab, name)
			var after server.CounterSnapshot
			deadline := time.Now().Add(5 * time.Second)
			for {
				after = lab.Stats().Snapshot(false).Transports[name]
				if after.Open == 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if got.Errors != 0 {
				t.Errorf("the witness met %d errors", got.Errors)
			}
			if got.Updates == 0 {
				t.Fatalf("the witness received no update: %+v", got)
			}
			check := func(what string, server, witness int64) {
				if server != witness {
					t.Errorf("%s: server %d, witness %d (%+d)", what, server, witness, server-witness)
				}
			}
			check("bytes in (witness sent)", after.BytesIn-before.BytesIn, got.BytesSent)
			check("bytes out (witness received)", after.BytesOut-before.BytesOut, got.BytesReceived)
			check("requests", after.Requests-before.Requests, got.Requests)
			check("updates delivered", after.Deliveries-before.Deliveries, got.Updates)
			t.Logf("%s: %d requests, %d updates, %d B sent, %d B received: server and witness agree",
				name, got.Requests, got.Updates, got.BytesSent, got.BytesReceived)
		})
	}
}

// runWitness runs witness.mjs for one transport while publishing ticks.
func runWitness(t *testing.T, node string, lab *servertest.Server, name string) report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), witnessWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "witness.mjs", "--base", lab.URL, "--transport", name,
		"--clients", "8", "--seconds", strconv.FormatFloat(witnessRun.Seconds(), 'f', -1, 64), "--interval", "150", "--wait", "5")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := time.Now().Add(publishFor)
	for time.Now().Before(stop) {
		lab.Generator().Tick()
		time.Sleep(tickEvery)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("witness %s: %v: %s", name, err, errb.String())
	}
	var r report
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &r); err != nil {
		t.Fatalf("witness %s printed %q: %v", name, out.String(), err)
	}
	return r
}

// witnessReady finds node and the witness's installed dependencies, or
// skips: the witness needs `npm ci --prefix witness` once. CI sets
// PUSHLAB_REQUIRE_WITNESS so that it fails instead of skipping.
func witnessReady(t *testing.T) string {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("node_modules", "ws", "package.json"))
	}
	if err != nil {
		msg := "outside witness not run: it needs node and `npm ci --prefix witness` (" + err.Error() + ")"
		if os.Getenv("PUSHLAB_REQUIRE_WITNESS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}
