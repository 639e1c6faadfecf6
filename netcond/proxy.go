package netcond

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
)

// Proxy is a TCP proxy that forwards to one upstream under Conditions.
type Proxy struct {
	mu   sync.Mutex
	p    *toxiproxy.Proxy
	cur  Conditions
	defs map[string]string // the toxics in place, by name
}

// Start listens on listen (host:port; port 0 picks one) and forwards every
// connection to upstream, with no conditions yet.
func Start(listen, upstream string) (*Proxy, error) {
	// toxiproxy logs partly through zerolog's global logger; the lab and
	// the bench have their own output.
	zerolog.SetGlobalLevel(zerolog.Disabled)
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "netcond", listen, upstream)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("network conditions proxy: %w", err)
	}
	return &Proxy{p: p, defs: map[string]string{}}, nil
}

// Addr is where clients connect (host:port).
func (p *Proxy) Addr() string { return p.p.Listen }

// Conditions returns what the proxy applies now.
func (p *Proxy) Conditions() Conditions {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// toxic is one toxiproxy toxic as toxiproxy reads it (AddToxicJson).
type toxic struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Stream     string  `json:"stream"` // "upstream" (to the server) or "downstream"
	Toxicity   float32 `json:"toxicity"`
	Attributes any     `json:"attributes"`
}

// toxicsFor turns conditions into toxics: a latency each way (half the
// round trip, half the jitter) and a bit rate each way.
func toxicsFor(c Conditions) []toxic {
	var out []toxic
	if c.RTT > 0 || c.Jitter > 0 {
		rtt, jit := c.RTT.Milliseconds(), c.Jitter.Milliseconds()
		out = append(out,
			toxic{"rtt_upstream", "latency", "upstream", 1, toxics.LatencyToxic{Latency: rtt / 2, Jitter: jit / 2}},
			toxic{"rtt_downstream", "latency", "downstream", 1, toxics.LatencyToxic{Latency: rtt - rtt/2, Jitter: jit - jit/2}})
	}
	if c.Bandwidth > 0 {
		for _, stream := range []string{"upstream", "downstream"} {
			out = append(out, toxic{"bw_" + stream, bitrateType, stream, 1, bitrateToxic{BitsPerSecond: c.Bandwidth}})
		}
	}
	return out
}

// allToxics names every toxic toxicsFor can make.
var allToxics = []string{"rtt_upstream", "rtt_downstream", "bw_upstream", "bw_downstream"}

// Set changes the conditions, for connections already open too. Invalid
// conditions are refused and the current ones stay.
func (p *Proxy) Set(c Conditions) error {
	if err := c.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	want := map[string]string{}
	for _, t := range toxicsFor(c) {
		def, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("network conditions proxy: %w", err)
		}
		want[t.Name] = string(def)
	}
	// A changed toxic is removed and added anew rather than updated in
	// place: toxiproxy's update writes the attributes of a toxic whose
	// goroutines may be reading them.
	tc := p.p.Toxics
	for _, name := range allToxics {
		def, wanted := want[name]
		had, have := p.defs[name]
		if have && (!wanted || def != had) {
			if err := tc.RemoveToxic(context.Background(), name); err != nil {
				return fmt.Errorf("network conditions proxy: remove %s: %w", name, err)
			}
			delete(p.defs, name)
		}
		if wanted && def != had {
			if _, err := tc.AddToxicJson(strings.NewReader(def)); err != nil {
				return fmt.Errorf("network conditions proxy: toxic %s: %w", name, err)
			}
			p.defs[name] = def
		}
	}
	p.cur = c
	return nil
}

// Close stops the proxy and ends every connection through it.
func (p *Proxy) Close() { p.p.Stop() }

// Drop cuts every connection through the proxy and refuses new ones until
// Restore: the network going away for a moment.
func (p *Proxy) Drop() { p.p.Stop() }

// Restore lets connections through again after Drop, on the same address
// and under the same conditions.
func (p *Proxy) Restore() error { return p.p.Start() }
