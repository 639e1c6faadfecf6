package bench

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// WriteResults writes results.json (everything) and results.csv (one row
// per sweep point and transport) into dir, creating it if needed.
func WriteResults(dir string, r *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "results.csv"))
	if err != nil {
		return err
	}
	if err := WriteCSV(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// column is one column of results.csv: its header and how a row's cell is
// written from a transport's result at a point.
type column struct {
	name string
	cell func(r *Results, i int, t TransportResult) string
}

// integer is a column of a whole number.
func integer(name string, f func(TransportResult) int64) column {
	return column{name, func(_ *Results, _ int, t TransportResult) string { return strconv.FormatInt(f(t), 10) }}
}

// decimal is a column of a float, written in full.
func decimal(name string, f func(TransportResult) float64) column {
	return column{name, func(_ *Results, _ int, t TransportResult) string { return ftoa(f(t)) }}
}

// perSecond is a column of a float that depends on the measured window.
func perSecond(name string, f func(t TransportResult, seconds float64) float64) column {
	return column{name, func(r *Results, i int, t TransportResult) string { return ftoa(f(t, r.Seconds(i))) }}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// columns are results.csv's, in order. The sweep columns name the point's
// swept parameter and value ("" when none).
var columns = []column{
	{"sweep", func(r *Results, i int, _ TransportResult) string { return r.Points[i].Sweep.Name }},
	{"sweep_value", func(r *Results, i int, _ TransportResult) string {
		if v := r.Points[i].Sweep.Value; v != nil {
			return v.String()
		}
		return ""
	}},
	{"transport", func(_ *Results, _ int, t TransportResult) string { return t.Transport }},
	integer("clients", func(t TransportResult) int64 { return int64(t.Clients) }),
	perSecond("duration_s", func(_ TransportResult, s float64) float64 { return s }),
	integer("requests", func(t TransportResult) int64 { return t.Requests }),
	integer("empty", func(t TransportResult) int64 { return t.Empty }),
	integer("delivered", func(t TransportResult) int64 { return t.Delivered }),
	integer("received", func(t TransportResult) int64 { return t.Received }),
	integer("coalesced", func(t TransportResult) int64 { return t.Coalesced }),
	integer("missed", func(t TransportResult) int64 { return t.Missed }),
	integer("chat_missed", func(t TransportResult) int64 { return t.ChatMissed }),
	integer("errors", func(t TransportResult) int64 { return t.Errors }),
	integer("reconnects", func(t TransportResult) int64 { return t.Reconnects }),
	integer("bytes_up", func(t TransportResult) int64 { return t.BytesUp }),
	integer("bytes_down", func(t TransportResult) int64 { return t.BytesDown }),
	integer("payload_bytes", func(t TransportResult) int64 { return t.PayloadBytes }),
	integer("body_bytes_up", func(t TransportResult) int64 { return t.BodyBytesUp }),
	integer("body_bytes_down", func(t TransportResult) int64 { return t.BodyBytesDown }),
	decimal("bytes_per_update", func(t TransportResult) float64 { return t.BytesPerUpdate }),
	decimal("request_header_bytes", func(t TransportResult) float64 { return t.RequestHeaderBytes }),
	decimal("response_header_bytes", func(t TransportResult) float64 { return t.ResponseHeaderBytes }),
	decimal("frame_overhead_bytes", func(t TransportResult) float64 { return t.FrameOverheadBytes }),
	integer("p50_us", func(t TransportResult) int64 { return t.Latency.P50 }),
	integer("p90_us", func(t TransportResult) int64 { return t.Latency.P90 }),
	integer("p99_us", func(t TransportResult) int64 { return t.Latency.P99 }),
	integer("p999_us", func(t TransportResult) int64 { return t.Latency.P999 }),
	integer("max_us", func(t TransportResult) int64 { return t.Latency.Max }),
	decimal("mean_us", func(t TransportResult) float64 { return t.Latency.Mean }),
	integer("samples", func(t TransportResult) int64 { return t.Latency.N }),
	perSecond("requests_per_s", TransportResult.RequestsPerSecond),
	decimal("empty_share", TransportResult.EmptyShare),
	perSecond("kib_per_s_down", func(t TransportResult, s float64) float64 { down, _ := t.KiBPerSecond(s); return down }),
	perSecond("kib_per_s_up", func(t TransportResult, s float64) float64 { _, up := t.KiBPerSecond(s); return up }),
	perSecond("bytes_per_client_s", TransportResult.BytesPerClientSecond),
	decimal("server_cpu_s", func(t TransportResult) float64 { return t.ServerCPU }),
	decimal("server_cpu_ms_per_1k", TransportResult.ServerCPUPerThousand),
	integer("server_rss_bytes", func(t TransportResult) int64 { return t.ServerRSS }),
	integer("server_heap_bytes", func(t TransportResult) int64 { return t.ServerHeap }),
	integer("server_bytes_in", func(t TransportResult) int64 { return t.ServerBytesIn }),
	integer("server_bytes_out", func(t TransportResult) int64 { return t.ServerBytesOut }),
	decimal("harness_cpu_s", func(t TransportResult) float64 { return t.HarnessCPU }),
	integer("harness_rss_bytes", func(t TransportResult) int64 { return t.HarnessRSS }),
}

// laterColumns are written after the others, and only when some row of
// the results has them, so that older results files write back as they were.
var laterColumns = []struct {
	column
	present func(TransportResult) bool
}{
	{column{"protocol", func(_ *Results, _ int, t TransportResult) string { return t.Protocol }},
		func(t TransportResult) bool { return t.Protocol != "" }},
	{column{"tls", func(_ *Results, _ int, t TransportResult) string { return strconv.FormatBool(t.TLS) }},
		func(t TransportResult) bool { return t.Protocol != "" }},
	{column{"compressed", func(_ *Results, _ int, t TransportResult) string { return strconv.FormatBool(t.Compressed) }},
		func(t TransportResult) bool { return t.Protocol != "" }},
	{decimal("wire_overhead_per_request", TransportResult.WireOverheadPerRequest),
		func(t TransportResult) bool { return t.Protocol != "" }},
	{integer("runs", func(t TransportResult) int64 { return int64(max(len(t.Runs), 1)) }),
		func(t TransportResult) bool { return len(t.Runs) > 1 }},
}

// csvColumns are the columns of r's results.csv.
func csvColumns(r *Results) []column {
	cols := columns
	for _, c := range laterColumns {
		for _, p := range r.Points {
			if slices.ContainsFunc(p.Transports, c.present) {
				cols = append(cols[:len(cols):len(cols)], c.column)
				break
			}
		}
	}
	return cols
}

// WriteCSV writes one row per sweep point and transport; with --repeat,
// the row holds the medians (results.json keeps each run).
func WriteCSV(w io.Writer, r *Results) error {
	cw := csv.NewWriter(w)
	columns := csvColumns(r)
	row := make([]string, len(columns))
	for k, c := range columns {
		row[k] = c.name
	}
	cw.Write(row)
	for i, p := range r.Points {
		for _, t := range p.Transports {
			for k, c := range columns {
				row[k] = c.cell(r, i, t)
			}
			cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}
