package charts

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// Derived figures (per update, per second, the sweep's values) are
// bench's, one definition each; this file holds only how charts and the
// report write them: units, precision and the caption.

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
	sweep := r.SweepName()
	if sweep != "" {
		fmt.Fprintf(&b, "sweep %s · ", sweep)
	}
	if n := len(sc.Transports); n > 0 && n < len(transport.Names()) {
		fmt.Fprintf(&b, "%s only · ", strings.Join(sc.Transports, ", "))
	}
	if sweep != "clients" && sc.Clients > 0 {
		fmt.Fprintf(&b, "%d clients/transport · ", sc.Clients)
	}
	if sweep != "rate" {
		fmt.Fprintf(&b, "%g Hz ticks · ", sc.Rate)
	}
	fmt.Fprintf(&b, "%d B payload", sc.Payload)
	if n := r.Instances(); n > 1 {
		fmt.Fprintf(&b, " · %d instances sharing a broker", n)
	}
	if sweep != "interval" && sc.Interval > 0 {
		if sc.PollSchedule.FollowsCache() {
			fmt.Fprintf(&b, " · polls when the answer's cache headers say (else every %s)", sc.Interval)
		} else {
			fmt.Fprintf(&b, " · poll every %s", sc.Interval)
		}
	}
	if sc.Wait > 0 && (len(sc.Transports) == 0 || slices.Contains(sc.Transports, transport.Long)) {
		fmt.Fprintf(&b, " · long-poll wait %s", sc.Wait)
	}
	if sc.ChatRate > 0 {
		fmt.Fprintf(&b, " · chat %g/s", sc.ChatRate)
	}
	if sweep != "rtt" && sc.RTT > 0 {
		fmt.Fprintf(&b, " · RTT %s", sc.RTT)
	}
	b.WriteString(clientCaption(sc))
	if sc.Duration > 0 {
		fmt.Fprintf(&b, " · %s measured", sc.Duration)
	}
	if env := r.Environment; env.CPU != "" || env.Cores > 0 {
		fmt.Fprintf(&b, " · %s, %d cores", env.CPU, env.Cores)
	}
	return b.String()
}
