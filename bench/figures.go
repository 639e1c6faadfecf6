package bench

import (
	"fmt"
	"slices"

	"github.com/pushlab/pushlab/transport"
)

// Derived figures. Each has its one definition here, and the summary, the
// CSV, the charts and the report all call it, so a table and a chart cannot
// disagree about what a figure means. The per-update and per-request means
// that results.json stores are derived once, in Counts.Row.

// Counts are what one transport's clients counted over the measured window
// (the difference of two readings of their counters): the raw material of
// a TransportResult.
type Counts struct {
	Requests, Empty, Errors, Reconnects int64
	Aborted                             int64 // requests that ended without an answer
	Updates                             int64 // updates received, each one in a poll response counts
	Payload                             int64 // bytes of update JSON received
	BodyUp, BodyDown                    int64 // request bodies and WS payloads sent; response bodies and WS payloads received
	Up, Down                            int64 // bytes on the wire, written and read
	RequestHeaders, ResponseHeaders     int64 // bytes of request lines and headers written, status lines and headers read
	Responses                           int64 // responses whose headers were counted
}

// Plus adds o to c: the counts of two clients together.
func (c Counts) Plus(o Counts) Counts { return c.add(o, 1) }

// Minus takes o from c: the window's counts are its end's less its start's.
func (c Counts) Minus(o Counts) Counts { return c.add(o, -1) }

func (c Counts) add(o Counts, k int64) Counts {
	return Counts{
		Requests: c.Requests + k*o.Requests, Empty: c.Empty + k*o.Empty,
		Errors: c.Errors + k*o.Errors, Reconnects: c.Reconnects + k*o.Reconnects, Aborted: c.Aborted + k*o.Aborted,
		Updates: c.Updates + k*o.Updates, Payload: c.Payload + k*o.Payload,
		BodyUp: c.BodyUp + k*o.BodyUp, BodyDown: c.BodyDown + k*o.BodyDown,
		Up: c.Up + k*o.Up, Down: c.Down + k*o.Down,
		RequestHeaders: c.RequestHeaders + k*o.RequestHeaders, ResponseHeaders: c.ResponseHeaders + k*o.ResponseHeaders,
		Responses: c.Responses + k*o.Responses,
	}
}

// Row is a transport's result as far as its clients' counts go: the totals,
// and the means results.json stores beside them. Delivery, latency and the
// server's figures are the run's to fill in.
func (c Counts) Row(transport string, clients int) TransportResult {
	return TransportResult{
		Transport: transport, Clients: clients,
		Requests: c.Requests, Empty: c.Empty, Errors: c.Errors, Reconnects: c.Reconnects, Aborted: c.Aborted,
		Received: c.Updates, BytesUp: c.Up, BytesDown: c.Down, PayloadBytes: c.Payload,
		BodyBytesUp: c.BodyUp, BodyBytesDown: c.BodyDown,
		// Bytes are counted by when they crossed the wire, so they are
		// divided by the updates that arrived in the same window (delivered
		// counts the versions published in it, some of which arrive during
		// the drain).
		BytesPerUpdate:      per(c.Up+c.Down, c.Updates),
		RequestHeaderBytes:  per(c.RequestHeaders, c.Requests),
		ResponseHeaderBytes: per(c.ResponseHeaders, c.Responses),
		FrameOverheadBytes:  per(c.Down-c.ResponseHeaders-c.Payload, c.Updates),
	}
}

// per is total/n, 0 when n is 0.
func per(total, n int64) float64 {
	if n == 0 {
		return 0
	}
	return float64(total) / float64(n)
}

// Seconds is the measured window of point i: the point's own duration, else
// the scenario's. It is 0 when the results say neither.
func (r *Results) Seconds(i int) float64 {
	if s := r.Points[i].Duration; s > 0 {
		return s
	}
	return r.Scenario.Duration.D().Seconds()
}

// SweepName is the parameter the results sweep ("clients", "interval",
// "rtt", ...), or "" when they hold a single run.
func (r *Results) SweepName() string {
	if r.Scenario.Sweep.Name != "" {
		return r.Scenario.Sweep.Name
	}
	if len(r.Points) > 1 {
		return r.Points[0].Sweep.Name
	}
	return ""
}

