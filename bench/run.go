package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
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
// window. Input mistakes come back as *InputError.
func Run(ctx context.Context, sc Scenario, o Options) (*Results, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	points, err := sc.points()
	if err != nil {
		return nil, err
	}
	ctl := controlClient()
	defer ctl.CloseIdleConnections()

	var (
		target *url.URL
		remote bool
		where  = "child pushlab serve on 127.0.0.1"
	)
	if sc.Target != "" {
		target, _ = parseTarget(sc.Target)
		if err := checkTarget(ctx, ctl, target); err != nil {
			return nil, err
		}
		remote, where = !isLoopback(target.Host), target.String()
		if err := adoptTargetConfig(ctx, ctl, target, &sc); err != nil {
			return nil, err
		}
		if points, err = sc.points(); err != nil {
			return nil, err
		}
	} else if o.ServerBinary == "" {
		if o.ServerBinary, err = defaultServerBinary(); err != nil {
			return nil, err
		}
	}
	if err := checkOpenFiles(points); err != nil {
		return nil, err
	}

	res := &Results{Scenario: sc, Environment: environment(where, remote)}
	prog := newProgress(o.Progress, plannedLength(points))
	defer prog.finish()
	if remote {
		prog.note("%s", clockNote)
	}
	for _, p := range points {
		pt := Point{Sweep: p.sweep, Duration: window(p.sc).Seconds()}
		for _, t := range p.sc.Transports {
			r := &transportRun{sc: p.sc, transport: t, base: target, bin: o.ServerBinary, ctl: ctl, prog: prog}
			tr, err := r.run(ctx)
			if err != nil {
				return nil, err
			}
			pt.Transports = append(pt.Transports, tr)
		}
		res.Points = append(res.Points, pt)
	}
	return res, nil
}

// adoptTargetConfig records the rate and payload a target server really
// runs at (GET /api/config): --rate and --payload set up a child server, a
// target keeps its own, and results must say what was measured.
func adoptTargetConfig(ctx context.Context, ctl *http.Client, target *url.URL, sc *Scenario) error {
	if sc.Sweep != nil && (sc.Sweep.Name == "rate" || sc.Sweep.Name == "payload") {
		return inputErrorf("sweep %s: needs a child server (a --target keeps its own %s)", sc.Sweep.Name, sc.Sweep.Name)
	}
	var cfg struct {
		Rate    *float64 `json:"rate"`
		Payload *int     `json:"payload"`
	}
	if err := getJSON(ctx, ctl, target.String()+"/api/config", &cfg); err != nil || cfg.Rate == nil || cfg.Payload == nil {
		return nil // an older or other server: keep the scenario's figures
	}
	sc.Rate, sc.Payload = *cfg.Rate, *cfg.Payload
	return nil
}

// checkOpenFiles makes sure the clients (and a child server, which inherits
// the limit) will have the sockets they need.
func checkOpenFiles(points []pointSpec) error {
	most, need := 0, uint64(0)
	for _, p := range points {
		// One connection per client; HTTP clients that chat open a second
		// one to publish while a long poll or stream is open.
		per := uint64(1)
		if p.sc.ChatRate > 0 && (len(p.sc.Transports) > 1 || p.sc.Transports[0] != "ws") {
			per = 2
		}
		most = max(most, p.sc.Clients)
		need = max(need, uint64(p.sc.Clients)*per+64)
	}
	if limit := raiseOpenFiles(); limit < need {
		return inputErrorf("%d clients need about %d open files, the limit is %d: raise it (ulimit -n %d)", most, need, limit, need)
	}
	return nil
}

// plannedLength is how long the run should take, for the progress bar.
func plannedLength(points []pointSpec) time.Duration {
	var d time.Duration
	for _, p := range points {
		d += time.Duration(len(p.sc.Transports)) * (p.sc.RampUp.D() + p.sc.Warmup.D() + p.sc.Duration.D() + drainFor(p.sc, "long"))
	}
	return d
}

