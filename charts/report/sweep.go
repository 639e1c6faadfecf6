package report

import (
	"fmt"
	"path"
	"strings"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
	"github.com/pushlab/pushlab/transport"
)

// sweep writes one sweep's table, line charts and readings, with the rows
// and lines of its variant runs (cache-timed short polling) beside its
// own. The per-point CDF and bar charts are left to `pushlab chart`; the
// line charts carry the sweep's story.
func (m *md) sweep(title string, run *Run, variants []*Run) ([]string, error) {
	r := run.Results
	name := r.SweepName()
	m.printf("## %s\n\n`%s` — %s.\n\n", title, run.Command, charts.Caption(r))
	var vr []*bench.Results
	for _, v := range variants {
		m.printf("Beside it, %s: `%s` ([%s](%s)).\n\n", charts.Label(v.Results, "short"), v.Command, path.Base(path.Dir(v.Data))+"/"+path.Base(v.Data), v.Data)
		vr = append(vr, v.Results)
	}
	m.printf("| %s | transport | delivered | missed | p50 (ms) | p99 (ms) | requests/s | empty (%%) | Mbit/s | B/s per client | B/update | CPU ms/1k deliveries |\n", name)
	m.printf("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	row := func(r *bench.Results, i int, t bench.TransportResult) {
		secs := r.Seconds(i)
		v := strings.TrimPrefix(r.PointLabel(i), name+"=")
		m.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			v, charts.Label(r, t.Transport), count(t.Delivered), count(t.Missed), ms(t.Latency.P50), ms(t.Latency.P99),
			sig3(t.RequestsPerSecond(secs)), pct(t.EmptyShare()), mbit(t.BitsPerSecond(secs)),
			sig3(t.BytesPerClientSecond(secs)), bytesf(t.BytesPerUpdate), sig3(t.ServerCPUPerThousand()))
	}
	for i, p := range r.Points {
		for _, t := range p.InTableOrder() {
			row(r, i, t)
		}
		for _, v := range vr {
			if j := pointAt(v, r.PointLabel(i)); j >= 0 {
				for _, t := range v.Points[j].InTableOrder() {
					if charts.Label(v, t.Transport) != label(t.Transport) {
						row(v, j, t)
					}
				}
			}
		}
	}
	m.printf("\n")
	m.problems(r)
	for _, v := range vr {
		m.problems(v)
	}
	figs, err := charts.SweepCharts(r, vr...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range figs {
		chart := f.Name
		fs, err := m.figure(f)
		files = append(files, fs...)
		if err != nil {
			return files, err
		}
		m.printf("%s\n\n", readSweep(chart, r, vr...))
	}
	return files, nil
}

// pointAt is the index of the point of r labelled l ("rate=0.1"), or -1.
func pointAt(r *bench.Results, l string) int {
	for i := range r.Points {
		if r.PointLabel(i) == l {
			return i
		}
	}
	return -1
}

// series is one transport's figure across the sweep's points.
func series(r *bench.Results, transport string, f func(t bench.TransportResult, secs float64) float64) []float64 {
	var out []float64
	for i, p := range r.Points {
		if t, ok := find(p, transport); ok {
			out = append(out, f(t, r.Seconds(i)))
		}
	}
	return out
}

func p50ms(t bench.TransportResult, _ float64) float64 { return charts.Millis(t.Latency.P50) }
func p99ms(t bench.TransportResult, _ float64) float64 { return charts.Millis(t.Latency.P99) }

// span writes "from A to B" for a series, in the series' unit.
func span(xs []float64, unit string) string {
	if len(xs) == 0 {
		return "—"
	}
	s := fmt.Sprintf("from %s to %s %s", sig3(xs[0]), sig3(xs[len(xs)-1]), unit)
	if len(xs) > 1 && xs[0] > 0 {
		s += fmt.Sprintf(" (×%s)", sig3(xs[len(xs)-1]/xs[0]))
	}
	return s
}

// ends names the first and last sweep values.
func ends(r *bench.Results) (string, string) {
	name := r.SweepName()
	first := strings.TrimPrefix(r.PointLabel(0), name+"=")
	last := strings.TrimPrefix(r.PointLabel(len(r.Points)-1), name+"=")
	return first, last
}

// spans writes, for each transport of r and each it ran as a variant, how
// a figure moved across the sweep: "WebSocket from 1.2 to 3.4 ms (×2.83)".
func spans(r *bench.Results, variants []*bench.Results, f func(t bench.TransportResult, secs float64) float64, unit string) []string {
	var parts []string
	for _, tr := range transport.Names() {
		if xs := series(r, tr, f); len(xs) > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", label(tr), span(xs, unit)))
		}
		for _, v := range variants {
			if l := charts.Label(v, tr); l != label(tr) {
				if xs := series(v, tr, f); len(xs) > 0 {
					parts = append(parts, fmt.Sprintf("%s %s", l, span(xs, unit)))
				}
			}
		}
	}
	return parts
}

