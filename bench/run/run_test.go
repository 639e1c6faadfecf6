package run

import (
	"bytes"
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// The lab run shared by the tests below: every transport, a handful of
// chatting clients each, against a real server on 127.0.0.1. One run (about
// 8 s, every transport in turn) answers several questions.
var (
	labOnce sync.Once
	labRes  *bench.Results
	labErr  error
)

const labInterval = 500 * time.Millisecond

func labRun(t *testing.T) *bench.Results {
	t.Helper()
	labOnce.Do(func() {
		s := startServer(t, 10, 128)
		sc := scenario(t, "--target", s.URL, "--clients", "4", "--chat-rate", "2", "--interval", labInterval.String(),
			"--ramp-up", "100ms", "--warmup", "300ms", "--duration", "1200ms")
		labRes, labErr = Run(context.Background(), sc, Options{})
	})
	if labErr != nil {
		t.Fatalf("run: %v", labErr)
	}
	return labRes
}

// startServer starts a real server on 127.0.0.1 whose generator ticks at
// rate with payload bytes of data.
func startServer(t *testing.T, rate float64, payload int) *servertest.Server {
	return servertest.Start(t, server.Config{Rate: rate, Payload: payload})
}

// scenario is the scenario `pushlab bench ARGS...` runs.
func scenario(t *testing.T, args ...string) bench.Scenario {
	t.Helper()
	sc, err := bench.ParseArgs(args...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func row(t *testing.T, r *bench.Results, transport string) bench.TransportResult {
	t.Helper()
	for _, tr := range r.Points[0].Transports {
		if tr.Transport == transport {
			return tr
		}
	}
	t.Fatalf("no row for %s", transport)
	return bench.TransportResult{}
}

func TestHarnessBytesAgreeWithServerPerTransport(t *testing.T) {
	r := labRun(t)
	var sum strings.Builder
	bench.WriteSummary(&sum, r)
	t.Logf("lab run:\n%s", sum.String())
	for _, tr := range transport.Names() {
		got := row(t, r, tr)
		if got.ServerBytesOut == 0 || got.BytesDown == 0 {
			t.Errorf("%s: no bytes down counted (harness %d, server %d)", tr, got.BytesDown, got.ServerBytesOut)
			continue
		}
		up, down := got.ByteAgreement()
		t.Logf("%s: up %d/%d down %d/%d (harness/server)", tr, got.BytesUp, got.ServerBytesIn, got.BytesDown, got.ServerBytesOut)
		if up > 0.01 || down > 0.01 {
			t.Errorf("%s: harness up %d down %d, server in %d out %d: off by %.2f%% / %.2f%%, want within 1%%",
				tr, got.BytesUp, got.BytesDown, got.ServerBytesIn, got.ServerBytesOut, 100*up, 100*down)
		}
	}
}

// Every byte a short poller moves is a request line and headers, a status
// line and headers, or a body: counted on the socket, rebuilt from the
// header fields as written and parsed.
func TestShortPollBytesAreHeadersPlusBodies(t *testing.T) {
	got := row(t, labRun(t), "short")
	if got.Requests < 10 || got.RequestHeaderBytes < 50 || got.ResponseHeaderBytes < 50 {
		t.Fatalf("too little measured: %d requests, %.0f B request headers, %.0f B response headers",
			got.Requests, got.RequestHeaderBytes, got.ResponseHeaderBytes)
	}
	n := float64(got.Requests)
	wantUp := n*got.RequestHeaderBytes + float64(got.BodyBytesUp)
	wantDown := n*got.ResponseHeaderBytes + float64(got.BodyBytesDown)
	if d := rel(float64(got.BytesUp), wantUp); d > 0.01 {
		t.Errorf("bytes up %d, requests × request headers + bodies = %.0f × %.1f + %d = %.0f (off %.2f%%)",
			got.BytesUp, n, got.RequestHeaderBytes, got.BodyBytesUp, wantUp, 100*d)
	}
	if d := rel(float64(got.BytesDown), wantDown); d > 0.01 {
		t.Errorf("bytes down %d, responses × response headers + bodies = %.0f × %.1f + %d = %.0f (off %.2f%%)",
			got.BytesDown, n, got.ResponseHeaderBytes, got.BodyBytesDown, wantDown, 100*d)
	}
	if got.PayloadBytes > got.BodyBytesDown {
		t.Errorf("update JSON %d B exceeds the response bodies %d B it came in", got.PayloadBytes, got.BodyBytesDown)
	}
}

func TestNoTransportMissesChat(t *testing.T) {
	r := labRun(t)
	for _, tr := range transport.Names() {
		got := row(t, r, tr)
		if got.ChatMissed != 0 || got.Missed != 0 {
			t.Errorf("%s: %d chat updates and %d updates missed, want none", tr, got.ChatMissed, got.Missed)
		}
		if got.Delivered == 0 || got.Errors != 0 {
			t.Errorf("%s: %d delivered, %d errors", tr, got.Delivered, got.Errors)
		}
		// 4 clients chatting at 2/s over 1.2 s: chat has surely happened
		// (the chance that none did is e^-9.6).
		if got.BodyBytesUp == 0 {
			t.Errorf("%s: no chat sent", tr)
		}
	}
}

func TestPushAndLongPollBeatTheShortPollInterval(t *testing.T) {
	r := labRun(t)
	short := row(t, r, "short")
	// Short polls see an update half an interval late on average.
	if p50 := time.Duration(short.Latency.P50) * time.Microsecond; p50 < labInterval/5 || p50 > labInterval {
		t.Errorf("short p50 %s, want about half the %s interval", p50, labInterval)
	}
	for _, tr := range []string{"long", "ws", "sse"} {
		p50 := time.Duration(row(t, r, tr).Latency.P50) * time.Microsecond
		if p50 > labInterval/10 {
			t.Errorf("%s p50 %s, want well under the short-poll interval %s", tr, p50, labInterval)
		}
	}
}

func TestShortPollCostsMoreBytesPerUpdateThanWebSocket(t *testing.T) {
	r := labRun(t)
	short, ws := row(t, r, "short"), row(t, r, "ws")
	// Each update costs a short poller its share of a request and response
	// (headers, envelope) and each chat a POST; a WS client pays a frame
	// header. The payload is the same bytes on both.
	if short.BytesPerUpdate <= ws.BytesPerUpdate {
		t.Errorf("bytes per update: short %.0f, ws %.0f; want short > ws", short.BytesPerUpdate, ws.BytesPerUpdate)
	}
	overhead := func(tr bench.TransportResult) float64 {
		return tr.BytesPerUpdate - float64(tr.PayloadBytes)/float64(tr.Received)
	}
	if overhead(short) < 2*overhead(ws) {
		t.Errorf("overhead per update: short %.0f B, ws %.0f B; want short well above ws", overhead(short), overhead(ws))
	}
	// A WS frame header for a ~300 B message is 2 or 4 bytes.
	if ws.FrameOverheadBytes < 2 || ws.FrameOverheadBytes > 16 {
		t.Errorf("ws framing %.1f B per update, want a few bytes", ws.FrameOverheadBytes)
	}
}

func rel(got, want float64) float64 {
	if want == 0 {
		return got
	}
	d := (got - want) / want
	if d < 0 {
		d = -d
	}
	return d
}

// A run that includes the floor sets every other transport against it: its
// latency percentiles over the floor's from the same run, in results and
// in the summary.
func TestEveryTransportIsSetAgainstTheFloor(t *testing.T) {
	r := labRun(t)
	floor := row(t, r, transport.Floor)
	if floor.VsFloor != nil || floor.Latency.P99 == 0 {
		t.Fatalf("floor: vs_floor %+v, p99 %d µs", floor.VsFloor, floor.Latency.P99)
	}
	var summary bytes.Buffer
	bench.WriteSummary(&summary, r)
	for _, tr := range transport.Names() {
		if tr == transport.Floor {
			continue
		}
		got := row(t, r, tr)
		if got.VsFloor == nil {
			t.Errorf("%s: no ratios to the floor", tr)
			continue
		}
		want := float64(got.Latency.P99) / float64(floor.Latency.P99)
		if math.Abs(got.VsFloor.P99-want) > 1e-9 || got.VsFloor.P50 <= 0 {
			t.Errorf("%s: vs floor %+v, want p99 %.3f and a p50", tr, *got.VsFloor, want)
		}
		if !strings.Contains(summary.String(), "vs floor: "+tr) {
			t.Errorf("the summary does not set %s against the floor:\n%s", tr, summary.String())
		}
	}
}
