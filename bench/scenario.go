package bench

import (
	"encoding/json"
	"fmt"
	"time"
)

// Scenario is every parameter of a bench run. It is written into
// results.json whole, so a result always says how it was produced.
type Scenario struct {
	Name       string   `json:"name" yaml:"name"`
	Transports []string `json:"transports" yaml:"transports"` // names from the transport table
	Clients    int      `json:"clients" yaml:"clients"`       // per transport
	Rate       float64  `json:"rate" yaml:"rate"`             // generator ticks per second
	Payload    int      `json:"payload" yaml:"payload"`       // bytes of tick data
	Interval   Duration `json:"interval" yaml:"interval"`     // short-poll interval
	Wait       Duration `json:"wait" yaml:"wait"`             // long-poll wait
	ChatRate   float64  `json:"chat_rate" yaml:"chat_rate"`   // chat publishes per second per client
	RampUp     Duration `json:"ramp_up" yaml:"ramp_up"`
	Warmup     Duration `json:"warmup" yaml:"warmup"`
	Duration   Duration `json:"duration" yaml:"duration"`
	Target     string   `json:"target,omitempty" yaml:"target"` // empty: start a child server
	RTT        Duration `json:"rtt,omitempty" yaml:"rtt"`
	Jitter     Duration `json:"jitter,omitempty" yaml:"jitter"`
	Bandwidth  string   `json:"bandwidth,omitempty" yaml:"bandwidth"` // e.g. "1mbit"
	Sweep      *Sweep   `json:"sweep,omitempty" yaml:"sweep"`
}

// Sweep names one parameter and the values it takes, one Point each.
type Sweep struct {
	Name   string   `json:"name" yaml:"name"` // clients, rate, interval, rtt
	Values []string `json:"values" yaml:"values"`
}

// Duration is a time.Duration that reads and writes as "250ms" in JSON and
// YAML, and also accepts a number of nanoseconds.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts "250ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("duration: want a string like \"250ms\" or nanoseconds, got %s", b)
		}
		*d = Duration(n)
		return nil
	}
	return d.parse(s)
}

// UnmarshalText lets YAML and flag parsing use the same syntax.
func (d *Duration) UnmarshalText(b []byte) error { return d.parse(string(b)) }

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Duration) parse(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}
