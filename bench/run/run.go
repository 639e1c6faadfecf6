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
}

// Run runs the scenario: for each sweep point, each transport in turn
// against its own fresh server (so the server's CPU and memory in a row are
// that transport's), clients ramped up, warmed up, then measured over the
// window; or, with --capacity, a search per transport (capacity.go).
// Input mistakes come back as *bench.InputError.
func Run(ctx context.Context, sc bench.Scenario, o Options) (*bench.Results, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	var (
		base  *url.URL // nil: a child server per transport run
		where = "child pushlab serve on 127.0.0.1"
	)
	if sc.Target != "" {
		base, _ = bench.ParseTarget(sc.Target)
		if err := adoptTarget(ctx, base, &sc); err != nil {
			return nil, err
		}
		where = base.String()
	} else if o.ServerBinary == "" {
		bin, err := child.DefaultBinary()
		if err != nil {
			return nil, err
		}
		o.ServerBinary = bin
	}
	remote := base != nil && !target.IsLoopback(base.Host)
	if sc.Capacity {
		sc = capacityScenario(sc)
		return capacity(ctx, sc, base, o.ServerBinary, &bench.Results{Scenario: sc, Environment: environment(where, remote)}, o)
	}
	points := sc.Points()
	if err := checkOpenFiles(points); err != nil {
		return nil, err
	}

	res := &bench.Results{Scenario: sc, Environment: environment(where, remote)}
	prog := progress.New(o.Progress, plannedLength(points))
	defer prog.Finish()
	if remote {
		prog.Note("%s", target.ClockNote)
	}
	for _, p := range points {
		pt, err := runPoint(ctx, p, base, o.ServerBinary, prog)
		if err != nil {
			return nil, err
		}
		res.Points = append(res.Points, pt)
	}
	return res, nil
}

// runPoint runs each transport of one point in turn, in the scenario's
// order, each against its own server (a child from bin, or base).
func runPoint(ctx context.Context, p bench.PointPlan, base *url.URL, bin string, prog *progress.Bar) (bench.Point, error) {
	pt := bench.Point{Sweep: p.Swept, Duration: window(p.Scenario).Seconds()}
	for _, t := range p.Scenario.Transports {
		r := &transportRun{sc: p.Scenario, transport: t, base: base, bin: bin, prog: prog}
		row, err := r.run(ctx)
		if err != nil {
			return bench.Point{}, err
		}
		pt.Transports = append(pt.Transports, row)
	}
	return pt, nil
}

// adoptTarget makes sure a --target answers, and records the rate and
// payload it really runs at (GET /api/config): --rate and --payload set up
// a child server, a target keeps its own, and results must say what was
// measured.
func adoptTarget(ctx context.Context, base *url.URL, sc *bench.Scenario) error {
	srv := target.New(base)
	defer srv.Close()
	if err := srv.Check(ctx); err != nil {
		return err
	}
	if name := sc.Sweep.Name; name == "rate" || name == "payload" {
		return bench.InputErrorf("sweep %s: needs a child server (a --target keeps its own %s)", name, name)
	}
	if rate, payload, ok := srv.Config(ctx); ok { // an older or other server keeps the scenario's figures
		sc.Rate, sc.Payload = bench.Rate(rate), bench.Bytes(payload)
	}
	return nil
}

// environment describes this machine for results.json.
func environment(where string, remote bool) bench.Environment {
	host, _ := os.Hostname()
	e := bench.Environment{
		Go:      runtime.Version(),
		CPU:     proc.ThisMachine().CPU,
		Cores:   runtime.NumCPU(),
		OS:      runtime.GOOS + "/" + runtime.GOARCH,
		Host:    host,
		Started: time.Now().UTC().Format(time.RFC3339),
		Target:  where,
		Remote:  remote,
	}
	if remote {
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
		most = max(most, int(sc.Clients))
		need = max(need, uint64(int(sc.Clients)*per+64))
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
