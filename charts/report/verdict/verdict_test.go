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

// conditions are an RTT sweep at 4 updates/s with answers known by
// construction: long polling is cheapest and timely while the round trip
// is short, WebSocket takes over once long polling's p99 passes 100 ms,
// and at the longest round trip nothing meets 100 ms.
func conditions() []Condition {
	at := func(long, ws time.Duration) []Option {
		return []Option{
			{Name: "long poll", Rate: 4, P50: long / 2, P99: long, BytesPerClientSecond: 900},
			{Name: "WebSocket", Rate: 4, P50: ws / 2, P99: ws, BytesPerClientSecond: 1000},
		}
	}
	return []Condition{
		{"0 ms RTT", at(5*ms, 3*ms)},
		{"100 ms RTT", at(80*ms, 55*ms)},
		{"200 ms RTT", at(400*ms, 90*ms)},
		{"500 ms RTT", at(900*ms, 260*ms)},
	}
}

func TestAcrossSaysWhereTheRoundTripChangesTheAnswer(t *testing.T) {
	for _, tc := range []struct {
		need Need
		want string
	}{
		{Needs[0], "At 4 updates/s, for 99% of updates under 100 ms, the answer changes with the round trip: long poll is the cheapest by bytes from 0 ms RTT to 100 ms RTT (900 B/s per client at 0 ms RTT); WebSocket is the cheapest by bytes at 200 ms RTT (1000 B/s per client at 200 ms RTT); no transport meets it at 500 ms RTT."},
		{Needs[2], "At 4 updates/s, for 99% of updates under 10 s, the cheapest by bytes is long poll at every round trip measured (0 ms RTT to 500 ms RTT; 900 B/s per client at 0 ms RTT): the round trip does not change the answer."},
	} {
		if got := Across(conditions(), tc.need, Bytes); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.need.Name, got, tc.want)
		}
	}
	none := conditions()[3:]
	none[0].Opts = none[0].Opts[:1] // long polling alone, 900 ms p99
	if got, want := Across(none, Needs[0], Bytes), "At 4 updates/s, for 99% of updates under 100 ms, no transport meets the need at any round trip measured (500 ms RTT)."; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

// Blind short polling costs more bytes than WebSocket at every rate the
// two share: no crossing, one standing, with the ratios at both ends.
func TestStandWhenTheLinesDoNotCross(t *testing.T) {
	s, ok := Stand(options(), "short poll", "WebSocket", Bytes, nil)
	if !ok {
		t.Fatal("no standing")
	}
	if want := "WebSocket moves fewer bytes than short poll at every rate measured: short poll costs 10.0× as much at 0.1 updates/s and 1.12× at 50 updates/s."; s.Sentence(Bytes) != want {
		t.Errorf("\n got %s\nwant %s", s.Sentence(Bytes), want)
	}
	if _, ok := Stand(options(), "short poll (cache-timed)", "WebSocket", Bytes, nil); ok {
		t.Error("lines that cross have a standing")
	}
	// Figures that may not be compared are left out: with only 0.1
	// updates/s allowed there is nothing to stand on.
	if _, ok := Stand(options(), "short poll", "WebSocket", Bytes, func(o Option) bool { return o.Rate < 1 }); ok {
		t.Error("a standing from one rate")
	}
}
