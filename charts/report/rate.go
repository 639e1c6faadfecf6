package report

import (
	"fmt"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
	"github.com/pushlab/pushlab/transport"
)

// The update-rate sweep: its readings, and the headline comparison of the
// two regimes it spans (rare updates and frequent ones).

// readRate says in words what a chart of the update-rate sweep shows.
func readRate(chart string, r *bench.Results, variants []*bench.Results) string {
	first, last := ends(r)
	interval := r.Scenario.Interval
	cache := cacheVariant(variants)
	switch chart {
	case "bytes-per-update-vs-rate":
		parts := spans(r, variants, func(t bench.TransportResult, _ float64) float64 { return t.BytesPerUpdate }, "B")
		s := fmt.Sprintf("**Reading.** From %s to %s updates/s, wire bytes per update received went: %s.", first, last, list(parts))
		if t, ok := find(r.Points[0], transport.Short); ok && t.Updates() > 0 {
			s += fmt.Sprintf(" A poll's headers are shared by the updates it finds: at %s updates/s a poll every %s made %s requests for each update received, and each paid a whole request and response head; as the rate rises a poll finds more updates and the cost per update falls towards the payload.",
				first, interval, sig3(float64(t.Requests)/float64(t.Updates())))
		}
		s += " A pushed update costs its payload and a few bytes of framing at any rate, so those lines stay flat."
		if cache != nil {
			s += " Cache-timed polling asks about once per update while updates are slower than one a second, so it pays one exchange per update where blind polling pays several; above one a second HTTP's whole-second freshness makes it ask once a second, and it joins blind polling."
		}
		return s
	case "bandwidth-per-client-vs-rate":
		parts := spans(r, variants, bench.TransportResult.BytesPerClientSecond, "B/s")
		s := fmt.Sprintf("**Reading.** Bytes per client per second, both ways, from %s to %s updates/s: %s.", first, last, list(parts))
		s += fmt.Sprintf(" Blind polling has a floor: one request and response every %s whether or not there is news, so at rare updates its line flattens while the others keep falling with the rate. The push transports pay in proportion to the updates (and, idle, only the WebSocket pings or SSE keep-alives).", interval)
		return s
	case "requests-vs-rate":
		parts := spans(r, variants, func(t bench.TransportResult, s float64) float64 {
			if t.Clients == 0 {
				return 0
			}
			return t.RequestsPerSecond(s) / float64(t.Clients)
		}, "/s")
		s := fmt.Sprintf("**Reading.** HTTP requests per client per second from %s to %s updates/s: %s.", first, last, list(parts))
		s += fmt.Sprintf(" Blind short polling asks once every %s at any rate; long polling asks once per update it receives, until the updates come faster than a round trip and one answer carries several; WebSocket and SSE make their one request before the window and none in it (their zeros are left off the log axis).", interval)
		if cache != nil {
			s += " Cache-timed polling asks when each answer says the next update is due, so about once per update below one a second and once a second above."
		}
		return s
	case "empty-vs-rate":
		parts := spans(r, variants, func(t bench.TransportResult, _ float64) float64 { return 100 * t.EmptyShare() }, "%")
		s := fmt.Sprintf("**Reading.** Share of responses that carried nothing, from %s to %s updates/s: %s.", first, last, list(parts))
		s += fmt.Sprintf(" A poll every %s finds nothing when no update was published since the last one: below one update per interval that is expected for a share of 1 − rate × interval of the polls (90%% at 0.1 updates/s and a 1 s interval), and for almost none above.", interval)
		if cache != nil {
			s += " A cache-timed poll is sent only after the next update is due, so it should come back empty only when a tick is late."
		}
		return s
	case "latency-vs-rate":
		parts := spans(r, variants, p50ms, "ms")
		s := fmt.Sprintf("**Reading.** Median latency from %s to %s updates/s: %s.", first, last, list(parts))
		s += fmt.Sprintf(" A blind poll every %s sees an update half an interval late on average, whatever the rate; the push transports deliver in about a millisecond at every rate measured, until fan-out work queues at the highest rates.", interval)
		if cache != nil {
			s += " A cache-timed poll asks at the answer's Expires, which HTTP writes in whole seconds: rounded up to the second after the update is due (plus 50 ms for a late tick), so its latency is where the generator's ticks fall within the second, on average about half a second, and it cannot promise better than a second whatever the rate."
		}
		return s
	}
	return ""
}

