package charts

import (
	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// A variant is a transport run a different way, drawn beside the
// transport as a line of its own: today, short polling timed by the
// answers' cache headers (--poll-schedule cache) beside blind polling.

// CacheTimed names short polling that follows the answers' Cache-Control
// and Expires.
const CacheTimed = "cache-timed"

// variantTransports are the transports a variant changes: the others run
// as they always do, and a chart draws them once, from the main results.
var variantTransports = map[string][]string{CacheTimed: {transport.Short}}

// VariantOf names the variant the results were run as, "" for none.
func VariantOf(r *bench.Results) string {
	if r.Scenario.PollSchedule.FollowsCache() {
		return CacheTimed
	}
	return ""
}

// VariantLabel is a transport's label in prose and legends, with the
// variant it ran as: "short poll (cache-timed)".
func VariantLabel(t, variant string) string {
	if variant == "" {
		return transport.Label(t)
	}
	return transport.Label(t) + " (" + variant + ")"
}

// Label is the label of transport t as the results ran it.
func Label(r *bench.Results, t string) string {
	v := VariantOf(r)
	for _, changed := range variantTransports[v] {
		if changed == t {
			return VariantLabel(t, v)
		}
	}
	return transport.Label(t)
}

// variantLines are the transports of results r that a chart draws as
// lines of their own beside the main results', each with its style key.
func variantLines(r *bench.Results) (keys map[string]string) {
	v := VariantOf(r)
	keys = map[string]string{}
	for _, t := range variantTransports[v] {
		keys[t] = t + "/" + v
	}
	return keys
}
