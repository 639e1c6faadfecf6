package run

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/child"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/netem"
	"github.com/pushlab/pushlab/bench/progress"
	"github.com/pushlab/pushlab/bench/target"
)

// stopWithin bounds how long the clients may take to stop after the end.
const stopWithin = 15 * time.Second

// transportRun is one transport at one sweep point.
type transportRun struct {
	sc        bench.Scenario // as it runs at this point
	transport string
	base      *url.URL // the --target; nil: start a child server
	bin       string   // the pushlab binary for a child server
	prog      *progress.Bar

	server  *target.Server // the server under test, once started
	child   *child.Server  // nil for a target
	clients *client.Group
	got     delivery // what the clients received of the window's versions, once evaluated
}

// run starts the server and the clients, measures the window and returns
// the transport's row.
func (r *transportRun) run(ctx context.Context) (bench.TransportResult, error) {
	if err := r.startServer(ctx); err != nil {
		return bench.TransportResult{}, err
	}
	defer r.stopServer()
	via, err := r.startNetem()
	if err != nil {
		return bench.TransportResult{}, err
	}
	if via != nil {
		defer via.Stop()
	}

	r.clients = client.NewGroup(ctx)
	m, err := r.drive(ctx, via)
	if !r.clients.Stop(stopWithin) {
		return bench.TransportResult{}, fmt.Errorf("%s: clients did not stop within %s of the end", r.transport, stopWithin)
	}
	if err != nil {
		if r.child != nil && r.child.Exited() {
			err = fmt.Errorf("%w (the server exited: %s)", err, r.child.Exit())
		}
		return bench.TransportResult{}, err
	}
	if ctx.Err() != nil {
		return bench.TransportResult{}, ctx.Err()
	}
	return r.evaluate(ctx, m)
}

// drive takes the clients through the phases of the run: started over the
// ramp-up, warmed up, measured over the window, then given the time the
// last updates need to arrive.
func (r *transportRun) drive(ctx context.Context, via *netem.Proxy) (measured, error) {
	sc := r.sc
	r.prog.Phase(sc.RampUp.D(), "%s: starting %d clients", r.transport, sc.Clients)
	if err := r.startClients(ctx, via); err != nil {
		return measured{}, err
	}
	r.prog.Phase(sc.Warmup.D(), "%s: warming up", r.transport)
	if !pause(ctx, sc.Warmup.D()) {
		return measured{}, ctx.Err()
	}
	if !r.waitReady(ctx) {
		r.prog.Note("%s: only %d of %d clients hold the state after warm-up; measuring anyway", r.transport, r.clients.Ready(), sc.Clients)
	}
	r.prog.Phase(window(sc), "%s: measuring %s", r.transport, window(sc))
	m, err := r.measure(ctx)
	if err != nil {
		return m, err
	}
	r.prog.Phase(drainFor(sc, r.transport), "%s: letting the last updates arrive", r.transport)
	pause(ctx, drainFor(sc, r.transport))
	return m, nil
}

// startServer starts the child server the transport runs against, or
// takes the --target: every client of the run talks to r.server.
func (r *transportRun) startServer(ctx context.Context) error {
	base := r.base
	if base == nil {
		c, err := child.Start(ctx, r.bin, child.Config{Rate: float64(r.sc.Rate), Payload: int(r.sc.Payload), Retain: retainFor(r.sc)})
		if err != nil {
			return err
		}
		r.child, base = c, c.URL
	}
	r.server = target.New(base)
	return nil
}

func (r *transportRun) stopServer() {
	r.server.Close()
	if r.child != nil {
		r.child.Stop()
	}
}

// startNetem puts the scenario's network conditions between the clients
// and the server; nil when it has none.
func (r *transportRun) startNetem() (*netem.Proxy, error) {
	if r.sc.RTT == 0 && r.sc.Bandwidth == "" {
		return nil, nil
	}
	c := netem.Conditions{RTT: r.sc.RTT.D(), Jitter: r.sc.Jitter.D()}
	if r.sc.Bandwidth != "" {
		bw, err := r.sc.Bandwidth.BytesPerSecond()
		if err != nil {
			return nil, err
		}
		c.Bandwidth = bw
	}
	return netem.Start(r.server.URL.Host, c)
}

// startClients starts the clients spread evenly over the ramp-up.
func (r *transportRun) startClients(ctx context.Context, via *netem.Proxy) error {
	sc := r.sc
	cfg := client.Config{
		Transport:   r.transport,
		Base:        r.server.URL,
		Interval:    sc.Interval.D(),
		FollowCache: sc.PollSchedule.FollowsCache(),
		Wait:        sc.Wait.D(),
		ChatRate:    float64(sc.ChatRate),
	}
	if via != nil {
		cfg.Options.Via = via.Addr
	}
	tag := fmt.Sprintf("%04x", rand.Uint32()&0xffff) // names stay apart on a shared target
	seed := rand.Uint64()
	start := time.Now()
	n := int(sc.Clients)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(int64(sc.RampUp.D()) * int64(i) / int64(n)))
		if !pause(ctx, time.Until(at)) {
			return ctx.Err()
		}
		if _, err := r.clients.Start(fmt.Sprintf("%s-%s-%d", r.transport, tag, i), cfg, seed+uint64(i)); err != nil {
			return err
		}
	}
	return nil
}

// waitReady waits, within a bound, until every client holds the state: a
// client that joins inside the window would count its first snapshot as
// coalescing every version before it.
func (r *transportRun) waitReady(ctx context.Context) bool {
	deadline := time.Now().Add(r.sc.Interval.D() + readyWithin)
	for r.clients.Ready() < int64(r.sc.Clients) {
		if time.Now().After(deadline) || !pause(ctx, readyPoll) {
			return false
		}
	}
	return true
}

// evaluate reads what the clients received against the versions the
// server published in the window, and makes the row.
func (r *transportRun) evaluate(ctx context.Context, m measured) (bench.TransportResult, error) {
	v0, v1 := m.start.stats.Version, m.end.stats.Version
	if v1 < v0 {
		return bench.TransportResult{}, fmt.Errorf("%s: the server's version went back from %d to %d during the window: did it restart?",
			r.transport, v0, v1)
	}
	tracks := r.clients.Tracks()
	vt := newVersionTable(v0, v1)
	retained, _ := r.server.UpdatesAfter(ctx, v0)
	fillTable(vt, tracks, retained)
	d := evaluate(tracks, vt)
	r.got = d
	if d.clockSkew > 0 {
		r.prog.Note("%s: %d latency samples were negative (server clock ahead of ours) and count as 0", r.transport, d.clockSkew)
	}
	row := r.row(m, d)
	if up, down := row.ByteAgreement(); up > 0.01 || down > 0.01 {
		r.prog.Note("%s: harness and server bytes differ by %.1f%% up, %.1f%% down: updates were still in flight at the window's edge (an overloaded machine?)",
			r.transport, 100*up, 100*down)
	}
	r.prog.Note("%s: %d clients, %d delivered, p50 %s, %d errors", r.transport, r.sc.Clients, row.Delivered,
		time.Duration(row.Latency.P50)*time.Microsecond, row.Errors)
	return row, nil
}
