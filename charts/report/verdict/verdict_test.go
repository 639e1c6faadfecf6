package verdict

import (
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

// options are synthetic measurements with answers known by construction:
// cache-timed polling pays per update and WebSocket a fixed price on top, so
// polling is cheaper at 0.1 updates/s (30 against 60 B/s) and WebSocket at 1
// (150 against 300): on log-log axes the two differences are equal and
// opposite, so the lines cross halfway, at sqrt(0.1 × 1) = 0.316 updates/s.
// Blind short polling never meets 100 ms; at 50 updates/s nothing does.
func options() []Option {
	return []Option{
		{Name: "short poll", Rate: 0.1, P50: 500 * ms, P99: 990 * ms, BytesPerClientSecond: 600, CPUPerClientSecond: 20e-6},
		{Name: "short poll (cache-timed)", Rate: 0.1, P50: 20 * ms, P99: 60 * ms, BytesPerClientSecond: 30, CPUPerClientSecond: 2e-6},
		{Name: "WebSocket", Rate: 0.1, P50: 1 * ms, P99: 5 * ms, BytesPerClientSecond: 60, CPUPerClientSecond: 1e-6},
		{Name: "short poll", Rate: 1, P50: 500 * ms, P99: 990 * ms, BytesPerClientSecond: 650, CPUPerClientSecond: 21e-6},
		{Name: "short poll (cache-timed)", Rate: 1, P50: 20 * ms, P99: 60 * ms, BytesPerClientSecond: 300, CPUPerClientSecond: 20e-6},
		{Name: "WebSocket", Rate: 1, P50: 1 * ms, P99: 5 * ms, BytesPerClientSecond: 150, CPUPerClientSecond: 5e-6},
		{Name: "short poll", Rate: 50, P50: 500 * ms, P99: 2 * time.Second, BytesPerClientSecond: 9000},
		{Name: "WebSocket", Rate: 50, P50: 150 * ms, P99: 400 * ms, BytesPerClientSecond: 8000},
	}
}

func TestChooseTheCheapestThatMeetsTheNeed(t *testing.T) {
	opts := options()
	for _, tc := range []struct {
		rate     float64
		need     Need
		cost     Cost
		sentence string
	}{
		{0.1, Needs[0], Bytes, "At 0.1 updates/s, for 99% of updates under 100 ms, short poll (cache-timed) costs the least bytes: 30.0 B/s per client (p99 60.0 ms); the runner-up is WebSocket at 60.0 B/s per client (p99 5.00 ms)."},
		{1, Needs[0], Bytes, "At 1 update/s, for 99% of updates under 100 ms, WebSocket costs the least bytes: 150 B/s per client (p99 5.00 ms); the runner-up is short poll (cache-timed) at 300 B/s per client (p99 60.0 ms)."},
		{1, Needs[1], Bytes, "At 1 update/s, for 99% of updates under 1 s, WebSocket costs the least bytes: 150 B/s per client (p99 5.00 ms); the runner-up is short poll (cache-timed) at 300 B/s per client (p99 60.0 ms)."},
		{0.1, Needs[0], CPU, "At 0.1 updates/s, for 99% of updates under 100 ms, WebSocket costs the least server CPU: 1.00 µs CPU/s per client (p99 5.00 ms); the runner-up is short poll (cache-timed) at 2.00 µs CPU/s per client (p99 60.0 ms)."},
		{50, Needs[0], Bytes, "At 50 updates/s, no transport measured here shows 99% of updates under 100 ms."},
		{50, Needs[1], Bytes, "At 50 updates/s, for 99% of updates under 1 s, WebSocket costs the least bytes: 8000 B/s per client (p99 400 ms); nothing else meets the need."},
		{50, Needs[2], Bytes, "At 50 updates/s, for 99% of updates under 10 s, WebSocket costs the least bytes: 8000 B/s per client (p99 400 ms); the runner-up is short poll at 9000 B/s per client (p99 2000 ms)."},
	} {
		if got := Choose(opts, tc.rate, tc.need, tc.cost).Sentence(tc.cost); got != tc.sentence {
			t.Errorf("rate %g, %s, by %s:\n got %s\nwant %s", tc.rate, tc.need.Name, tc.cost.Name, got, tc.sentence)
		}
	}
	// An option without a CPU figure is not chosen by CPU.
	if ch := Choose(opts, 50, Needs[2], CPU); ch.Best != nil {
		t.Errorf("chose %s by CPU with no CPU measured", ch.Best.Name)
	}
}

func TestCrossoversAreInterpolatedBetweenMeasuredRates(t *testing.T) {
	xs := Crossovers(options(), "short poll (cache-timed)", "WebSocket", Bytes)
	if len(xs) != 1 {
		t.Fatalf("%d crossovers, want 1: %+v", len(xs), xs)
	}
	want := "Below 0.32 updates/s, short poll (cache-timed) moves fewer bytes than WebSocket (at 0.1 updates/s it costs 30.0 B/s per client, with a p50 of 20.0 ms); above it, WebSocket does."
	if got := xs[0].Sentence(Bytes); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	// Blind short polling costs more than WebSocket everywhere: no crossing.
	if xs := Crossovers(options(), "short poll", "WebSocket", Bytes); len(xs) != 0 {
		t.Errorf("short poll vs WebSocket: %+v, want none", xs)
	}
}

func TestTableHasARowPerRateAndACellPerNeed(t *testing.T) {
	var b strings.Builder
	if err := Table(&b, options(), Bytes); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2+3 {
		t.Fatalf("table:\n%s", b.String())
	}
	if want := "| 50 | none meets it | **WebSocket** 8000 B/s per client |"; !strings.HasPrefix(lines[4], want) {
		t.Errorf("last row %q, want it to start %q", lines[4], want)
	}
}
