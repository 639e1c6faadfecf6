package child

import (
	"context"
	"strings"
	"testing"
)

// A server that exits before it listens is reported with how it ended.
func TestAServerThatExitsAtOnceIsReported(t *testing.T) {
	s, err := Start(context.Background(), "/bin/false", Config{Rate: 10, Payload: 64, Retain: 1024})
	if err == nil {
		s.Stop()
		t.Fatal("no error for a server that exits at once")
	}
	if !strings.Contains(err.Error(), "exited") || !strings.Contains(err.Error(), "--rate 10 --payload 64 --retain 1024") {
		t.Errorf("error %q: want how it was started and that it exited", err)
	}
}
