package bench

import (
	"fmt"
	"math"
	"strings"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
)

// netem puts network conditions between the clients and the server: a
// toxiproxy proxy on 127.0.0.1, run in this process, that delays each
// direction by half the round trip (± half the jitter) and limits each
// connection's bandwidth. Every client connection goes through it, so a
// poll pays the round trip that a pushed update does not.
type netem struct {
	proxy *toxiproxy.Proxy
	addr  string // where clients dial
}

func needsNetem(sc Scenario) bool { return sc.RTT > 0 || sc.Bandwidth != "" }

// startNetem starts the proxy in front of upstream (host:port).
func startNetem(upstream string, sc Scenario) (*netem, error) {
	// toxiproxy logs through zerolog, partly through its global logger;
	// the bench has its own output.
	zerolog.SetGlobalLevel(zerolog.Disabled)
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "pushlab", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("network conditions proxy: %w", err)
	}
	n := &netem{proxy: p, addr: p.Listen}
	// toxiproxy's latency is in whole milliseconds per direction.
	rtt := sc.RTT.D().Milliseconds()
	jit := sc.Jitter.D().Milliseconds()
	toxics := []string{}
	if rtt > 0 {
		up, down := rtt/2, rtt-rtt/2
		toxics = append(toxics,
			fmt.Sprintf(`{"name":"rtt_up","type":"latency","stream":"upstream","toxicity":1,"attributes":{"latency":%d,"jitter":%d}}`, up, jit/2),
			fmt.Sprintf(`{"name":"rtt_down","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":%d,"jitter":%d}}`, down, jit-jit/2))
	}
	if sc.Bandwidth != "" {
		bps, err := ParseBandwidth(sc.Bandwidth)
		if err != nil {
			n.stop()
			return nil, err
		}
		kbs := max(1, int64(math.Round(bps/1000))) // toxiproxy's rate is KB/s
		for _, dir := range []string{"upstream", "downstream"} {
			toxics = append(toxics, fmt.Sprintf(`{"name":"bw_%s","type":"bandwidth","stream":"%s","toxicity":1,"attributes":{"rate":%d}}`, dir, dir, kbs))
		}
	}
	for _, t := range toxics {
		if _, err := p.Toxics.AddToxicJson(strings.NewReader(t)); err != nil {
			n.stop()
			return nil, fmt.Errorf("network conditions proxy: toxic %s: %w", t, err)
		}
	}
	return n, nil
}

func (n *netem) stop() { n.proxy.Stop() }
