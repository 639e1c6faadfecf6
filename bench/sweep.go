package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// sweepable are the parameters --sweep can vary, with what their values are.
var sweepable = map[string]string{
	"clients":   "a count",
	"rate":      "Hz",
	"payload":   "bytes",
	"interval":  "a duration",
	"wait":      "a duration",
	"chat-rate": "Hz per client",
	"rtt":       "a duration",
	"jitter":    "a duration",
	"bandwidth": "a rate like 1mbit",
}

// ParseSweep reads --sweep NAME=V1,V2,...
func ParseSweep(s string) (*Sweep, error) {
	name, list, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(list) == "" {
		return nil, inputErrorf("sweep: want NAME=V1,V2,... got %q", s)
	}
	name = strings.ReplaceAll(name, "_", "-")
	if _, ok := sweepable[name]; !ok {
		return nil, inputErrorf("sweep: cannot sweep %q (can: clients, rate, payload, interval, wait, chat-rate, rtt, jitter, bandwidth)", name)
	}
	sw := &Sweep{Name: name}
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v != "" {
			sw.Values = append(sw.Values, v)
		}
	}
	return sw, nil
}

// set gives the named parameter the value written as s.
func (sc *Scenario) set(name, s string) error {
	bad := func(err error) error { return fmt.Errorf("%s=%s: want %s (%v)", name, s, sweepable[name], err) }
	switch strings.ReplaceAll(name, "_", "-") {
	case "clients":
		n, err := strconv.Atoi(s)
		if err != nil {
			return bad(err)
		}
		sc.Clients = n
	case "payload":
		n, err := strconv.Atoi(s)
		if err != nil {
			return bad(err)
		}
		sc.Payload = n
	case "rate", "chat-rate":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return bad(err)
		}
		if name == "rate" {
			sc.Rate = f
		} else {
			sc.ChatRate = f
		}
	case "interval", "wait", "rtt", "jitter":
		d, err := time.ParseDuration(s)
		if err != nil {
			return bad(err)
		}
		switch name {
		case "interval":
			sc.Interval = Duration(d)
		case "wait":
			sc.Wait = Duration(d)
		case "rtt":
			sc.RTT = Duration(d)
		case "jitter":
			sc.Jitter = Duration(d)
		}
	case "bandwidth":
		if _, err := ParseBandwidth(s); err != nil {
			return bad(err)
		}
		sc.Bandwidth = s
	default:
		return fmt.Errorf("cannot sweep %q", name)
	}
	return nil
}

// pointSpec is one sweep point: the scenario as it runs there and the
// swept value as results.json records it.
type pointSpec struct {
	sc    Scenario
	sweep map[string]any
}

// points expands the sweep (none: one point with the scenario as it is).
func (sc Scenario) points() ([]pointSpec, error) {
	if sc.Sweep == nil || len(sc.Sweep.Values) == 0 {
		return []pointSpec{{sc: sc, sweep: map[string]any{}}}, nil
	}
	var ps []pointSpec
	for _, v := range sc.Sweep.Values {
		p := sc
		p.Sweep = nil
		if err := p.set(sc.Sweep.Name, v); err != nil {
			return nil, inputErrorf("sweep: %v", err)
		}
		ps = append(ps, pointSpec{sc: p, sweep: map[string]any{sc.Sweep.Name: sweepValue(p, sc.Sweep.Name, v)}})
	}
	return ps, nil
}

// sweepValue is the swept value as results.json holds it: a number for
// counts and rates, the duration string ("250ms") for times.
func sweepValue(sc Scenario, name, raw string) any {
	switch name {
	case "clients":
		return sc.Clients
	case "payload":
		return sc.Payload
	case "rate":
		return sc.Rate
	case "chat-rate":
		return sc.ChatRate
	case "interval":
		return sc.Interval.String()
	case "wait":
		return sc.Wait.String()
	case "rtt":
		return sc.RTT.String()
	case "jitter":
		return sc.Jitter.String()
	}
	return raw
}

// ParseBandwidth reads a link rate such as "1mbit", "512kbit", "10mbps",
// "100KB" (bytes) or a bare number of bits per second, and returns bytes
// per second.
func ParseBandwidth(s string) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q: want a positive rate like 1mbit or 512kbit", s)
	}
	unit := strings.TrimSuffix(strings.TrimSpace(t[i:]), "/s")
	bits := map[string]float64{"": 1, "bit": 1, "bps": 1, "kbit": 1e3, "kbps": 1e3, "mbit": 1e6, "mbps": 1e6, "gbit": 1e9, "gbps": 1e9}
	bytes := map[string]float64{"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9}
	if m, ok := bits[unit]; ok {
		return n * m / 8, nil
	}
	if m, ok := bytes[strings.TrimSuffix(unit, "ytes")]; ok {
		return n * m, nil
	}
	return 0, fmt.Errorf("%q: unknown unit %q (bit, kbit, mbit, gbit, or KB, MB for bytes)", s, unit)
}

// Set gives the parameter named by its command-line flag the value written
// as s: every flag of `pushlab bench` except --scenario and --out.
func (sc *Scenario) Set(name, s string) error {
	var err error
	switch name {
	case "transports":
		sc.Transports = nil
		for _, t := range strings.Split(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				sc.Transports = append(sc.Transports, t)
			}
		}
	case "duration", "warmup", "ramp-up":
		var d time.Duration
		if d, err = time.ParseDuration(s); err == nil {
			switch name {
			case "duration":
				sc.Duration = Duration(d)
			case "warmup":
				sc.Warmup = Duration(d)
			default:
				sc.RampUp = Duration(d)
			}
		}
	case "target":
		sc.Target = s
	case "sweep":
		sc.Sweep, err = ParseSweep(s)
	default:
		if _, ok := sweepable[name]; !ok {
			return inputErrorf("unknown parameter %q", name)
		}
		err = sc.set(name, s)
	}
	if err != nil {
		if _, ok := err.(*InputError); ok {
			return err
		}
		return inputErrorf("--%s %s: %v", name, s, err)
	}
	return nil
}