func readSweep(chart string, r *bench.Results, variants ...*bench.Results) string {
	first, last := ends(r)
	var parts []string
	each := func(f func(t bench.TransportResult, secs float64) float64, unit string) {
		parts = spans(r, variants, f, unit)
	}
	switch chart {
	case "bandwidth-vs-clients":
		each(func(t bench.TransportResult, s float64) float64 { return t.BitsPerSecond(s) / 1e6 }, "Mbit/s")
		s := fmt.Sprintf("**Reading.** From %s to %s clients per transport (×%s), bandwidth went: %s.", first, last, sig3(sweepRatio(r)), list(parts))
		s += " When every client receives the same stream, bandwidth is expected to grow in proportion to clients; on the log axis the vertical gap between two lines is the ratio of their per-update costs, which more clients do not amortise."
		if r.Scenario.ChatRate > 0 {
			s += " Chat was on in this run: every client's messages go to every client, so traffic grows faster than the number of clients."
		}
		return s
	case "cpu-vs-clients":
		each(func(t bench.TransportResult, _ float64) float64 { return t.ServerCPUPerThousand() }, "ms")
		s := fmt.Sprintf("**Reading.** Server CPU per 1,000 deliveries, from %s to %s clients: %s.", first, last, list(parts))
		s += " A flat line means the server's cost is per delivery; a falling one means fixed costs (timers, the runtime's background work) spread over more deliveries; a rising one means each client adds work of its own. Harness and server share two cores, so at the top of the sweep the numbers include contention."
		if d := minDelivered(r.Points[0]); d > 0 {
			s += fmt.Sprintf(" The server's CPU time is read from /proc in 10 ms ticks: at %s clients one tick is %s ms per 1,000 deliveries, so smaller differences there are noise.", first, sig3(10.0*1000/float64(d)))
		}
		return s
	case "latency-vs-interval":
		each(p50ms, "ms")
		s := fmt.Sprintf("**Reading.** As the short-poll interval goes from %s to %s, median latency moves %s.", first, last, list(parts))
		s += " Only short polling depends on the interval: its median is expected near half the interval and its p99 near the whole interval. The other transports do not poll, so their lines should stay flat; they are drawn for reference."
		return s
	case "bytes-vs-interval":
		each(func(t bench.TransportResult, _ float64) float64 { return t.BytesPerUpdate }, "B")
		s := fmt.Sprintf("**Reading.** As the short-poll interval goes from %s to %s, wire bytes per update received move %s.", first, last, list(parts))
		if t, ok := find(r.Points[0], "short"); ok {
			s += fmt.Sprintf(" At %s, %s%% of short polls came back empty, and each of those costs a full request and response header.", first, pct(t.EmptyShare()))
		}
		s += " This is the other side of the latency chart: polling faster buys latency with requests and header bytes, while the push transports get low latency without paying either."
		return s
	case "latency-vs-rtt":
		each(p50ms, "ms")
		s := fmt.Sprintf("**Reading.** As the added round-trip time goes from %s to %s, median latency moves %s.", first, last, list(parts))
		s += " A pushed update needs one one-way trip after it is published (about half the RTT). A long poll needs the same when a request is already waiting, but after every answer it spends a full RTT re-arming, and updates in that gap wait. A short poll pays the interval wait plus the trip."
		if sc := r.Scenario; sc.Rate > 0 {
			s += fmt.Sprintf(" At %g updates/s an update comes every %s: once the round trip outlasts that, a long poll is still re-arming when the next update is published, so its latency should leave the push transports' from a round trip of about %s on.",
				sc.Rate, period(float64(sc.Rate)), period(float64(sc.Rate)))
		}
		return s
	}
	return readRate(chart, r, variants)
}

// period is the time between updates at rate updates a second.
func period(rate float64) string {
	return fmt.Sprintf("%s ms", sig3(1000/rate))
}

func (m *md) caveats() {
	m.printf("## How to read these numbers\n\n")
	m.printf("- Latency is publish time on the server's clock to the moment a client holds that version (or a later one), on the same machine, so the clocks are the same clock. It includes the harness's own scheduling on a shared 2-core machine.\n")
	m.printf("- Bytes are counted on each client's socket: request lines, headers, bodies, the WebSocket handshake, frame headers and pings. *Payload* is the update JSON inside them; everything else is *headers and framing* (for polls that includes the `{\"v\":…,\"updates\":[…]}` envelope).\n")
	m.printf("- Server CPU is user+sys time of the server process over the measured window, per transport run; per 1,000 deliveries it compares transports at equal work.\n")
	m.printf("- A run of a few seconds measures the steady state of a small lab, not a production fleet: use the commands above with longer `--duration` for tighter figures.\n")
}

// minDelivered is the fewest deliveries of any transport at a point.
func minDelivered(p bench.Point) int64 {
	var m int64
	for _, t := range p.Transports {
		if t.Delivered > 0 && (m == 0 || t.Delivered < m) {
			m = t.Delivered
		}
	}
	return m
}

// sweepRatio is the last sweep value over the first (1 when unknown).
func sweepRatio(r *bench.Results) float64 {
	a, err1 := r.SweepValue(0)
	b, err2 := r.SweepValue(len(r.Points) - 1)
	if err1 != nil || err2 != nil || a == 0 {
		return 1
	}
	return b / a
}
