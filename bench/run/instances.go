package run

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/child"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/proc"
	"github.com/pushlab/pushlab/bench/target"
)

// instance is one server a transport run's clients talk to: a child
// process of the bench or a --target. A run has one, or several sharing
// one live state through a broker; the clients are spread over them
// round-robin, and every server-side figure of the run is their sum.
type instance struct {
	server *target.Server
	child  *child.Server // nil for a target
	peak   int64         // a child's peak resident memory in the window
}

// name is how notes and errors call the instance: its URL.
func (in *instance) name() string { return in.server.URL.String() }

// startServers starts the run's child servers (one, or --instances sharing
// --broker, only the first with a generator), or takes the --target list.
// Those it started are in r.instances even when it fails, for stopServers.
func (r *transportRun) startServers(ctx context.Context) error {
	if r.targets != nil {
		for _, u := range r.targets {
			r.instances = append(r.instances, &instance{server: target.NewTrusting(u, r.side.options.TLS)})
		}
		return nil
	}
	for i := range max(1, int(r.sc.Instances)) {
		cfg := child.Config{Rate: float64(r.sc.Rate), Payload: int(r.sc.Payload), Retain: retainFor(r.sc), Broker: r.sc.Broker,
			CertFile: r.side.certFile, KeyFile: r.side.keyFile, Compress: r.sc.Compress}
		if i > 0 {
			cfg.Rate = 0 // one generator: every instance's ticks reach every instance
		}
		c, err := child.Start(ctx, r.bin, cfg)
		if err != nil {
			return err
		}
		r.instances = append(r.instances, &instance{server: target.NewTrusting(c.URL, r.side.options.TLS), child: c})
	}
	return nil
}

func (r *transportRun) stopServers() {
	for _, in := range r.instances {
		in.server.Close()
		if in.child != nil {
			in.child.Stop()
		}
	}
}

// exited says how the first child server that has ended did, "" if none.
func (r *transportRun) exited() string {
	for _, in := range r.instances {
		if in.child != nil && in.child.Exited() {
			return in.child.Exit()
		}
	}
	return ""
}

// readInstances reads every instance's counters into m, and what the
// instances spent between them: a child's from /proc, a target's from what
// it says in /metrics.
func (r *transportRun) readInstances(ctx context.Context, m *mark) error {
	m.stats = make([]target.Stats, len(r.instances))
	m.server, m.serverKnown = proc.Sample{}, true
	for i, in := range r.instances {
		st, err := in.server.Stats(ctx)
		if err != nil {
			return fmt.Errorf("%s: server stats of %s: %w", r.transport, in.name(), err)
		}
		m.stats[i] = st
		s, ok := in.sample(ctx)
		m.server.CPU += s.CPU
		m.server.RSS += s.RSS
		m.serverKnown = m.serverKnown && ok
	}
	return nil
}

// sample is what the instance's process has spent so far.
func (in *instance) sample(ctx context.Context) (proc.Sample, bool) {
	if in.child != nil {
		s, err := proc.Read(in.child.PID)
		return s, err == nil
	}
	// A target's process is not ours to read; it reports its own CPU and
	// memory (10 ms resolution, RSS now rather than peak).
	if sm := in.server.Metrics(ctx); sm.OK {
		return proc.Sample{CPU: sm.CPU, RSS: sm.RSS}, true
	}
	return proc.Sample{}, false
}

// samplePeaks notes each child's resident memory now, for its peak.
func (r *transportRun) samplePeaks() {
	for _, in := range r.instances {
		if in.child != nil {
			if s, err := proc.Read(in.child.PID); err == nil {
				in.peak = max(in.peak, s.RSS)
			}
		}
	}
}

// peaks is the children's peak memory summed: what the instances held at
// most, each at its own peak (0 for targets).
func (r *transportRun) peaks() int64 {
	var sum int64
	for _, in := range r.instances {
		sum += in.peak
	}
	return sum
}

// heap is the instances' Go heap in use now, summed (/metrics).
func (r *transportRun) heap(ctx context.Context) int64 {
	var sum int64
	for _, in := range r.instances {
		sum += in.server.Metrics(ctx).Heap
	}
	return sum
}

// edge is the version that opens or closes the window at a mark: the one
// every instance holds. Instances read one stream, so they hold the same
// versions; one still reading the latest update lags by it for a moment.
func (m mark) edge() uint64 {
	v := m.stats[0].Version
	for _, st := range m.stats[1:] {
		v = min(v, st.Version)
	}
	return v
}