// drainFor is how long clients keep running after the window closes so
// that updates published at its very end can arrive before anything is
// called missed: a round trip or two, and for short polls one interval.
func drainFor(sc Scenario, transport string) time.Duration {
	d := 500*time.Millisecond + 2*(sc.RTT.D()+sc.Jitter.D())
	if transport == "short" {
		d += time.Duration(float64(sc.Interval.D()) * (1 + pollJitter))
	}
	if sc.Bandwidth != "" {
		d += time.Second
	}
	return d
}

// retainFor is the child server's --retain: enough to hold every update of
// the run, so that afterwards the publish time and kind of any version can
// be looked up, within a bound on the server's memory.
func retainFor(sc Scenario) int {
	run := sc.RampUp.D() + sc.Warmup.D() + sc.Duration.D() + drainFor(sc, "short") + 5*time.Second
	perSec := sc.Rate + sc.ChatRate*float64(sc.Clients)
	n := int(perSec * run.Seconds() * 1.5)
	return min(max(n, 1024), 100_000)
}

// transportRun is one transport at one sweep point.
type transportRun struct {
	sc        Scenario
	transport string
	base      *url.URL // the server; nil: start a child
	bin       string
	ctl       *http.Client
	prog      *progress

	pid     int // child server, 0 for a target
	clients []*simClient
	state   *runState
}

// mark is everything read at one edge of the measured window.
type mark struct {
	at      time.Time
	tally   tally
	stats   serverStats
	server  procSample
	harness procSample

	serverKnown bool // a target reported its process figures in /metrics
}

func (r *transportRun) run(ctx context.Context) (TransportResult, error) {
	sc := r.sc
	var child *childServer
	if r.base == nil {
		var err error
		if child, err = startChild(ctx, r.bin, sc, retainFor(sc)); err != nil {
			return TransportResult{}, err
		}
		defer child.stop()
		r.base, r.pid = child.url, child.pid
	}
	via := ""
	if needsNetem(sc) {
		ne, err := startNetem(r.base.Host, sc)
		if err != nil {
			return TransportResult{}, err
		}
		defer ne.stop()
		via = ne.addr
	}

	clientsCtx, stopClients := context.WithCancel(ctx)
	defer stopClients()
	var wg sync.WaitGroup
	r.prog.phase(sc.RampUp.D(), "%s: starting %d clients", r.transport, sc.Clients)
	if err := r.startClients(ctx, clientsCtx, &wg, via); err != nil {
		stopClients()
		wg.Wait()
		return TransportResult{}, err
	}
	r.prog.phase(sc.Warmup.D(), "%s: warming up", r.transport)
	if !sleep(ctx, sc.Warmup.D()) {
		stopClients()
		wg.Wait()
		return TransportResult{}, ctx.Err()
	}

	if !r.waitReady(ctx) {
		r.prog.note("%s: only %d of %d clients hold the state after warm-up; measuring anyway", r.transport, r.state.ready.Load(), sc.Clients)
	}
	r.prog.phase(window(sc), "%s: measuring %s", r.transport, window(sc))
	m0, m1, serverRSS, harnessRSS, heap, err := r.measure(ctx)
	if err == nil {
		r.prog.phase(drainFor(sc, r.transport), "%s: letting the last updates arrive", r.transport)
		sleep(ctx, drainFor(sc, r.transport))
	}
	stopClients()
	if !waitTimeout(&wg, 15*time.Second) {
		return TransportResult{}, fmt.Errorf("%s: clients did not stop within 15s of the end", r.transport)
	}
	if err != nil {
		if child != nil && child.exited() {
			err = fmt.Errorf("%w (the server exited: %v; its last log line: %s)", err, child.err, child.stderr.lastLine())
		}
		return TransportResult{}, err
	}
	if ctx.Err() != nil {
		return TransportResult{}, ctx.Err()
	}
	if m1.stats.Version < m0.stats.Version {
		return TransportResult{}, fmt.Errorf("%s: the server's version went back from %d to %d during the window: did it restart?",
			r.transport, m0.stats.Version, m1.stats.Version)
	}

	vt := newVersionTable(m0.stats.Version, m1.stats.Version)
	extra, _ := fetchUpdates(ctx, r.ctl, r.base, m0.stats.Version)
	fillTable(vt, r.clients, extra)
	d := evaluate(r.clients, vt)
	if d.clockSkew > 0 {
		r.prog.note("%s: %d latency samples were negative (server clock ahead of ours) and count as 0", r.transport, d.clockSkew)
	}
	tr := r.figures(m1.tally.minus(m0.tally), d)
	tr.ServerBytesIn = m1.stats.Transports[r.transport].BytesIn - m0.stats.Transports[r.transport].BytesIn
	tr.ServerBytesOut = m1.stats.Transports[r.transport].BytesOut - m0.stats.Transports[r.transport].BytesOut
	switch {
	case r.pid > 0:
		tr.ServerCPU = m1.server.cpu - m0.server.cpu
		tr.ServerRSS = serverRSS
	case m0.serverKnown && m1.serverKnown:
		tr.ServerCPU = m1.server.cpu - m0.server.cpu
		tr.ServerRSS = m1.server.rss
	}
	tr.ServerHeap = heap
	tr.HarnessCPU = m1.harness.cpu - m0.harness.cpu
	tr.HarnessRSS = harnessRSS
	if up, down := tr.ByteAgreement(); up > 0.01 || down > 0.01 {
		r.prog.note("%s: harness and server bytes differ by %.1f%% up, %.1f%% down: updates were still in flight at the window's edge (an overloaded machine?)",
			r.transport, 100*up, 100*down)
	}
	r.prog.note("%s: %d clients, %d delivered, p50 %s, %d errors", r.transport, sc.Clients, tr.Delivered,
		time.Duration(tr.Latency.P50)*time.Microsecond, tr.Errors)
	return tr, nil
}

