package report

import (
	"fmt"
	"strings"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
	"github.com/pushlab/pushlab/transport"
)

// label is a transport's name in prose and tables.
func label(t string) string { return transport.Label(t) }

// find returns the transport's result at a point, if it ran.
func find(p bench.Point, name string) (bench.TransportResult, bool) {
	for _, t := range p.Transports {
		if t.Transport == name {
			return t, true
		}
	}
	return bench.TransportResult{}, false
}

// comparison writes the default comparison: two tables, three charts and
// their readings.
func (m *md) comparison(run *Run) ([]string, error) {
	r := run.Results
	m.printf("## Default comparison\n\n")
	m.printf("`%s` — %s.\n\n", run.Command, charts.Caption(r))
	m.latencyTable(r, 0)
	m.costTable(r, 0)
	m.problems(r)

	var files []string
	figs, skipped, err := charts.PointCharts(r, 0)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		m.printf("*%s.*\n\n", s)
	}
	for _, f := range figs {
		chart := f.Name
		fs, err := m.figure(f)
		files = append(files, fs...)
		if err != nil {
			return files, err
		}
		switch {
		case strings.HasPrefix(chart, "latency-cdf"):
			m.printf("%s\n\n", readCDF(r, 0))
		case strings.HasPrefix(chart, "bytes-per-update"):
			m.printf("%s\n\n", readBytes(r, 0))
		case strings.HasPrefix(chart, "requests"):
			m.printf("%s\n\n", readRequests(r, 0))
		}
	}
	return files, nil
}

// latencyTable: what each transport delivered and how fast.
func (m *md) latencyTable(r *bench.Results, i int) {
	m.printf("**Delivery and latency** (publish to seen, ms):\n\n")
	m.printf("| transport | clients | delivered | coalesced | missed | chat missed | errors | p50 | p90 | p99 | p99.9 | max |\n")
	m.printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, t := range r.Points[i].InTableOrder() {
		l := t.Latency
		m.printf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			label(t.Transport), t.Clients, count(t.Delivered), count(t.Coalesced), count(t.Missed),
			count(t.ChatMissed), count(t.Errors), ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max))
	}
	m.printf("\n")
}

// costTable: what each transport cost on the wire and on the server.
func (m *md) costTable(r *bench.Results, i int) {
	secs := r.Seconds(i)
	agree := false
	for _, t := range r.Points[i].Transports {
		agree = agree || t.ServerBytesIn+t.ServerBytesOut > 0
	}
	m.printf("**Cost** over the %s s measured window (bytes counted on the clients' sockets, both directions):\n\n", sig3(secs))
	m.printf("Per-update figures divide by the updates *received* inside the window in which the bytes were counted.\n\n")
	m.printf("| transport | requests | requests/s | empty (%%) | bytes up | bytes down | kbit/s | received | B/update | payload B/update | headers+framing B/update | server CPU (s) | CPU ms/1k deliveries | server RSS (MiB) |")
	sep := "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	if agree {
		m.printf(" server/client bytes (%%) |")
		sep += "--:|"
	}
	m.printf("\n%s\n", sep)
	for _, t := range r.Points[i].InTableOrder() {
		m.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
			label(t.Transport), count(t.Requests), sig3(t.RequestsPerSecond(secs)), pct(t.EmptyShare()),
			count(t.BytesUp), count(t.BytesDown), sig3(t.BitsPerSecond(secs)/1000), count(t.Updates()), bytesf(t.BytesPerUpdate),
			bytesf(t.PayloadPerUpdate()), bytesf(t.OverheadPerUpdate()),
			sig3(t.ServerCPU), sig3(t.ServerCPUPerThousand()), mib(t.ServerRSS))
		if agree {
			m.printf(" %s |", agreement(t))
		}
		m.printf("\n")
	}
	m.printf("\n")
}

// agreement writes the server's byte count for a transport as a
// percentage of the clients' count: the two independent meters should read
// the same.
func agreement(t bench.TransportResult) string {
	share, ok := t.ServerByteShare()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.2f", share*100)
}

// problems calls out, under the tables, anything a reader must not miss:
// lost chat events (which no transport may lose), missed updates, errors.
func (m *md) problems(r *bench.Results) {
	for i, p := range r.Points {
		at := ""
		if l := r.PointLabel(i); l != "" {
			at = " at " + l
		}
		for _, t := range p.InTableOrder() {
			if t.ChatMissed > 0 {
				m.printf("**Note:** %s lost %s chat updates%s. Chat events must never be lost on any transport; this run found a fault.\n\n", label(t.Transport), count(t.ChatMissed), at)
			}
			if t.Missed > 0 {
				m.printf("**Note:** %s missed %s updates%s (neither they nor a later version arrived before the end of the window).\n\n", label(t.Transport), count(t.Missed), at)
			}
			if t.Errors > 0 {
				m.printf("**Note:** %s clients hit %s errors%s (failed requests or dropped connections, retried with backoff).\n\n", label(t.Transport), count(t.Errors), at)
			}
		}
	}
}
