package run

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// A run leaves nothing behind: clients, their connections, the progress
// ticker and the network-conditions proxy all end with it.
func TestRunLeavesNoGoroutines(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 20, Payload: 64})
	before := goleak.IgnoreCurrent()
	sc := bench.DefaultScenario()
	sc.Clients = 2
	sc.Rate = 20
	sc.ChatRate = 2
	sc.RampUp = 0
	sc.Warmup = bench.Duration(100 * time.Millisecond)
	sc.Duration = bench.Duration(200 * time.Millisecond)
	sc.Interval = bench.Duration(200 * time.Millisecond)
	sc.RTT = bench.Duration(2 * time.Millisecond)
	sc.Target = s.URL
	if _, err := Run(context.Background(), sc, Options{}); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before)
}
