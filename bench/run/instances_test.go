package run

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state/broker/brokertest"
	"github.com/pushlab/pushlab/transport"
)

// startInstance starts a real server on 127.0.0.1 that shares its live
// state with every other one on the broker at url.
func startInstance(t *testing.T, url string, rate float64) *servertest.Server {
	t.Helper()
	return servertest.Start(t, server.Config{Broker: url, Rate: rate, Payload: 128})
}

// transportBytesOut is what a server has written to the clients of each
// transport since it started (its /api/stats).
func transportBytesOut(t *testing.T, s *servertest.Server) map[string]int64 {
	t.Helper()
	resp, err := http.Get(s.URL + "/api/stats?clients=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Transports map[string]struct {
			BytesOut int64 `json:"bytes_out"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for name, tr := range st.Transports {
		out[name] = tr.BytesOut
	}
	return out
}

// Two instances sharing one broker, driven as a --target list: each
// transport's clients are spread over both, the first instance's clients
// chat, and every client of either instance sees every chat; the harness's
// bytes are the two servers' counts together; the versions agree.
func TestTwoInstancesThroughABrokerEveryTransport(t *testing.T) {
	b := brokertest.Start(t)
	a := startInstance(t, b.URL(), 10) // the one generator
	c := startInstance(t, b.URL(), 0)
	sc := scenario(t, "--target", a.URL+","+c.URL, "--clients", "4", "--chat-rate", "8", "--interval", "300ms",
		"--ramp-up", "100ms", "--warmup", "300ms", "--duration", "1s")
	r, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var sum strings.Builder
	bench.WriteSummary(&sum, r)
	t.Logf("two instances:\n%s", sum.String())

	env := r.Environment
	if env.Instances != 2 || env.Broker != b.URL() || env.Target != a.URL+","+c.URL || env.Remote {
		t.Errorf("environment: instances %d, broker %q, target %q, remote %v: want both named, and the broker",
			env.Instances, env.Broker, env.Target, env.Remote)
	}
	if r.Scenario.Rate != 10 || r.Scenario.Payload != 128 {
		t.Errorf("scenario rate %v payload %v: want the generating instance's 10 Hz, 128 B", r.Scenario.Rate, r.Scenario.Payload)
	}
	for _, tr := range transport.Names() {
		got := row(t, r, tr)
		if got.Missed != 0 || got.ChatMissed != 0 || got.Errors != 0 {
			t.Errorf("%s: %d missed, %d chat missed, %d errors; want none", tr, got.Missed, got.ChatMissed, got.Errors)
		}
		// 2 publishing clients at 8/s over 1 s, every chat to all 4
		// clients, and 10 ticks each: well over 40 deliveries. Chat is
		// a Poisson process: at 2/s, 1 run in 50 sent no chat at all in
		// the window (e^-4), at 8/s e^-16.
		if got.Delivered < 40 || got.BodyBytesUp == 0 {
			t.Errorf("%s: %d delivered, %d B of chat sent", tr, got.Delivered, got.BodyBytesUp)
		}
		if up, down := got.ByteAgreement(); got.ServerBytesOut == 0 || up > 0.01 || down > 0.01 {
			t.Errorf("%s: harness up %d down %d, both servers in %d out %d: want the same within 1%%",
				tr, got.BytesUp, got.BytesDown, got.ServerBytesIn, got.ServerBytesOut)
		}
	}
	// Both instances served clients of every transport.
	for _, s := range []*servertest.Server{a, c} {
		out := transportBytesOut(t, s)
		for _, tr := range transport.Names() {
			if out[tr] == 0 {
				t.Errorf("%s served no %s client", s.URL, tr)
			}
		}
	}
}

// Servers that do not share one live state are refused as a --target
// list: one that keeps its state in memory at once, and two on different
// brokers (versions that are different updates) when the versions are
// compared after the window.
func TestTargetsThatDoNotShareAStateAreRefused(t *testing.T) {
	b1, b2 := brokertest.Start(t), brokertest.Start(t)
	alone := servertest.Start(t, server.Config{Rate: 10})
	a := startInstance(t, b1.URL(), 20)
	other := startInstance(t, b2.URL(), 20)

	sc := scenario(t, "--target", a.URL+","+alone.URL, "--transports", "ws", "--clients", "2")
	_, err := Run(context.Background(), sc, Options{})
	var ie *bench.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), alone.URL) || !strings.Contains(err.Error(), "broker") {
		t.Errorf("an in-memory server in the list: %v; want an input error naming it", err)
	}

	sc = scenario(t, "--target", a.URL+","+other.URL, "--transports", "ws", "--clients", "2", "--chat-rate", "0",
		"--ramp-up", "0s", "--warmup", "200ms", "--duration", "500ms")
	_, err = Run(context.Background(), sc, Options{})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "do not share one live state") {
		t.Errorf("instances on two brokers: %v; want an input error saying they do not share a state", err)
	}
}

// --instances N --broker URL: the bench starts N child servers on the
// broker, only the first with a generator, spreads the clients over them,
// and sums what the children spent.
func TestChildInstancesShareTheBroker(t *testing.T) {
	bin := buildPushlab(t)
	b := brokertest.Start(t)
	sc := scenario(t, "--instances", "2", "--broker", b.URL(), "--transports", "ws,sse", "--clients", "4",
		"--rate", "20", "--chat-rate", "2", "--ramp-up", "0s", "--warmup", "300ms", "--duration", "1s")
	r, err := Run(context.Background(), sc, Options{ServerBinary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if r.Environment.Instances != 2 || r.Environment.Broker != b.URL() || r.Scenario.Broker != b.URL() {
		t.Errorf("environment %+v, scenario broker %q: want 2 instances on %s", r.Environment, r.Scenario.Broker, b.URL())
	}
	for _, tr := range []string{"ws", "sse"} {
		got := row(t, r, tr)
		// Exactly one generator: 20 ticks/s to 4 clients over 1 s, and
		// 2 publishers' chat; two generators would double the ticks.
		if want := int64(4 * 20); got.Delivered < want*8/10 || got.Delivered > 2*want {
			t.Errorf("%s: %d delivered, want about %d plus chat: one generator", tr, got.Delivered, want)
		}
		if got.Missed != 0 || got.ChatMissed != 0 || got.Errors != 0 {
			t.Errorf("%s: %d missed, %d chat missed, %d errors", tr, got.Missed, got.ChatMissed, got.Errors)
		}
		if up, down := got.ByteAgreement(); got.ServerBytesOut == 0 || up > 0.01 || down > 0.01 {
			t.Errorf("%s: harness %d/%d, servers %d/%d", tr, got.BytesUp, got.BytesDown, got.ServerBytesIn, got.ServerBytesOut)
		}
		// Two Go processes hold well over one's few MiB.
		if got.ServerRSS < 2<<20 || got.ServerHeap <= 0 {
			t.Errorf("%s: servers' RSS %d B, heap %d B: want both children's", tr, got.ServerRSS, got.ServerHeap)
		}
	}
}