// SweepValue is point i's value of the swept parameter in axis units (see
// Value.Axis): a count for clients, Hz for rates, milliseconds for times.
// A clients sweep that did not record its value reads the point's clients.
func (r *Results) SweepValue(i int) (float64, error) {
	name, p := r.SweepName(), r.Points[i]
	if p.Sweep.Name == name && p.Sweep.Value != nil {
		return p.Sweep.Value.Axis(), nil
	}
	if name == "clients" && len(p.Transports) > 0 {
		return float64(p.Transports[0].Clients), nil
	}
	return 0, fmt.Errorf("field points[%d].sweep.%s: missing", i, name)
}

// PointLabel names point i of a sweep, e.g. "clients=100"; "" without one.
func (r *Results) PointLabel(i int) string {
	name, p := r.SweepName(), r.Points[i]
	switch {
	case name == "":
		return ""
	case p.Sweep.Name == name && p.Sweep.Value != nil:
		return name + "=" + p.Sweep.Value.String()
	}
	if x, err := r.SweepValue(i); err == nil {
		return fmt.Sprintf("%s=%g", name, x)
	}
	return name + "=?"
}

// UpdatesPerSecond is the updates each client should receive per second:
// the generator's ticks plus the chat the run's publishing clients send
// (each transport runs against its own servers, so only its own clients';
// see Publishers).
func (sc Scenario) UpdatesPerSecond(clients int) float64 {
	return float64(sc.Rate) + float64(sc.ChatRate)*float64(sc.Publishers(clients))
}

// Instances is how many servers each transport's clients were spread over
// (1 for results written before the bench could use several).
func (r *Results) Instances() int {
	return max(1, r.Environment.Instances, r.Scenario.InstanceCount())
}

// Updates is the denominator of every per-update byte figure: the updates
// that reached clients inside the window in which the bytes were counted.
// Results written before the bench recorded it fall back to delivered.
func (t TransportResult) Updates() int64 {
	if t.Received > 0 {
		return t.Received
	}
	return t.Delivered
}

// PayloadPerUpdate is the bytes of update JSON per update received: the
// part of the traffic that is the data itself.
func (t TransportResult) PayloadPerUpdate() float64 { return per(t.PayloadBytes, t.Updates()) }

// OverheadPerUpdate is everything else on the wire per update received,
// both directions: request and status lines, headers, WS frame headers and
// handshake, SSE field names, the poll response's envelope, pings.
func (t TransportResult) OverheadPerUpdate() float64 {
	return max(t.BytesPerUpdate-t.PayloadPerUpdate(), 0)
}

// HeaderBytes is one HTTP exchange's request and response headers, as
// measured (0 for a transport that made no request in the window).
func (t TransportResult) HeaderBytes() float64 { return t.RequestHeaderBytes + t.ResponseHeaderBytes }

// HeaderBytesPerUpdate is the header bytes of all requests per update
// received: what a poller pays in headers for each update it gets.
func (t TransportResult) HeaderBytesPerUpdate() float64 {
	if t.Updates() == 0 {
		return 0
	}
	return float64(t.Requests) * t.HeaderBytes() / float64(t.Updates())
}

// WireOverheadPerRequest is the bytes each HTTP exchange moved besides its
// bodies, both ways: request and status lines and headers (HPACK-coded
// under h2), chunk and h2 framing, TLS records. Unlike the header figures,
// which are rebuilt from HTTP/1.1 header text, it is read off the wire, so
// it compares HTTP/1.1 with h2 and plain with TLS. 0 without requests.
func (t TransportResult) WireOverheadPerRequest() float64 {
	return per(t.BytesUp+t.BytesDown-t.BodyBytesUp-t.BodyBytesDown, t.Requests)
}

// RequestsPerSecond is HTTP requests sent per second (a WS or SSE
// connection counts one; HTTP publishes count too).
func (t TransportResult) RequestsPerSecond(seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(t.Requests) / seconds
}

// EmptyShare is the fraction of requests answered with no update (204/304).
func (t TransportResult) EmptyShare() float64 { return per(t.Empty, t.Requests) }

// KiBPerSecond is wire bytes per second over all clients, down and up.
func (t TransportResult) KiBPerSecond(seconds float64) (down, up float64) {
	if seconds <= 0 {
		return 0, 0
	}
	return float64(t.BytesDown) / 1024 / seconds, float64(t.BytesUp) / 1024 / seconds
}

