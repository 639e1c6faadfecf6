package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/pushlab/pushlab/bench"
)

// suiteRun is one bench run of the report's fixed suite.
type suiteRun struct {
	name     string // also its data directory under docs/report/data
	scenario bench.Scenario
}

// reportSuite is the fixed suite behind docs/report.md, sized to finish in
// about three minutes on the lab's 2-core machine. Each transport runs
// against its own fresh server in turn, so a point costs roughly
// transports x (start + ramp-up + warm-up + duration).
//
//	default   4 transports x 1 point  x ~6 s  ~ 24 s
//	clients   4 transports x 3 points x ~5 s  ~ 60 s
//	interval  2 transports x 3 points x ~7 s  ~ 42 s
//	rtt       4 transports x 3 points x ~5 s  ~ 60 s
func reportSuite() []suiteRun {
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
	clients.Sweep = &bench.Sweep{Name: "clients", Values: []string{"10", "100", "400"}}

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
	interval.Sweep = &bench.Sweep{Name: "interval", Values: []string{"100ms", "500ms", "2s"}}

	rtt := short(def, "rtt")
	rtt.Clients = 20
	rtt.Sweep = &bench.Sweep{Name: "rtt", Values: []string{"0s", "20ms", "100ms"}}

	return []suiteRun{{"default", def}, {"clients", clients}, {"interval", interval}, {"rtt", rtt}}
}

// benchCommand is the `pushlab bench` command line that runs sc on its own.
func benchCommand(sc bench.Scenario) string {
	args := []string{"pushlab", "bench",
		"--transports", strings.Join(sc.Transports, ","),
		"--clients", fmt.Sprint(sc.Clients),
		"--rate", fmt.Sprint(sc.Rate),
		"--payload", fmt.Sprint(sc.Payload),
		"--interval", sc.Interval.String(),
		"--wait", sc.Wait.String(),
		"--chat-rate", fmt.Sprint(sc.ChatRate),
		"--warmup", sc.Warmup.String(),
		"--duration", sc.Duration.String(),
	}
	if sc.RTT > 0 {
		args = append(args, "--rtt", sc.RTT.String())
	}
	if sc.Jitter > 0 {
		args = append(args, "--jitter", sc.Jitter.String())
	}
	if sc.Bandwidth != "" {
		args = append(args, "--bandwidth", sc.Bandwidth)
	}
	if sc.Sweep != nil {
		args = append(args, "--sweep", sc.Sweep.Name+"="+strings.Join(sc.Sweep.Values, ","))
	}
	return strings.Join(args, " ")
}
