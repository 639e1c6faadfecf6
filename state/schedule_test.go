package state

import (
	"context"
	"testing"
	"time"
)

// A running generator says when its next tick is due: one period after the
// tick it published last, so a poll answered between ticks can tell its
// client when to come back. Paused or stopped, it says nobody knows.
func TestGeneratorSaysWhenTheNextTickIsDue(t *testing.T) {
	m := NewMemory(0)
	g := NewGenerator(m, 20, 16)
	if _, _, ok := g.NextTick(); ok {
		t.Fatal("a generator that is not running has a schedule")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); g.Run(ctx) }()
	defer func() { cancel(); <-done }()

	const period = 50 * time.Millisecond
	for seen := 0; seen < 3; {
		changed := m.Changed()
		select {
		case <-changed:
		case <-time.After(5 * time.Second):
			t.Fatal("no tick within 5 s at 20 Hz")
		}
		published := time.Unix(0, m.Snapshot().T)
		due, p, ok := g.NextTick()
		if !ok || p != period {
			t.Fatalf("NextTick = %v, %v, %v; want a 50 ms period", due, p, ok)
		}
		// The tick's grid point lies at or a little before its publish
		// time (a ticker sends late, never early), and the next one is a
		// period after that grid point; a busy machine may have published
		// a later tick since, which only moves due on.
		if due.Before(published.Add(-period/2)) || due.After(published.Add(period+period/2)) {
			t.Errorf("tick published at %s, next due %s: want about one period later",
				published.Format("15:04:05.000"), due.Format("15:04:05.000"))
		}
		seen++
	}

	g.Set(0, 16)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, _, ok := g.NextTick(); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still a schedule 5 s after the rate went to 0")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if _, _, ok := g.NextTick(); ok {
		t.Error("a stopped generator still has a schedule")
	}
}