// startClients starts the clients spread evenly over the ramp-up.
func (r *transportRun) startClients(ctx, clientsCtx context.Context, wg *sync.WaitGroup, via string) error {
	sc := r.sc
	r.state = newRunState()
	tag := fmt.Sprintf("%04x", rand.Uint32()&0xffff) // names stay apart on a shared target
	seed := rand.Uint64()
	start := time.Now()
	for i := 0; i < sc.Clients; i++ {
		at := start.Add(time.Duration(int64(sc.RampUp.D()) * int64(i) / int64(sc.Clients)))
		if !sleep(ctx, time.Until(at)) {
			return ctx.Err()
		}
		c := newSimClient(fmt.Sprintf("%s-%s-%d", r.transport, tag, i), r.transport, sc, r.base, via, r.state, seed+uint64(i))
		r.clients = append(r.clients, c)
		wg.Add(1)
		go func() { defer wg.Done(); c.run(clientsCtx) }()
	}
	return nil
}

// waitReady waits, within a bound, until every client holds the state: a
// client that joins inside the window would count its first snapshot as
// coalescing every version before it.
func (r *transportRun) waitReady(ctx context.Context) bool {
	deadline := time.Now().Add(r.sc.Interval.D() + 5*time.Second)
	for r.state.ready.Load() < int64(r.sc.Clients) {
		if time.Now().After(deadline) || !sleep(ctx, 20*time.Millisecond) {
			return false
		}
	}
	return true
}

// measure takes the marks at the window's edges and samples memory in
// between (the peaks are what a capacity plan needs).
func (r *transportRun) measure(ctx context.Context) (m0, m1 mark, serverRSS, harnessRSS, heap int64, err error) {
	// Arrivals are recorded from the highest version seen so far, which
	// is at or below the version the window opens at.
	r.state.recordFrom.Store(r.state.maxSeen.Load())
	if m0, err = r.mark(ctx, r.quietMoment()); err != nil {
		return
	}
	end := m0.at.Add(window(r.sc))
	for {
		if s, e := readProc(r.pid); r.pid > 0 && e == nil {
			serverRSS = max(serverRSS, s.rss)
		}
		harnessRSS = max(harnessRSS, harnessSample().rss)
		left := time.Until(end) - settleFor(r.sc)
		if left <= 0 {
			break
		}
		if !sleep(ctx, min(left, 250*time.Millisecond)) {
			return m0, m1, 0, 0, 0, ctx.Err()
		}
	}
	if m1, err = r.mark(ctx, end); err != nil {
		return
	}
	heap = fetchMetrics(ctx, r.ctl, r.base).heap
	return
}

