package charts

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// Derived figures. Those the bench's summary also prints (requests/s, empty
// share, server CPU per 1k deliveries) are methods of bench.TransportResult
// and are used from there; the ones below exist only for charts and the
// report. Either way each figure has one definition, so a table and a chart
// cannot disagree about what it means.

// Seconds is the measured window of point i: the point's own duration, else
// the scenario's. It is 0 when the results say neither.
func Seconds(r *bench.Results, i int) float64 {
	if s := r.Points[i].Duration; s > 0 {
		return s
	}
	return r.Scenario.Duration.D().Seconds()
}

// Received is the denominator of every per-update byte figure: the updates
// that reached clients inside the window in which the bytes were counted
// (bench's bytes_per_update uses the same). Results written before the
// bench recorded it fall back to delivered.
func Received(t bench.TransportResult) int64 {
	if t.Received > 0 {
		return t.Received
	}
	return t.Delivered
}

// PayloadPerUpdate is the bytes of update JSON per update received: the
// part of the traffic that is the data itself.
func PayloadPerUpdate(t bench.TransportResult) float64 {
	if Received(t) == 0 {
		return 0
	}
	return float64(t.PayloadBytes) / float64(Received(t))
}

// OverheadPerUpdate is everything else on the wire per update received, both
// directions: request and status lines, headers, WS frame headers and
// handshake, SSE field names, the poll response's envelope, pings.
func OverheadPerUpdate(t bench.TransportResult) float64 {
	o := t.BytesPerUpdate - PayloadPerUpdate(t)
	if o < 0 {
		return 0
	}
	return o
}

// BitsPerSecond is the wire bandwidth of all clients of a transport, both
// directions together.
func BitsPerSecond(t bench.TransportResult, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(t.BytesUp+t.BytesDown) * 8 / seconds
}

// Millis converts the results' microseconds to milliseconds for the axes.
func Millis(us int64) float64 { return float64(us) / 1000 }

// Sig3 writes v with about three significant digits and never in exponent
// form (0.412, 4.12, 41.2, 412, 4120): the precision of every figure label
// and table cell.
func Sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a < 1:
		return strconv.FormatFloat(v, 'f', 3, 64)
	case a < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// SweepName is the parameter the results sweep ("clients", "interval",
// "rtt", "rate"), or "" when they hold a single run.
func SweepName(r *bench.Results) string {
	if r.Scenario.Sweep != nil && r.Scenario.Sweep.Name != "" {
		return r.Scenario.Sweep.Name
	}
	if len(r.Points) > 1 && len(r.Points[0].Sweep) == 1 {
		for k := range r.Points[0].Sweep {
			return k
		}
	}
	return ""
}

// durationSweeps are the swept parameters that are times; their axes are in
// milliseconds.
var durationSweeps = map[string]bool{"interval": true, "rtt": true, "wait": true, "jitter": true}

// SweepValue is point i's value of the swept parameter in axis units: a
// count for clients, Hz for rate, milliseconds for durations. A duration may
// be written as "250ms" or as nanoseconds (bench.Duration's JSON forms).
func SweepValue(r *bench.Results, i int, name string) (float64, error) {
	field := fmt.Sprintf("points[%d].sweep.%s", i, name)
	v, ok := r.Points[i].Sweep[name]
	if !ok {
		if name == "clients" && len(r.Points[i].Transports) > 0 {
			return float64(r.Points[i].Transports[0].Clients), nil
		}
		return 0, fmt.Errorf("field %s: missing", field)
	}
	var (
		f   float64
		err error
		dur = durationSweeps[name]
	)
	switch v := v.(type) {
	case float64:
		f = v
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case time.Duration:
		f, dur = v.Seconds()*1000, false
	case bench.Duration:
		f, dur = v.D().Seconds()*1000, false
	case string:
		if d, derr := time.ParseDuration(v); derr == nil && dur {
			f, dur = d.Seconds()*1000, false
		} else {
			f, err = strconv.ParseFloat(v, 64)
		}
	default:
		err = fmt.Errorf("unexpected %T", v)
	}
	if err != nil {
		return 0, fmt.Errorf("field %s: %v", field, err)
	}
	if dur { // a bare number for a duration is nanoseconds
		f = f / 1e6
	}
	return f, nil
}

// Caption is the one-line description of the scenario printed under every
// chart: enough to know what was run without opening the results.
func Caption(r *bench.Results) string {
	sc := r.Scenario
	var b strings.Builder
	name := sc.Name
	if name == "" {
		name = "custom"
	}
	fmt.Fprintf(&b, "scenario %s: ", name)
	if s := SweepName(r); s != "" {
		fmt.Fprintf(&b, "sweep %s · ", s)
	}
	if n := len(sc.Transports); n > 0 && n < len(transport.Names()) {
		fmt.Fprintf(&b, "%s only · ", strings.Join(sc.Transports, ", "))
	}
	if SweepName(r) != "clients" && sc.Clients > 0 {
		fmt.Fprintf(&b, "%d clients/transport · ", sc.Clients)
	}
	fmt.Fprintf(&b, "%g Hz ticks · %d B payload", sc.Rate, sc.Payload)
	if SweepName(r) != "interval" && sc.Interval > 0 {
		fmt.Fprintf(&b, " · poll every %s", sc.Interval)
	}
	if sc.Wait > 0 && (len(sc.Transports) == 0 || slices.Contains(sc.Transports, transport.Long)) {
		fmt.Fprintf(&b, " · long-poll wait %s", sc.Wait)
	}
	if sc.ChatRate > 0 {
		fmt.Fprintf(&b, " · chat %g/s", sc.ChatRate)
	}
	if SweepName(r) != "rtt" && sc.RTT > 0 {
		fmt.Fprintf(&b, " · RTT %s", sc.RTT)
	}
	if sc.Duration > 0 {
		fmt.Fprintf(&b, " · %s measured", sc.Duration)
	}
	if env := r.Environment; env.CPU != "" || env.Cores > 0 {
		fmt.Fprintf(&b, " · %s, %d cores", env.CPU, env.Cores)
	}
	return b.String()
}

// sortedTransports returns a point's transports in the lab's usual order.
func sortedTransports(ts []bench.TransportResult) []bench.TransportResult {
	out := append([]bench.TransportResult(nil), ts...)
	sort.SliceStable(out, func(i, j int) bool {
		return transport.Order(out[i].Transport) < transport.Order(out[j].Transport)
	})
	return out
}