// cacheVariant is the cache-timed run among the variants, if any.
func cacheVariant(variants []*bench.Results) *bench.Results {
	for _, v := range variants {
		if charts.VariantOf(v) == charts.CacheTimed {
			return v
		}
	}
	return nil
}

// headline compares the transports in the two regimes the update-rate
// sweep spans: its lowest rate (rare updates) and its highest up to 10 a
// second (frequent, the default comparison's rate), cache-timed polling
// beside blind.
func (m *md) headline(rate *Run, variants []*Run) {
	r := rate.Results
	rare, frequent := 0, len(r.Points)-1
	for i := range r.Points {
		if x, err := r.SweepValue(i); err == nil && x <= 10 {
			frequent = i
		}
	}
	m.printf("## Headline: rare and frequent updates\n\n")
	m.printf("The update rate decides the contest, so the headline is two rows of the update-rate sweep: its slowest rate and %s. Both from `%s`", prose(r.PointLabel(frequent)), rate.Command)
	for _, v := range variants {
		m.printf(" and, for cache-timed short polling, `%s`", v.Command)
	}
	m.printf(".\n\n")
	m.printf("| regime | transport | p50 (ms) | p99 (ms) | B/s per client | B/update | requests/s per client | empty (%%) |\n")
	m.printf("|---|---|--:|--:|--:|--:|--:|--:|\n")
	for _, i := range []int{rare, frequent} {
		regime := fmt.Sprintf("%s updates/s", trimName(r, i))
		rows := func(res *bench.Results, j int, only bool) {
			secs := res.Seconds(j)
			for _, t := range res.Points[j].InTableOrder() {
				if only && charts.Label(res, t.Transport) == label(t.Transport) {
					continue
				}
				m.printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", regime, charts.Label(res, t.Transport), ms(t.Latency.P50), ms(t.Latency.P99),
					sig3(t.BytesPerClientSecond(secs)), bytesf(t.BytesPerUpdate), sig3(t.RequestsPerSecond(secs)/float64(max(t.Clients, 1))), pct(t.EmptyShare()))
			}
		}
		rows(r, i, false)
		for _, v := range variants {
			if j := pointAt(v.Results, r.PointLabel(i)); j >= 0 {
				rows(v.Results, j, true)
			}
		}
	}
	m.printf("\n")
	for _, i := range []int{rare, frequent} {
		m.printf("%s ", headlineReading(r, i, variants))
	}
	m.printf("\n\n")
}

// headlineReading says which transport was cheapest and which fastest at
// point i, variants included.
func headlineReading(r *bench.Results, i int, variants []*Run) string {
	type cand struct {
		name       string
		bytes, p50 float64
		empty      float64
	}
	var cs []cand
	add := func(res *bench.Results, j int, only bool) {
		secs := res.Seconds(j)
		for _, t := range choices(res.Points[j]) {
			if only && charts.Label(res, t.Transport) == label(t.Transport) || t.Latency.N == 0 {
				continue
			}
			cs = append(cs, cand{charts.Label(res, t.Transport), t.BytesPerClientSecond(secs), charts.Millis(t.Latency.P50), t.EmptyShare()})
		}
	}
	add(r, i, false)
	for _, v := range variants {
		if j := pointAt(v.Results, r.PointLabel(i)); j >= 0 {
			add(v.Results, j, true)
		}
	}
	if len(cs) == 0 {
		return ""
	}
	cheap, fast := cs[0], cs[0]
	for _, c := range cs[1:] {
		if c.bytes < cheap.bytes {
			cheap = c
		}
		if c.p50 < fast.p50 {
			fast = c
		}
	}
	s := fmt.Sprintf("At %s updates/s the fewest bytes per client were %s's (%s B/s) and the lowest median latency %s's (%s ms).",
		trimName(r, i), cheap.name, sig3(cheap.bytes), fast.name, sig3(fast.p50))
	for _, c := range cs {
		if c.name == label(transport.Short) && c.empty > 0.5 {
			s += fmt.Sprintf(" %s%% of blind short polls came back empty.", pct(c.empty))
		}
	}
	return s
}

// trimName is point i's value without the parameter's name ("0.1").
func trimName(r *bench.Results, i int) string {
	name := r.SweepName()
	l := r.PointLabel(i)
	if len(l) > len(name)+1 {
		return l[len(name)+1:]
	}
	return l
}

// prose writes a point label as prose: "rate=10" becomes "10 updates/s".
func prose(l string) string {
	if len(l) > len("rate=") && l[:len("rate=")] == "rate=" {
		return l[len("rate="):] + " updates/s"
	}
	return l
}