// mark reads, at time at, the clients' tallies, then the server's
// /api/stats and /proc. Polls and publishes are held back from a moment
// before until the reading is done.
func (r *transportRun) mark(ctx context.Context, at time.Time) (mark, error) {
	sleep(ctx, time.Until(at)-settleFor(r.sc))
	r.state.hush.start()
	defer r.state.hush.end()
	sleep(ctx, time.Until(at))
	m := mark{at: time.Now(), tally: takeTally(r.clients)}
	st, err := fetchStats(ctx, r.ctl, r.base)
	if err != nil {
		return m, fmt.Errorf("%s: server stats: %w", r.transport, err)
	}
	m.stats = st
	if r.pid > 0 {
		m.server, _ = readProc(r.pid)
	} else if sm := fetchMetrics(ctx, r.ctl, r.base); sm.ok {
		// A target's process is not ours to read; it reports its own
		// CPU and memory (10 ms resolution, RSS now rather than peak).
		m.server, m.serverKnown = procSample{cpu: sm.cpu, rss: sm.rss}, true
	}
	m.harness = harnessSample()
	return m, nil
}

// window is the measured window: --duration rounded to a whole number of
// tick periods, so that a window opened in the middle of a period also
// closes in the middle of one.
func window(sc Scenario) time.Duration {
	d := sc.Duration.D()
	if sc.Rate <= 0 {
		return d
	}
	period := time.Duration(float64(time.Second) / sc.Rate)
	if period <= 0 {
		return d
	}
	return max(1, (d+period/2)/period) * period
}

// quietMoment is the next middle of a tick period (well ahead of now),
// when no pushed update is in flight, so that the clients' and the
// server's byte counters are read at a moment when they agree.
func (r *transportRun) quietMoment() time.Time {
	now := time.Now()
	soon := now.Add(2 * settleFor(r.sc))
	last := r.state.lastTick.Load()
	if r.sc.Rate <= 0 || last == 0 {
		return soon
	}
	period := time.Duration(float64(time.Second) / r.sc.Rate)
	next := time.Unix(0, last).Add(period / 2)
	if next.Before(soon) {
		next = next.Add((soon.Sub(next)/period + 1) * period)
	}
	return next
}

// figures turns the window's tallies and deliveries into one row.
func (r *transportRun) figures(t tally, d delivery) TransportResult {
	tr := TransportResult{
		Transport: r.transport, Clients: r.sc.Clients,
		Requests: t.requests, Empty: t.empty, Errors: t.errors, Reconnects: t.reconnects,
		Delivered: d.delivered, Coalesced: d.coalesced, Missed: d.missed, ChatMissed: d.chatMissed,
		BytesUp: t.up, BytesDown: t.down, PayloadBytes: t.payload,
		BodyBytesUp: t.bodyUp, BodyBytesDown: t.bodyDown,
	}
	// Bytes are counted by when they crossed the wire, so they are divided
	// by the updates that arrived in the same window (delivered counts the
	// versions published in it, some of which arrive during the drain).
	tr.Received = t.updates
	if t.updates > 0 {
		tr.BytesPerUpdate = float64(t.up+t.down) / float64(t.updates)
	}
	if t.requests > 0 {
		tr.RequestHeaderBytes = float64(t.reqHeaders) / float64(t.requests)
	}
	if t.responses > 0 {
		tr.ResponseHeaderBytes = float64(t.respHeaders) / float64(t.responses)
	}
	if t.updates > 0 {
		tr.FrameOverheadBytes = float64(t.down-t.respHeaders-t.payload) / float64(t.updates)
	}
	tr.Latency, tr.LatencyCDF = latencyFigures(d.latency)
	return tr
}

// waitTimeout waits for wg, at most d; it reports whether wg finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
