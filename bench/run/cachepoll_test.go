package run

import (
	"context"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench"
)

// At one tick a second, short pollers asking every 200 ms mostly hear
// nothing new; pollers that follow the answers' cache headers ask about
// once per tick, just after it is due, and hear something nearly every
// time, no later than the second's rounding allows.
func TestCacheTimedPollersAskOncePerUpdate(t *testing.T) {
	s := startServer(t, 1, 64)
	for _, schedule := range []bench.PollSchedule{bench.PollFixed, bench.PollCache} {
		sc := scenario(t, "--target", s.URL, "--transports", "short", "--clients", "5", "--chat-rate", "0",
			"--interval", "200ms", "--poll-schedule", string(schedule),
			"--ramp-up", "100ms", "--warmup", "1500ms", "--duration", "4s")
		r, err := Run(context.Background(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Scenario.PollSchedule; got != schedule {
			t.Errorf("results say poll schedule %q, ran %q", got, schedule)
		}
		tr := row(t, r, "short")
		perUpdate := float64(tr.Requests) / float64(max(tr.Received, 1))
		t.Logf("%s: %d requests, %d empty, %d received, %.2f requests per update, p50 %s p99 %s", schedule, tr.Requests, tr.Empty, tr.Received,
			perUpdate, time.Duration(tr.Latency.P50)*time.Microsecond, time.Duration(tr.Latency.P99)*time.Microsecond)
		if tr.Missed > 0 || tr.Errors > 0 || tr.Received == 0 {
			t.Errorf("%s: %d missed, %d errors, %d received", schedule, tr.Missed, tr.Errors, tr.Received)
		}
		switch schedule {
		case bench.PollFixed:
			if tr.EmptyShare() < 0.6 {
				t.Errorf("fixed: %.0f%% empty, want most polls empty at 5 polls per tick", 100*tr.EmptyShare())
			}
		case bench.PollCache:
			if tr.EmptyShare() > 0.25 || perUpdate > 1.5 {
				t.Errorf("cache: %.0f%% empty, %.2f requests per update; want about one poll per tick", 100*tr.EmptyShare(), perUpdate)
			}
			// Expires is the second after the due time (and 50 ms of
			// slack), and the clients ask within 20 ms of it.
			if p99 := time.Duration(tr.Latency.P99) * time.Microsecond; p99 > 1200*time.Millisecond {
				t.Errorf("cache: p99 %s, want within the second's rounding", p99)
			}
		}
	}
}