// BitsPerSecond is the wire bandwidth of all clients of a transport, both
// directions together.
func (t TransportResult) BitsPerSecond(seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(t.BytesUp+t.BytesDown) * 8 / seconds
}

// BytesPerClientSecond is wire bytes (both ways) per client per second.
func (t TransportResult) BytesPerClientSecond(seconds float64) float64 {
	if seconds <= 0 || t.Clients == 0 {
		return 0
	}
	return float64(t.BytesUp+t.BytesDown) / float64(t.Clients) / seconds
}

// ServerCPUPerThousand is the server's CPU time (user+sys) in milliseconds
// per 1,000 delivered updates.
func (t TransportResult) ServerCPUPerThousand() float64 {
	if t.Delivered == 0 {
		return 0
	}
	return t.ServerCPU * 1000 / float64(t.Delivered) * 1000
}

// HarnessCPUPerClient is the harness's CPU share per simulated client: CPU
// seconds per client per second of window (1.0 would be a whole core each).
func (t TransportResult) HarnessCPUPerClient(seconds float64) float64 {
	if seconds <= 0 || t.Clients == 0 {
		return 0
	}
	return t.HarnessCPU / seconds / float64(t.Clients)
}

// HarnessRSSPerClient is the harness's peak resident memory per simulated
// client, in bytes (the whole process, divided).
func (t TransportResult) HarnessRSSPerClient() float64 {
	if t.Clients == 0 {
		return 0
	}
	return float64(t.HarnessRSS) / float64(t.Clients)
}

// ByteAgreement is how far the harness's wire byte count is from the
// server's, as a fraction of the server's, per direction (0 when the
// server did not say).
func (t TransportResult) ByteAgreement() (up, down float64) {
	rel := func(ours, theirs int64) float64 {
		if theirs == 0 {
			return 0
		}
		d := float64(ours-theirs) / float64(theirs)
		if d < 0 {
			d = -d
		}
		return d
	}
	return rel(t.BytesUp, t.ServerBytesIn), rel(t.BytesDown, t.ServerBytesOut)
}

// ServerByteShare is the server's byte count for a transport (both ways)
// as a fraction of the clients' count: the two independent meters should
// read 1. ok is false when either did not count.
func (t TransportResult) ServerByteShare() (share float64, ok bool) {
	c, s := t.BytesUp+t.BytesDown, t.ServerBytesIn+t.ServerBytesOut
	if c == 0 || s == 0 {
		return 0, false
	}
	return float64(s) / float64(c), true
}

// MeanPayloadPerUpdate is the mean update JSON size per update received
// across the point's transports (the same bytes go out on every one).
func (p Point) MeanPayloadPerUpdate() float64 {
	var sum float64
	n := 0
	for _, t := range p.Transports {
		if t.Updates() > 0 {
			sum += t.PayloadPerUpdate()
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// FloorRatios are a transport's figures divided by the floor's at the same
// point: how far above the bare TCP write of the same bytes it delivers.
// 1 is the floor itself; 0 where the floor's figure is missing.
type FloorRatios struct {
	P50 float64 `json:"p50"`              // latency p50 over the floor's
	P99 float64 `json:"p99"`              // latency p99 over the floor's
	CPU float64 `json:"cpu_per_delivery"` // server CPU per delivered update over the floor's
}

// CompareWithFloor sets VsFloor on every transport of the point when the
// floor ran at it too: the floor and the others were measured in one run,
// on one machine, so the ratios hold even where the absolute figures
// depend on the machine.
func (p *Point) CompareWithFloor() {
	i := slices.IndexFunc(p.Transports, func(t TransportResult) bool { return t.Transport == transport.Floor })
	if i < 0 {
		return
	}
	f := p.Transports[i]
	for k := range p.Transports {
		if k == i {
			continue
		}
		t := &p.Transports[k]
		t.VsFloor = &FloorRatios{
			P50: ratio(float64(t.Latency.P50), float64(f.Latency.P50)),
			P99: ratio(float64(t.Latency.P99), float64(f.Latency.P99)),
			CPU: ratio(t.ServerCPUPerThousand(), f.ServerCPUPerThousand()),
		}
	}
}

// ratio is a/b, 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
