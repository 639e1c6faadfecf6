// Package suite is the fixed bench suite behind docs/report.md, and the
// report built from it: running the suite and saving each run's results, or
// finding saved results again, then describing the machine and writing
// report.md with its charts (package charts/report).
package suite

import (
	"time"

	"github.com/pushlab/pushlab/bench"
)

// Entry is one bench run of the suite.
type Entry struct {
	Name     string // also its data directory under report/data
	Scenario bench.Scenario
}

// Entries is the fixed suite behind docs/report.md, sized to finish in
// about four and a half minutes on the lab's 2-core machine. Each
// transport runs against its own fresh server in turn, so a point costs
// roughly transports x (start + ramp-up + warm-up + duration). The clients
// send a browser's headers (the default profile); the client variants run
// the default comparison again with other clients (clients.go).
//
//	default   4 transports x 1 point  x ~6 s  ~ 24 s
//	clients   4 transports x 3 points x ~5 s  ~ 60 s
//	interval  2 transports x 3 points x ~7 s  ~ 42 s
//	rtt       4 transports x 3 points x ~5 s  ~ 60 s
//	variants  5 runs x 4 transports   x ~4 s  ~ 75 s
func Entries() []Entry {
	def := bench.DefaultScenario()

	// short is a shorter window for the sweeps: enough deliveries for a p99
	// at every point, while the suite stays near three minutes. The sweeps
	// run without chat so that every client receives the same stream of
	// ticks: with chat on, N clients' messages go to N clients and the
	// traffic of a clients sweep grows as N squared.
	short := func(s bench.Scenario, name string) bench.Scenario {
		s.Name = name
		s.ChatRate = 0
		s.Warmup = bench.Duration(500 * time.Millisecond)
		s.Duration = bench.Duration(3 * time.Second)
		return s
	}

	clients := short(def, "clients")
	clients.Sweep.Set("clients=10,100,400")

	// The interval matters to short polling only; WebSocket runs beside it
	// as the flat reference line. At 2 updates/s a 100 ms poll mostly finds
	// nothing and a 2 s poll finds four, so the table shows the price of
	// latency in empty responses as well as the latency itself.
	interval := def
	interval.Name = "interval"
	interval.ChatRate = 0
	interval.Transports = []string{"short", "ws"}
	interval.Rate = 2
	interval.Duration = bench.Duration(4 * time.Second)
	interval.Sweep.Set("interval=100ms,500ms,2s")

	rtt := short(def, "rtt")
	rtt.Clients = 20
	rtt.Sweep.Set("rtt=0s,20ms,100ms")

	entries := []Entry{{"default", def}, {"clients", clients}, {"interval", interval}, {"rtt", rtt}}
	return append(entries, clientVariants(def)...)
}
