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

// Entries is the fixed suite behind docs/report.md and docs/literature.md,
// sized for the lab's 2-core machine. Each transport runs against its own
// fresh server in turn, so a point costs roughly transports x (start +
// ramp-up + warm-up + window + drain); a window holds at least three tick
// periods, so the slowest rate dominates its sweep. The clients send a
// browser's headers (the default profile); the client variants run the
// default comparison again with other clients (clients.go).
//
//	default     4 transports x 1 point            ~ 25 s
//	clients     4 transports x 3 points           ~ 60 s
//	interval    2 transports x 3 points           ~ 40 s
//	rtt         4 transports x 5 points at 4 Hz   ~ 110 s
//	rate        4 transports x 7 points           ~ 5 min (0.1 Hz: 30 s windows)
//	rate-cache  1 transport  x 7 points           ~ 75 s
//	bozdag      3 transports x 3 points           ~ 60 s
//	capacity-*  5 searches (one per bound) of 2 transports, 1-8 steps each  ~ 4 min
//	variants    5 runs x 4 transports             ~ 75 s
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

	// The round trip, in Pimentel and Nickerson's setting (docs/
	// literature.md): small sensor readings at 4 Hz, polls at the update
	// interval, one-way latency from 0 to twice half the interval.
	rtt := short(def, "rtt")
	rtt.Clients = 20
	rtt.Rate = 4
	rtt.Payload = 100
	rtt.Interval = bench.Duration(250 * time.Millisecond)
	rtt.Sweep.Set("rtt=0s,100ms,200ms,300ms,500ms")

	// The update rate, the axis on which the transports trade places:
	// rare updates make a poll mostly empty, frequent ones share its
	// headers. Short polls keep their 1 s interval throughout.
	rate := short(def, "rate")
	rate.Sweep.Set("rate=0.1,0.5,1,2,5,10,50")
	// The same, polled as a client that honours the answers' cache
	// headers would poll: the report draws it beside blind polling.
	rateCache := rate
	rateCache.Name = "rate-cache"
	rateCache.Transports = []string{"short"}
	rateCache.PollSchedule = bench.PollCache

	// Bozdag, Mesbah and van Deursen's comparison (docs/literature.md):
	// pull at the publish interval against push (their push was Comet long
	// polling; WebSocket is today's), the server's CPU as users grow.
	bozdag := short(def, "bozdag")
	bozdag.Transports = []string{"short", "long", "ws"}
	bozdag.Rate = 1
	bozdag.Interval = bench.Duration(time.Second)
	bozdag.RampUp = bench.Duration(time.Second)
	bozdag.Sweep.Set("clients=100,1000,2000")

	entries := []Entry{{"default", def}, {"clients", clients}, {"interval", interval}, {"rtt", rtt},
		{"rate", rate}, {"rate-cache", rateCache}, {"bozdag", bozdag}}
	entries = append(entries, capacityEntries(def)...)
	return append(entries, clientVariants(def)...)
}

// capacityBounds are the maximum acceptable latencies at which the report
// measures capacity, and capacityClients the most clients it tries: a few
// thousand, what a 2-core machine holds beside its own harness.
var (
	capacityBounds  = []time.Duration{250 * time.Millisecond, time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second}
	capacityClients = bench.Count(4000)
)

// capacityEntries are one --capacity search per bound, short polling
// against WebSocket at one update a second. The short poller is tuned to
// each bound as its operator would tune it: it polls every 4/5 of the
// bound, so that 95% of updates (which wait for the next poll, up to an
// interval and its jitter) can arrive within it.
func capacityEntries(def bench.Scenario) []Entry {
	var out []Entry
	for _, mal := range capacityBounds {
		c := def
		c.Name = "capacity-" + mal.String()
		c.Transports = []string{"short", "ws"}
		c.Rate = 1
		c.ChatRate = 0
		c.Interval = bench.Duration(mal * 4 / 5)
		c.Warmup = bench.Duration(500 * time.Millisecond)
		c.Duration = bench.Duration(3 * time.Second)
		c.Capacity, c.MAL, c.Quantile, c.MaxClients = true, bench.Duration(mal), bench.DefaultQuantile, capacityClients
		out = append(out, Entry{c.Name, c})
	}
	return out
}