// lag is how far the slowest instance was behind the fastest at the mark.
func (m mark) lag() uint64 {
	var hi uint64
	for _, st := range m.stats {
		hi = max(hi, st.Version)
	}
	return hi - m.edge()
}

// checkVersions refuses a window in which an instance's version went back:
// a server that restarted (in memory, it starts again at 0).
func (r *transportRun) checkVersions(m measured) error {
	for i, in := range r.instances {
		if v0, v1 := m.start.stats[i].Version, m.end.stats[i].Version; v1 < v0 {
			return fmt.Errorf("%s: the version of %s went back from %d to %d during the window: did it restart?",
				r.transport, in.name(), v0, v1)
		}
	}
	return nil
}

// retained is the updates after v0 that the instances retain: the
// publish time and kind of versions no client received itself. With
// several instances it also checks that they agree: the same version must
// be the same update (the same publish time and kind) everywhere, or the
// instances do not share one live state and nothing measured across them
// means anything.
func (r *transportRun) retained(ctx context.Context, v0 uint64) ([]client.Update, error) {
	first, _ := r.instances[0].server.UpdatesAfter(ctx, v0)
	if len(r.instances) == 1 {
		return first, nil
	}
	seen := map[uint64]client.Update{}
	for _, u := range first {
		seen[u.V] = u
	}
	all := first
	for _, in := range r.instances[1:] {
		ups, _ := in.server.UpdatesAfter(ctx, v0)
		for _, u := range ups {
			had, ok := seen[u.V]
			if !ok {
				seen[u.V] = u
				all = append(all, u)
				continue
			}
			if had.T != u.T || had.Kind != u.Kind {
				return nil, r.disagree(in, u, had)
			}
		}
	}
	slices.SortFunc(all, func(a, b client.Update) int { return cmp.Compare(a.V, b.V) })
	return all, nil
}

// disagree is the error for two instances holding different updates under
// one version: for a --target list, the user's to fix.
func (r *transportRun) disagree(in *instance, u, had client.Update) error {
	msg := fmt.Sprintf("%s and %s hold different updates as version %d (%s published at %d, %s at %d): they do not share one live state; start every instance with the same --broker",
		r.instances[0].name(), in.name(), u.V, had.Kind, had.T, u.Kind, u.T)
	if r.targets != nil {
		return bench.InputErrorf("%s", msg)
	}
	return errors.New(msg)
}

// adoptTargets makes sure every --target answers, and records the rate and
// payload they really run at (GET /api/config): --rate and --payload set
// up child servers, targets keep their own, and results must say what was
// measured. Several targets must share one state through a broker; the
// rate is what all of them generate together (one of them, normally). It
// returns the broker(s) they report and notes for the user.
func adoptTargets(ctx context.Context, targets []*url.URL, trust *tls.Config, sc *bench.Scenario) (brokers string, notes []string, err error) {
	if name := sc.Sweep.Name; name == "rate" || name == "payload" {
		return "", nil, bench.InputErrorf("sweep %s: needs a child server (a --target keeps its own %s)", name, name)
	}
	var (
		rate       float64
		payload    int
		told       bool
		generators []string
		names      []string
	)
	for _, u := range targets {
		srv := target.NewTrusting(u, trust)
		defer srv.Close()
		if err := srv.Check(ctx); err != nil {
			return "", nil, err
		}
		if r, p, ok := srv.Config(ctx); ok { // an older or other server keeps the scenario's figures
			rate += r
			if !told || (r > 0 && len(generators) == 0) {
				payload = p // the first's, or the generator's: what clients receive
			}
			told = true
			if r > 0 {
				generators = append(generators, u.String())
			}
		}
		st, err := srv.Stats(ctx)
		switch {
		case err != nil && len(targets) > 1:
			return "", nil, bench.InputErrorf("target %s: /api/stats: %v", u, err)
		case err != nil: // one target: its counters are read again at the window's edges
		case st.Broker == nil && len(targets) > 1:
			return "", nil, bench.InputErrorf("target %s keeps its state in memory: the servers of a --target list must share one through a broker (pushlab serve --broker)", u)
		case st.Broker != nil && !slices.Contains(names, st.Broker.URL):
			names = append(names, st.Broker.URL)
		}
	}
	if told {
		sc.Rate, sc.Payload = bench.Rate(rate), bench.Bytes(payload)
	}
	if len(generators) > 1 {
		notes = append(notes, fmt.Sprintf("%d targets generate ticks (%s): each one's reach every instance, so the rate is their sum, %g/s",
			len(generators), strings.Join(generators, ", "), rate))
	}
	return strings.Join(names, ","), notes, nil
}
