package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// statsCollector exposes the same counters as /api/stats to Prometheus, read
// at scrape time, so the two can never disagree.
type statsCollector struct {
	stats *Stats

	requests, answered, empty, refused, aborted, deliveries, open, bytesIn, bytesOut, version, conns *prometheus.Desc
}

func newStatsCollector(s *Stats) *statsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("pushlab_"+name, help, labels, nil)
	}
	return &statsCollector{
		stats:      s,
		requests:   d("requests_total", "HTTP requests (a WS or SSE connection counts one), by transport.", "transport"),
		answered:   d("answered_requests_total", "Requests answered with updates or a non-error response, by transport.", "transport"),
		empty:      d("empty_responses_total", "Responses that carried no update (204/304), by transport.", "transport"),
		refused:    d("refused_requests_total", "Requests answered with an error status, by transport.", "transport"),
		aborted:    d("aborted_requests_total", "Requests that ended without an answer (client gone, shutdown), by transport.", "transport"),
		deliveries: d("deliveries_total", "Updates delivered to clients, by transport.", "transport"),
		open:       d("open_requests", "Requests or push connections in progress, by transport.", "transport"),
		bytesIn:    d("wire_bytes_in_total", "Bytes read from clients on the wire, headers and framing included.", "transport"),
		bytesOut:   d("wire_bytes_out_total", "Bytes written to clients on the wire, headers and framing included.", "transport"),
		version:    d("state_version", "Latest version of the live state."),
		conns:      d("open_connections", "Open TCP connections."),
	}
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.requests, c.answered, c.empty, c.refused, c.aborted, c.deliveries, c.open, c.bytesIn, c.bytesOut, c.version, c.conns} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	snap := c.stats.Snapshot(false)
	for name, t := range snap.Transports {
		ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(t.Requests), name)
		ch <- prometheus.MustNewConstMetric(c.answered, prometheus.CounterValue, float64(t.Answered), name)
		ch <- prometheus.MustNewConstMetric(c.empty, prometheus.CounterValue, float64(t.Empty), name)
		ch <- prometheus.MustNewConstMetric(c.refused, prometheus.CounterValue, float64(t.Refused), name)
		ch <- prometheus.MustNewConstMetric(c.aborted, prometheus.CounterValue, float64(t.Aborted), name)
		ch <- prometheus.MustNewConstMetric(c.deliveries, prometheus.CounterValue, float64(t.Deliveries), name)
		ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(t.Open), name)
		ch <- prometheus.MustNewConstMetric(c.bytesIn, prometheus.CounterValue, float64(t.BytesIn), name)
		ch <- prometheus.MustNewConstMetric(c.bytesOut, prometheus.CounterValue, float64(t.BytesOut), name)
	}
	ch <- prometheus.MustNewConstMetric(c.version, prometheus.GaugeValue, float64(snap.Version))
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(snap.Connections))
}

// metricsHandler serves /metrics from a registry of this server's own (so
// that two servers in one test process do not collide).
func metricsHandler(s *Stats) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newStatsCollector(s), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
