// Package netcond puts network conditions — a round trip, its jitter and a
// bandwidth — between clients and a server on this machine: a toxiproxy
// proxy run in this process (kernel netem is not available here). The
// conditions can change while connections are open; toxiproxy applies new
// toxics to the links it already has.
package netcond

import (
	"errors"
	"fmt"
	"time"
)

// Bounds of what may be asked for.
const (
	MaxRTT       = 10 * time.Second // a round trip longer than this teaches nothing more
	MinBandwidth = 1_000            // bits per second: 1 kbit/s
	MaxBandwidth = 10_000_000_000   // bits per second: 10 Gbit/s
)

// Conditions are what every connection through a Proxy meets.
type Conditions struct {
	// RTT is added to each round trip: half on the way to the server, half
	// on the way back. Whole milliseconds (toxiproxy's resolution).
	RTT time.Duration
	// Jitter varies each half of the round trip by up to ± half of it.
	Jitter time.Duration
	// Bandwidth limits each connection, each way, in bits per second; 0
	// means not limited.
	Bandwidth float64
}

// None is no added condition at all: loopback as it is.
var None = Conditions{}

// Active reports whether c changes anything.
func (c Conditions) Active() bool { return c.RTT > 0 || c.Jitter > 0 || c.Bandwidth > 0 }

// Validate says what is wrong with c, if anything.
func (c Conditions) Validate() error {
	switch {
	case c.RTT < 0 || c.RTT > MaxRTT:
		return fmt.Errorf("rtt: %v is outside 0 to %v", c.RTT, MaxRTT)
	case c.Jitter < 0 || c.Jitter > c.RTT:
		return fmt.Errorf("jitter: %v is outside 0 to the round trip (%v)", c.Jitter, c.RTT)
	case c.Bandwidth < 0 || (c.Bandwidth > 0 && c.Bandwidth < MinBandwidth):
		return errors.New("bandwidth: at least 1 kbit/s (0 means not limited)")
	case c.Bandwidth > MaxBandwidth:
		return errors.New("bandwidth: at most 10 Gbit/s")
	}
	return nil
}

// Preset is a named set of conditions and where its figures come from.
type Preset struct {
	Name       string
	Conditions Conditions
	Source     string
}

// Presets are typical networks, with published figures. Each bandwidth is
// one figure for both directions (the proxy limits each way alike), so the
// download figure of the source is used.
var Presets = []Preset{
	{"loopback", None, "this machine, nothing added"},
	{"good Wi-Fi", Conditions{RTT: 2 * time.Millisecond, Bandwidth: 30_000_000},
		"Firefox DevTools throttling profile \"Wi-Fi\": 30 Mbit/s down, 15 Mbit/s up, 2 ms minimum latency"},
	{"4G", Conditions{RTT: 170 * time.Millisecond, Bandwidth: 9_000_000},
		"WebPageTest connectivity profile \"4G\": 9 Mbit/s, 170 ms RTT"},
	{"satellite", Conditions{RTT: 600 * time.Millisecond},
		"RFC 2488 §2: a geostationary satellite hop makes the round trip at least 558 ms before any processing; rounded up to 600 ms, bandwidth not limited"},
}

// PresetNamed finds a preset by name.
func PresetNamed(name string) (Preset, bool) {
	for _, p := range Presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}
