package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"
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

// csvColumns head results.csv.
var csvColumns = []string{
	"sweep", "sweep_value", "transport", "clients", "duration_s",
	"requests", "empty", "delivered", "received", "coalesced", "missed", "chat_missed", "errors", "reconnects",
	"bytes_up", "bytes_down", "payload_bytes", "body_bytes_up", "body_bytes_down", "bytes_per_update",
	"request_header_bytes", "response_header_bytes", "frame_overhead_bytes",
	"p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us", "samples",
	"requests_per_s", "empty_share", "kib_per_s_down", "kib_per_s_up", "bytes_per_client_s",
	"server_cpu_s", "server_cpu_ms_per_1k", "server_rss_bytes", "server_heap_bytes",
	"server_bytes_in", "server_bytes_out", "harness_cpu_s", "harness_rss_bytes",
}

// WriteCSV writes one row per sweep point and transport.
func WriteCSV(w io.Writer, r *Results) error {
	cw := csv.NewWriter(w)
	cw.Write(csvColumns)
	for _, p := range r.Points {
		name, value := sweepOf(p)
		for _, t := range p.Transports {
			s := p.Duration
			down, up := t.KiBPerSecond(s)
			i := func(v int64) string { return strconv.FormatInt(v, 10) }
			f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
			cw.Write([]string{
				name, value, t.Transport, strconv.Itoa(t.Clients), f(s),
				i(t.Requests), i(t.Empty), i(t.Delivered), i(t.Received), i(t.Coalesced), i(t.Missed), i(t.ChatMissed), i(t.Errors), i(t.Reconnects),
				i(t.BytesUp), i(t.BytesDown), i(t.PayloadBytes), i(t.BodyBytesUp), i(t.BodyBytesDown), f(t.BytesPerUpdate),
				f(t.RequestHeaderBytes), f(t.ResponseHeaderBytes), f(t.FrameOverheadBytes),
				i(t.Latency.P50), i(t.Latency.P90), i(t.Latency.P99), i(t.Latency.P999), i(t.Latency.Max), f(t.Latency.Mean), i(t.Latency.N),
				f(t.RequestsPerSecond(s)), f(t.EmptyShare()), f(down), f(up), f(t.BytesPerClientSecond(s)),
				f(t.ServerCPU), f(t.ServerCPUPerThousand()), i(t.ServerRSS), i(t.ServerHeap),
				i(t.ServerBytesIn), i(t.ServerBytesOut), f(t.HarnessCPU), i(t.HarnessRSS),
			})
		}
	}
	cw.Flush()
	return cw.Error()
}

// sweepOf names a point's swept parameter and its value ("" when none).
func sweepOf(p Point) (string, string) {
	var keys []string
	for k := range p.Sweep {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "", ""
	}
	return keys[0], fmt.Sprint(p.Sweep[keys[0]])
}

// WriteSummary prints the table of one row per transport (per point).
func WriteSummary(w io.Writer, r *Results) {
	if r.Environment.Remote {
		fmt.Fprintf(w, "note: %s\n", r.Environment.ClockNote)
	}
	for _, p := range r.Points {
		if name, value := sweepOf(p); name != "" {
			fmt.Fprintf(w, "\n%s = %s\n", name, value)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "transport\tclients\tdelivered\tcoalesced\tmissed\tchat missed\tp50\tp99\treq/s\tempty %\tKiB/s down\tKiB/s up\tB/update\tsrv CPU ms/1k\t")
		for _, t := range p.Transports {
			s := p.Duration
			down, up := t.KiBPerSecond(s)
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%s\t\n",
				t.Transport, t.Clients, t.Delivered, t.Coalesced, t.Missed, t.ChatMissed,
				latencyString(t.Latency.P50, t.Latency.N), latencyString(t.Latency.P99, t.Latency.N),
				t.RequestsPerSecond(s), 100*t.EmptyShare(), down, up, t.BytesPerUpdate, cpuString(t))
		}
		tw.Flush()
		for _, t := range p.Transports {
			if t.ChatMissed > 0 {
				fmt.Fprintf(w, "warning: %s lost %d chat updates: events must never be missed\n", t.Transport, t.ChatMissed)
			}
			if t.Errors > 0 || t.Reconnects > 0 {
				fmt.Fprintf(w, "note: %s had %d errors and %d reconnects in the window\n", t.Transport, t.Errors, t.Reconnects)
			}
		}
	}
}

func latencyString(us, n int64) string {
	if n == 0 {
		return "-"
	}
	d := time.Duration(us) * time.Microsecond
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", us)
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fms", float64(us)/1000)
	}
	return d.Round(100 * time.Millisecond).String()
}

func cpuString(t TransportResult) string {
	if t.ServerCPU == 0 && t.ServerRSS == 0 {
		return "-" // not measured: a target server's process is not ours to read
	}
	return fmt.Sprintf("%.2f", t.ServerCPUPerThousand())
}
