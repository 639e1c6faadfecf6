// Package run carries a bench run out. Run takes a bench.Scenario through
// its points and transports (run.go); each transport at each point is a
// transportRun against its own server (transportrun.go) that starts the
// clients, reads both sides' counters at the edges of the measured window
// (measure.go), evaluates what the clients received (evaluate.go) and
// turns it into a result row (row.go). How long each phase lasts is in
// timing.go.
package run

import (
	"context"
	"io"
	"net/url"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/child"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/proc"
	"github.com/pushlab/pushlab/bench/progress"
	"github.com/pushlab/pushlab/bench/target"
)

// Options say how to carry a run out; the Scenario says what to measure.
type Options struct {
	// Progress receives the progress bar (on a terminal) or one line per
	// phase, and notes; nil runs quietly.
	Progress io.Writer
	// ServerBinary is the pushlab binary started as `serve` when the
	// scenario has no target; empty means this executable.
	ServerBinary string
	// CertFile and KeyFile are the certificate a --tls child serves and
	// the clients trust; empty: one made for the run (clientside.go).
	CertFile, KeyFile string
	// CAFile holds the PEM certificates an https:// --target is trusted
	// by; empty: the system's roots.
	CAFile string
}

// Run runs the scenario: for each sweep point, each transport in turn
// against its own fresh server or servers (so the server's CPU and memory
// in a row are that transport's), clients ramped up, warmed up, then
// measured over the window; or, with --capacity, a search per transport
// (capacity.go). Input mistakes come back as *bench.InputError.
func Run(ctx context.Context, sc bench.Scenario, o Options) (*bench.Results, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	env := environment(sc)
	var (
		targets []*url.URL // nil: child servers for each transport run
		notes   []string
	)
	if sc.Target != "" {
		targets, _ = bench.ParseTargets(sc.Target)
		sc.TLS = targets[0].Scheme == "https" // the targets' scheme says
		for _, u := range targets[1:] {
			if u.Scheme != targets[0].Scheme {
				return nil, bench.InputErrorf("target: %s and %s: every target must be http or every one https", targets[0], u)
			}
		}
	}
	side, err := setUpClientSide(sc, o)
	if err != nil {
		return nil, err
	}
	defer side.cleanup()
	if targets != nil {
		brokers, said, err := adoptTargets(ctx, targets, side.options.TLS, &sc)
		if err != nil {
			return nil, err
		}
		env.Broker, notes = brokers, said
	} else if o.ServerBinary == "" {
		bin, err := child.DefaultBinary()
		if err != nil {
			return nil, err
		}
		o.ServerBinary = bin
	}
	if sc.Capacity {
		sc = capacityScenario(sc)
		res := &bench.Results{Scenario: sc, Environment: env}
		res.Environment.Profile = profileNote(sc)
		return capacity(ctx, sc, targets, o.ServerBinary, side, res, o)
	}
	points := sc.Points()
	if err := checkOpenFiles(points); err != nil {
		return nil, err
	}

	res := &bench.Results{Scenario: sc, Environment: env}
	res.Scenario.Broker = bench.BrokerForResults(sc.Broker)
	res.Environment.Profile = profileNote(sc)
	prog := progress.New(o.Progress, plannedLength(points))
	defer prog.Finish()
	if env.Remote {
		prog.Note("%s", target.ClockNote)
	}
	for _, n := range notes {
		prog.Note("%s", n)
	}
	for _, p := range points {
		pt, err := runPoint(ctx, p, targets, o.ServerBinary, side, prog)
		if err != nil {
			return nil, err
		}
		res.Points = append(res.Points, pt)
	}
	return res, nil
}

// runPoint runs each transport of one point in turn, each against servers
// of its own (children from bin, or the targets), --repeat times: the
// first time in the scenario's order, then each time starting one
// transport later, so that no transport always runs first (on a fresh
// machine) or last. A transport's row combines its runs (bench.Combine).
func runPoint(ctx context.Context, p bench.PointPlan, targets []*url.URL, bin string, side clientSide, prog *progress.Bar) (bench.Point, error) {
	pt := bench.Point{Sweep: p.Swept, Duration: window(p.Scenario).Seconds()}
	order := p.Scenario.Transports
	runs := make(map[string][]bench.TransportResult, len(order))
	for rep := 0; rep < p.Scenario.Runs(); rep++ {
		if rep > 0 {
			prog.Note("run %d of %d", rep+1, p.Scenario.Runs())
		}
		for k := range order {
			t := order[(k+rep)%len(order)]
			r := &transportRun{sc: p.Scenario, transport: t, targets: targets, bin: bin, side: side, prog: prog}
			row, err := r.run(ctx)
			if err != nil {
				return bench.Point{}, err
			}
			runs[t] = append(runs[t], row)
		}
	}
	for _, t := range order {
		pt.Transports = append(pt.Transports, bench.Combine(runs[t]))
	}
	pt.CompareWithFloor()
	return pt, nil
}

// environment describes this machine and the servers under test for
// results.json. Latency compares the publishing server's clock with this
// machine's: the same clock only when every server runs on this host.
func environment(sc bench.Scenario) bench.Environment {
	host, _ := os.Hostname()
	e := bench.Environment{
		Go:      runtime.Version(),
		CPU:     proc.ThisMachine().CPU,
		Cores:   runtime.NumCPU(),
		OS:      runtime.GOOS + "/" + runtime.GOARCH,
		Host:    host,
		Started: time.Now().UTC().Format(time.RFC3339),
		Target:  "child pushlab serve on 127.0.0.1",
	}
	if n := sc.InstanceCount(); n > 1 {
		e.Instances = n
	}
	switch {
	case sc.Target != "":
		targets, _ := bench.ParseTargets(sc.Target)
		var urls []string
		for _, u := range targets {
			urls = append(urls, u.String())
			e.Remote = e.Remote || !target.IsLoopback(u.Host)
		}
		e.Target = strings.Join(urls, ",")
	case sc.Broker != "":
		e.Broker = bench.BrokerForResults(sc.Broker)
		e.Target = "child pushlab serve instances on 127.0.0.1 sharing " + e.Broker
	}
	if e.Remote {
		e.ClockNote = target.ClockNote
	}
	return e
}

// checkOpenFiles makes sure the clients (and a child server, which inherits
// the limit) will have the sockets they need.
func checkOpenFiles(points []bench.PointPlan) error {
	most, need := 0, uint64(0)
	for _, p := range points {
		sc := p.Scenario
		per := 1
		for _, t := range sc.Transports {
			per = max(per, client.Connections(t, sc.ChatRate > 0))
		}
		// A second socket is a chatting client's (its publishes), so only
		// the chatters need one.
		most = max(most, int(sc.Clients))
		need = max(need, uint64(int(sc.Clients)+sc.Publishers(int(sc.Clients))*(per-1)+64))
	}
	if limit := raiseOpenFiles(); limit < need {
		return bench.InputErrorf("%d clients need about %d open files, the limit is %d: raise it (ulimit -n %d)", most, need, limit, need)
	}
	return nil
}

// raiseOpenFiles lifts the soft limit on open files to the hard limit, in
// this process and (inherited through exec) in the child server: every
// simulated client holds one or two sockets. It returns the limit now.
func raiseOpenFiles() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
			syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
		}
	}
	return r.Cur
}
