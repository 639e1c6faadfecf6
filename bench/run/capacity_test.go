package run

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/pushlab/pushlab/bench"
)

// Against a real server: a short poller asking every second cannot see
// 95% of updates within 200 ms at any count, and the search says so after
// one small step; WebSocket clients meet the bound up to the most asked
// for.
func TestCapacitySearchAgainstARealServer(t *testing.T) {
	s := startServer(t, 10, 64)
	sc := scenario(t, "--target", s.URL, "--transports", "short,ws", "--capacity", "--mal", "200ms", "--quantile", "0.95",
		"--max-clients", "20", "--ramp-up", "100ms", "--warmup", "300ms", "--duration", "1s")
	r, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sum strings.Builder
	bench.WriteSummary(&sum, r)
	t.Logf("\n%s", sum.String())
	if r.Scenario.ChatRate != 0 || !r.Scenario.Capacity {
		t.Errorf("scenario recorded: chat %g, capacity %v", r.Scenario.ChatRate, r.Scenario.Capacity)
	}
	short, ws := row(t, r, "short").Capacity, row(t, r, "ws").Capacity
	if short == nil || ws == nil {
		t.Fatal("no capacity in the rows")
	}
	if short.Clients != 0 || short.LimitedBy != bench.LimitedByMAL || len(short.Steps) != 1 || !strings.Contains(short.Reason, "out of reach") {
		t.Errorf("short: %+v", short)
	}
	if ws.Clients != 20 || ws.LimitedBy != bench.LimitedByMaxClients || ws.MAL.D() != 200*time.Millisecond || ws.Quantile != 0.95 {
		t.Errorf("ws: %+v", ws)
	}
	if st, ok := ws.Step(20); !ok || !st.Met || st.Within < 0.95 || st.AtQuantile <= 0 || st.AtQuantile > 200_000 {
		t.Errorf("ws step at 20: %+v", st)
	}
	if !strings.Contains(sum.String(), "limited by mal") || !strings.Contains(sum.String(), "limited by max-clients") {
		t.Errorf("summary does not say what stopped each search:\n%s", sum.String())
	}
}

// The search's course, with a rule in place of the runs: the largest
// count first, a probe, then bisection on a log scale until the failing
// count is within 25% of the passing one, never more than eight steps.
func TestCapacitySearchBisectsBetweenPassAndFail(t *testing.T) {
	for _, c := range []struct {
		limit, max int // the rule: a step meets the bound up to limit clients
		want       int // the capacity found
		wantBy     string
	}{
		{limit: 5000, max: 2000, want: 2000, wantBy: bench.LimitedByMaxClients},
		{limit: 10, max: 2000, want: 0, wantBy: bench.LimitedByMAL},
		{limit: 700, max: 2000},
		{limit: 51, max: 10_000},
	} {
		t.Run(fmt.Sprint(c.limit), func(t *testing.T) {
			sc := scenario(t, "--transports", "ws", "--capacity", "--max-clients", fmt.Sprint(c.max))
			search := &capacitySearch{sc: sc, files: 19_000}
			var tried []int
			search.measure = func(_ context.Context, _ string, n int) (measuredStep, error) {
				tried = append(tried, n)
				met := n <= c.limit
				return measuredStep{CapacityStep: bench.CapacityStep{Clients: n, Met: met, Within: map[bool]float64{true: 1, false: 0.5}[met], Seconds: 1}}, nil
			}
			row, err := search.search(context.Background(), "ws")
			if err != nil {
				t.Fatal(err)
			}
			got := row.Capacity
			t.Logf("tried %v: %d clients, limited by %s", tried, got.Clients, got.LimitedBy)
			if len(tried) > capacityMaxSteps {
				t.Errorf("%d steps, at most %d", len(tried), capacityMaxSteps)
			}
			switch {
			case c.wantBy != "":
				if got.Clients != c.want || got.LimitedBy != c.wantBy {
					t.Errorf("capacity %d by %s, want %d by %s", got.Clients, got.LimitedBy, c.want, c.wantBy)
				}
			default:
				// Bisection ends within the resolution below the true limit
				// (or at the step limit, still below it).
				if got.Clients > c.limit || float64(got.Clients)*capacityResolution*capacityResolution < float64(c.limit) || got.LimitedBy != bench.LimitedByMAL {
					t.Errorf("capacity %d by %s for a limit of %d", got.Clients, got.LimitedBy, c.limit)
				}
			}
		})
	}
}

// A capacity search stops short of the open-file limit and says the
// harness, not the bound, stopped it.
func TestCapacitySearchStopsAtTheFileLimit(t *testing.T) {
	sc := scenario(t, "--transports", "ws", "--capacity", "--max-clients", "50000")
	search := &capacitySearch{sc: sc, files: 19_000}
	search.measure = func(_ context.Context, _ string, n int) (measuredStep, error) {
		return measuredStep{CapacityStep: bench.CapacityStep{Clients: n, Met: true, Within: 1, Seconds: 1}}, nil
	}
	row, err := search.search(context.Background(), "ws")
	if err != nil {
		t.Fatal(err)
	}
	if c := row.Capacity; c.Clients != 19_000 || c.LimitedBy != bench.LimitedByHarness || !strings.Contains(c.Reason, "open-file limit") {
		t.Errorf("%+v", c)
	}
}

// The judgement of a window: a missed update counts as later than any,
// and the quantile is taken over every (update, client) pair.
func TestJudgeCountsMissedUpdatesAsLate(t *testing.T) {
	d := delivery{latency: hdrhistogram.New(1, latencyMaxUs, latencySigFigs), missed: 10}
	for i := range 90 {
		d.latency.RecordValue(int64(1000 * (i + 1))) // 1 ms .. 90 ms
	}
	within, p := judge(d, 45*time.Millisecond, 0.5)
	if within < 0.44 || within > 0.46 {
		t.Errorf("within 45 ms: %.3f, want 0.45 (45 of 100)", within)
	}
	if p < 49_000 || p > 51_000 {
		t.Errorf("p50 over 100 pairs: %d µs, want about 50 ms", p)
	}
	if _, p := judge(d, time.Second, 0.95); p != 0 {
		t.Errorf("p95 with 10%% missed: %d, want 0 (beyond any latency)", p)
	}
}

// Whose work saturated the machine at a step: nobody's below 85% of the
// cores; above, whoever used most of them.
func TestSaturationNamesWhoseWorkFilledTheCores(t *testing.T) {
	for _, c := range []struct {
		server, harness, machine float64 // CPU seconds over a 1 s window
		want                     string
	}{
		{0.5, 0.5, 1.0, ""},
		{0.7, 1.0, 1.8, bench.SaturatedByHarness},
		{1.0, 0.7, 1.9, bench.SaturatedByServer},
		{0.3, 0.4, 1.9, bench.SaturatedByOthers},
		{1.0, 0.8, 0, bench.SaturatedByServer}, // the machine's count unknown
	} {
		s := bench.CapacityStep{Seconds: 1, ServerCPU: c.server, HarnessCPU: c.harness, MachineCPU: c.machine}
		if got := saturation(s, 2); got != c.want {
			t.Errorf("server %.1f, harness %.1f, machine %.1f of 2 cores: %q, want %q", c.server, c.harness, c.machine, got, c.want)
		}
	}
}
