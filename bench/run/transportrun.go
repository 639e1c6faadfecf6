package run

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/bench/progress"
	"github.com/pushlab/pushlab/netcond"
)

// stopWithin bounds how long the clients may take to stop after the end.
const stopWithin = 15 * time.Second

// transportRun is one transport at one sweep point.
type transportRun struct {
	sc        bench.Scenario // as it runs at this point
	transport string
	targets   []*url.URL // the --target list; nil: start child servers
	bin       string     // the pushlab binary for a child server
	side      clientSide
	prog      *progress.Bar

	instances []*instance // the servers under test, once started (instances.go)
	clients   *client.Group
	got       delivery // what the clients received of the window's versions, once evaluated
}

// run starts the servers and the clients, measures the window and returns
// the transport's row.
func (r *transportRun) run(ctx context.Context) (bench.TransportResult, error) {
	err := r.startServers(ctx)
	defer r.stopServers()
	if err != nil {
		return bench.TransportResult{}, err
	}
	vias, err := r.startNetem()
	for _, via := range vias {
		defer via.Close()
	}
	if err != nil {
		return bench.TransportResult{}, err
	}

	r.clients = client.NewGroup(ctx)
	m, err := r.drive(ctx, vias)
	if !r.clients.Stop(stopWithin) {
		return bench.TransportResult{}, fmt.Errorf("%s: clients did not stop within %s of the end", r.transport, stopWithin)
	}
	if err != nil {
		if how := r.exited(); how != "" {
			err = fmt.Errorf("%w (a server exited: %s)", err, how)
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
func (r *transportRun) drive(ctx context.Context, vias []*netcond.Proxy) (measured, error) {
	sc := r.sc
	r.prog.Phase(sc.RampUp.D(), "%s: starting %d clients", r.transport, sc.Clients)
	if err := r.startClients(ctx, vias); err != nil {
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

// startNetem puts the scenario's network conditions between the clients
// and each server, a proxy in front of each; none when it has none.
func (r *transportRun) startNetem() ([]*netcond.Proxy, error) {
	if r.sc.RTT == 0 && r.sc.Bandwidth == "" {
		return nil, nil
	}
	c := netcond.Conditions{RTT: r.sc.RTT.D(), Jitter: r.sc.Jitter.D()}
	if r.sc.Bandwidth != "" {
		bw, err := r.sc.Bandwidth.BytesPerSecond()
		if err != nil {
			return nil, err
		}
		c.Bandwidth = bw * 8
	}
	var vias []*netcond.Proxy
	for _, in := range r.instances {
		via, err := netcond.Start("127.0.0.1:0", in.server.URL.Host)
		if err == nil {
			vias = append(vias, via)
			err = via.Set(c)
		}
		if err != nil {
			return vias, bench.InputErrorf("network conditions: %v", err)
		}
	}
	return vias, nil
}

// startClients starts the clients spread evenly over the ramp-up, and
// round-robin over the instances. Only the first instance's clients chat,
// at most --chatters of them (bench.Scenario.Chats): every chat update
// then reaches the other instances' clients through the broker.
func (r *transportRun) startClients(ctx context.Context, vias []*netcond.Proxy) error {
	sc := r.sc
	cfgs := make([]client.Config, len(r.instances))
	for i, in := range r.instances {
		cfgs[i] = client.Config{
			Transport:   r.transport,
			Base:        in.server.URL,
			Interval:    sc.Interval.D(),
			FollowCache: sc.PollSchedule.FollowsCache(),
			Wait:        sc.Wait.D(),
			Options:     r.side.options,
		}
		if vias != nil {
			cfgs[i].Options.Via = vias[i].Addr()
		}
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
		cfg := cfgs[i%len(cfgs)]
		if sc.Chats(i) {
			cfg.ChatRate = float64(sc.ChatRate)
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

// evaluate reads what the clients received against the versions
// published in the window, and makes the row. The window's versions are
// those every instance holds at its edges, and none it recorded before.
func (r *transportRun) evaluate(ctx context.Context, m measured) (bench.TransportResult, error) {
	if err := r.checkVersions(m); err != nil {
		return bench.TransportResult{}, err
	}
	v0 := max(m.start.edge(), m.recordFrom)
	v1 := max(m.end.edge(), v0)
	retained, err := r.retained(ctx, v0)
	if err != nil {
		return bench.TransportResult{}, err
	}
	tracks := r.clients.Tracks()
	vt := newVersionTable(v0, v1)
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
	if n := r.clients.Refused(); n > 0 {
		r.prog.Note("%s: the server refused %d publishes (503 or a WebSocket error frame): is its broker away?", r.transport, n)
	}
	r.prog.Note("%s: %d clients, %d delivered, p50 %s, %d errors", r.transport, r.sc.Clients, row.Delivered,
		time.Duration(row.Latency.P50)*time.Microsecond, row.Errors)
	return row, nil
}
