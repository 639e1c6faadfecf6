package report

import (
	"strconv"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// floor sets each transport of the default comparison against the raw-TCP
// floor of the same run (bench.Point.CompareWithFloor): how far above a
// bare write of the same bytes each one delivers, and at what CPU. Results
// recorded without a floor get no section.
func (m *md) floor(run *Run) {
	p := run.Results.Points[0]
	f, ok := find(p, transport.Floor)
	if !ok {
		return
	}
	m.printf("## Push against the floor\n\n")
	m.printf("The floor is the same update lines written by the same server to bare TCP sockets, one writer per core, with no protocol on top: ")
	m.printf("the cheapest fan-out this machine can do. Each transport of the default comparison against it, measured in the same run, ")
	m.printf("as ratios of its latency percentiles and of the server's CPU per delivered update to the floor's (1.00 is the floor; — where the figure was not measured):\n\n")
	m.printf("| transport | p50 (ms) | p99 (ms) | CPU ms/1k deliveries | × floor p50 | × floor p99 | × floor CPU |\n")
	m.printf("|---|--:|--:|--:|--:|--:|--:|\n")
	for _, t := range p.InTableOrder() {
		r := t.VsFloor
		if t.Transport == transport.Floor {
			r = &bench.FloorRatios{P50: 1, P99: 1, CPU: 1}
		}
		if r == nil {
			continue
		}
		m.printf("| %s | %s | %s | %s | %s | %s | %s |\n", label(t.Transport), ms(t.Latency.P50), ms(t.Latency.P99),
			sig3(t.ServerCPUPerThousand()), ratioCell(r.P50), ratioCell(r.P99), ratioCell(r.CPU))
	}
	m.printf("\nAt %d clients per transport the fan-out is a small part of each figure; [performance.md](performance.md) sets the push transports against the floor at 1,000 and 10,000 clients, with the server's memory per idle connection.\n\n", f.Clients)
}

// ratioCell writes a ratio to the floor with two decimals (three
// significant digits from 10 up), — when unmeasured.
func ratioCell(r float64) string {
	if r == 0 {
		return "—"
	}
	if r >= 10 {
		return sig3(r)
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}
