package run

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

// A run leaves nothing behind: clients, their connections, the progress
// ticker and the network-conditions proxy all end with it.
func TestRunLeavesNoGoroutines(t *testing.T) {
	s := startServer(t, 20, 64)
	before := goleak.IgnoreCurrent()
	sc := scenario(t, "--target", s.URL, "--clients", "2", "--chat-rate", "2", "--ramp-up", "0s",
		"--warmup", "100ms", "--duration", "200ms", "--interval", "200ms", "--rtt", "2ms")
	if _, err := Run(context.Background(), sc, Options{}); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before)
}
