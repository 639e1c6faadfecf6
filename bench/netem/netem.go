// Package netem puts network conditions between the bench's clients and
// the server: a toxiproxy proxy on 127.0.0.1, run in this process (kernel
// netem is not available), that delays each direction by half the round
// trip (± half the jitter) and limits each connection's bandwidth. Every
// client connection goes through it, so a poll pays the round trip that a
// pushed update does not.
package netem

import (
	"fmt"
	"math"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
)

// Conditions are what the proxy imposes; zero values impose nothing.
type Conditions struct {
	RTT       time.Duration // added round trip, split between the two directions
	Jitter    time.Duration // random variation of the round trip
	Bandwidth float64       // bytes per second each way per connection, 0 for no limit
}

// Proxy is a running network-conditions proxy.
type Proxy struct {
	proxy *toxiproxy.Proxy
	Addr  string // where clients dial
}

// Start starts the proxy in front of upstream (host:port).
func Start(upstream string, c Conditions) (*Proxy, error) {
	// toxiproxy logs through zerolog, partly through its global logger;
	// the bench has its own output.
	zerolog.SetGlobalLevel(zerolog.Disabled)
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "pushlab", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("network conditions proxy: %w", err)
	}
	n := &Proxy{proxy: p, Addr: p.Listen}
	for _, t := range toxics(c) {
		if _, err := p.Toxics.AddToxicJson(strings.NewReader(t)); err != nil {
			n.Stop()
			return nil, fmt.Errorf("network conditions proxy: toxic %s: %w", t, err)
		}
	}
	return n, nil
}

// toxics are the toxiproxy toxics that impose c, as JSON.
func toxics(c Conditions) []string {
	var ts []string
	// toxiproxy's latency is in whole milliseconds per direction.
	if rtt, jit := c.RTT.Milliseconds(), c.Jitter.Milliseconds(); rtt > 0 {
		up, down := rtt/2, rtt-rtt/2
		ts = append(ts,
			fmt.Sprintf(`{"name":"rtt_up","type":"latency","stream":"upstream","toxicity":1,"attributes":{"latency":%d,"jitter":%d}}`, up, jit/2),
			fmt.Sprintf(`{"name":"rtt_down","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":%d,"jitter":%d}}`, down, jit-jit/2))
	}
	if c.Bandwidth > 0 {
		kbs := max(1, int64(math.Round(c.Bandwidth/1000))) // toxiproxy's rate is KB/s
		for _, dir := range []string{"upstream", "downstream"} {
			ts = append(ts, fmt.Sprintf(`{"name":"bw_%s","type":"bandwidth","stream":"%s","toxicity":1,"attributes":{"rate":%d}}`, dir, dir, kbs))
		}
	}
	return ts
}

// Drop cuts every connection through the proxy and refuses new ones until
// Restore: the network going away for a moment.
func (n *Proxy) Drop() { n.proxy.Stop() }

// Restore lets connections through again after Drop, on the same address.
func (n *Proxy) Restore() error { return n.proxy.Start() }

// Stop ends the proxy and every connection through it.
func (n *Proxy) Stop() { n.proxy.Stop() }
