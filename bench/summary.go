package bench

import (
	"cmp"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteSummary prints the table of one row per transport (per point).
func WriteSummary(w io.Writer, r *Results) {
	if r.Environment.Remote {
		fmt.Fprintf(w, "note: %s\n", r.Environment.ClockNote)
	}
	if note := clientNote(r); note != "" {
		fmt.Fprintln(w, note)
	}
	if n := r.Instances(); n > 1 {
		fmt.Fprintf(w, "note: each transport's clients spread over %d instances sharing %s; chat from the first one's clients; server figures summed over the instances\n",
			n, cmp.Or(r.Environment.Broker, "a broker"))
	}
	for i, p := range r.Points {
		if !p.Sweep.IsZero() {
			fmt.Fprintf(w, "\n%s = %s\n", p.Sweep.Name, p.Sweep.Value)
		}
		s := r.Seconds(i)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "transport\tclients\tdelivered\tcoalesced\tmissed\tchat missed\tp50\tp99\treq/s\tempty %\tKiB/s down\tKiB/s up\tB/update\tsrv CPU ms/1k\t")
		for _, t := range p.Transports {
			down, up := t.KiBPerSecond(s)
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%s\t\n",
				t.Transport, t.Clients, t.Delivered, t.Coalesced, t.Missed, t.ChatMissed,
				latencyString(t.Latency.P50, t.Latency.N), latencyString(t.Latency.P99, t.Latency.N),
				t.RequestsPerSecond(s), 100*t.EmptyShare(), down, up, t.BytesPerUpdate, cpuString(t))
		}
		tw.Flush()
		writeFloorRatios(w, p)
		writeCapacity(w, p)
		for _, t := range p.Transports {
			if t.ChatMissed > 0 {
				fmt.Fprintf(w, "warning: %s lost %d chat updates: events must never be missed\n", t.Transport, t.ChatMissed)
			}
			if t.Errors > 0 || t.Reconnects > 0 || t.Aborted > 0 {
				fmt.Fprintf(w, "note: %s had %d errors, %d aborted requests and %d reconnects in the window\n", t.Transport, t.Errors, t.Aborted, t.Reconnects)
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

// writeCapacity prints what --capacity searches found: per transport the
// capacity, per core, what stopped it and the steps that found it.
func writeCapacity(w io.Writer, p Point) {
	for i, t := range p.Transports {
		c := t.Capacity
		if c == nil {
			continue
		}
		if i == 0 {
			fmt.Fprintf(w, "\ncapacity: most clients with %g%% of updates within %s\n", 100*c.Quantile, c.MAL)
		}
		perCore := "-"
		if pc := c.ClientsPerCore(); pc > 0 {
			perCore = fmt.Sprintf("%.0f per server core (server at %.2f cores)", pc, c.ServerCores)
		}
		fmt.Fprintf(w, "  %s: %d clients, %s, limited by %s: %s\n", t.Transport, c.Clients, perCore, c.LimitedBy, c.Reason)
		for _, s := range c.Steps {
			met := "misses"
			if s.Met {
				met = "meets"
			}
			fmt.Fprintf(w, "    %6d clients: %5.1f%% within, p%g %s, server %.2fs CPU, harness %.2fs CPU: %s", s.Clients, 100*s.Within,
				100*c.Quantile, latencyString(s.AtQuantile, 1), s.ServerCPU, s.HarnessCPU, met)
			if s.Saturated != "" {
				fmt.Fprintf(w, " (machine saturated, mostly %s)", s.Saturated)
			}
			if s.Failed != "" {
				fmt.Fprintf(w, " (failed: %s)", s.Failed)
			}
			fmt.Fprintln(w)
		}
	}
}

// writeFloorRatios prints each transport against the floor of the same
// point, when the floor ran.
func writeFloorRatios(w io.Writer, p Point) {
	for _, t := range p.Transports {
		if r := t.VsFloor; r != nil {
			fmt.Fprintf(w, "vs floor: %-5s p50 %s, p99 %s, server CPU per delivery %s\n", t.Transport, times(r.P50), times(r.P99), times(r.CPU))
		}
	}
}

// times writes a ratio as "1.23x", or "-" when it could not be measured.
func times(r float64) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", r)
}
