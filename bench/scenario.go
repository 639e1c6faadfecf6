package bench

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pushlab/pushlab/polling"
	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/transport"
)

// Scenario is every parameter of a bench run. It is written into
// results.json whole, so a result always says how it was produced. Each
// field has the type of what it measures; params.go binds each to its flag.
type Scenario struct {
	Name       string   `json:"name" yaml:"name"`
	Transports []string `json:"transports" yaml:"transports"` // names from the transport table
	Clients    Count    `json:"clients" yaml:"clients"`       // per transport
	Rate       Rate     `json:"rate" yaml:"rate"`             // generator ticks per second
	Payload    Bytes    `json:"payload" yaml:"payload"`       // bytes of tick data
	Interval   Duration `json:"interval" yaml:"interval"`     // short-poll interval
	// PollSchedule is when short polls ask: every interval, or when the
	// last answer's cache headers say the next update is due.
	PollSchedule PollSchedule `json:"poll_schedule,omitempty" yaml:"poll_schedule"`
	Wait         Duration     `json:"wait" yaml:"wait"`           // long-poll wait
	ChatRate     Rate         `json:"chat_rate" yaml:"chat_rate"` // chat publishes per second per client
	// Chatters is how many of each transport's clients chat, 0 for every
	// one: at 10,000 clients, a few hundred chatting show that events reach
	// everyone without a publishing connection per client.
	Chatters  Count     `json:"chatters,omitempty" yaml:"chatters"`
	RampUp    Duration  `json:"ramp_up" yaml:"ramp_up"`
	Warmup    Duration  `json:"warmup" yaml:"warmup"`
	Duration  Duration  `json:"duration" yaml:"duration"`
	Target    string    `json:"target,omitempty" yaml:"target"`       // empty: start a child server; several: comma-separated
	Instances Count     `json:"instances,omitempty" yaml:"instances"` // child servers sharing Broker (0: one, without a broker)
	Broker    string    `json:"broker,omitempty" yaml:"broker"`       // the NATS URL(s) the child instances share
	RTT       Duration  `json:"rtt,omitempty" yaml:"rtt"`
	Jitter    Duration  `json:"jitter,omitempty" yaml:"jitter"`
	Bandwidth Bandwidth `json:"bandwidth,omitempty" yaml:"bandwidth"` // e.g. "1mbit"
	// What the clients are and how they talk (clientside.go): whose
	// headers they send, a cookie, TLS and which HTTP, compression offered.
	Profile     ProfileName `json:"profile,omitempty" yaml:"profile"`           // browser or lean; none recorded: lean
	CookieBytes Bytes       `json:"cookie_bytes,omitempty" yaml:"cookie_bytes"` // a cookie of this size on every request
	TLS         bool        `json:"tls,omitempty" yaml:"tls"`                   // HTTPS and WSS: h2 for HTTP unless HTTP1
	HTTP1       bool        `json:"http1,omitempty" yaml:"http1"`               // HTTP/1.1 over TLS, for comparison with h2
	Compress    bool        `json:"compress,omitempty" yaml:"compress"`         // the child compresses; lean clients offer it too
	Repeat      Count       `json:"repeat,omitempty" yaml:"repeat"`             // runs per sweep point; none recorded: 1
	Sweep       Sweep       `json:"sweep,omitzero" yaml:"sweep"`

	// Capacity runs a search per transport for the most clients whose
	// updates arrive within MAL (Quantile of them), trying at most
	// MaxClients (bench/run/capacity.go), instead of one run at Clients.
	Capacity   Switch   `json:"capacity,omitempty" yaml:"capacity"`
	MAL        Duration `json:"mal,omitempty" yaml:"mal"`
	Quantile   Fraction `json:"quantile,omitempty" yaml:"quantile"`
	MaxClients Count    `json:"max_clients,omitempty" yaml:"max_clients"`
}

// What --capacity asks for when --mal, --quantile or --max-clients are not
// given: updates within a second for 95 of 100, at most 10,000 clients
// (half the open files one process may hold, the server needing the
// other side of every connection).
const (
	DefaultMAL        = Duration(time.Second)
	DefaultQuantile   = Fraction(0.95)
	DefaultMaxClients = Count(10_000)
)

// DefaultScenario is what `pushlab bench` runs with no flags: every
// transport in turn, 50 clients each, 10 Hz ticks of 256 bytes, short polls
// every second, a little chat. Each transport gets a fresh server, a 1 s
// warm-up and a 3 s measured window, so the whole run takes about 20 s.
func DefaultScenario() Scenario {
	return Scenario{
		Name:         "default",
		Transports:   transport.Names(),
		Clients:      50,
		Rate:         10,
		Payload:      256,
		Interval:     Duration(time.Second),
		PollSchedule: PollFixed,
		Wait:         Duration(25 * time.Second),
		ChatRate:     0.1,
		RampUp:       Duration(250 * time.Millisecond),
		Warmup:       Duration(time.Second),
		Duration:     Duration(3 * time.Second),
		Profile:      ProfileBrowser,
		Repeat:       1,
	}
}

// Validate checks every parameter, and every point of a sweep; its error
// names the bad one.
func (sc *Scenario) Validate() error {
	if err := sc.validatePoint(); err != nil {
		return err
	}
	if err := sc.validateCapacity(); err != nil {
		return err
	}
	for _, p := range sc.Points() {
		if err := p.Scenario.validatePoint(); err != nil {
			return inputErrorf("sweep %s=%s: %v", p.Swept.Name, p.Swept.Value, err)
		}
	}
	return nil
}

func (sc *Scenario) validatePoint() error {
	if len(sc.Transports) == 0 {
		return inputErrorf("transports: none given (want some of %s)", strings.Join(transport.Names(), ","))
	}
	seen := map[string]bool{}
	for _, t := range sc.Transports {
		if !transport.Known(t) {
			return inputErrorf("transports: unknown transport %q (want some of %s)", t, strings.Join(transport.Names(), ","))
		}
		if seen[t] {
			return inputErrorf("transports: %q given twice", t)
		}
		seen[t] = true
	}
	if err := state.CheckSettings(float64(sc.Rate), int(sc.Payload)); err != nil {
		return inputErrorf("%v", err)
	}
	switch {
	case sc.Clients <= 0:
		return inputErrorf("clients: must be > 0, got %d", sc.Clients)
	case sc.Interval <= 0:
		return inputErrorf("interval: must be > 0, got %s", sc.Interval)
	case sc.PollSchedule != "" && sc.PollSchedule != PollFixed && sc.PollSchedule != PollCache:
		return inputErrorf("poll-schedule: want fixed or cache, got %q", sc.PollSchedule)
	case sc.Wait <= 0 || sc.Wait.D() > polling.MaxWait:
		return inputErrorf("wait: must be > 0 and at most %s, got %s", polling.MaxWait, sc.Wait)
	case sc.ChatRate < 0:
		return inputErrorf("chat-rate: must be >= 0, got %g", sc.ChatRate)
	case sc.RampUp < 0:
		return inputErrorf("ramp-up: must be >= 0, got %s", sc.RampUp)
	case sc.Warmup < 0:
		return inputErrorf("warmup: must be >= 0, got %s", sc.Warmup)
	case sc.Duration <= 0:
		return inputErrorf("duration: must be > 0, got %s", sc.Duration)
	case sc.RTT < 0:
		return inputErrorf("rtt: must be >= 0, got %s", sc.RTT)
	case sc.Jitter < 0:
		return inputErrorf("jitter: must be >= 0, got %s", sc.Jitter)
	}
	if sc.Jitter > 0 && sc.RTT == 0 {
		return inputErrorf("jitter: needs --rtt (jitter varies the round trip)")
	}
	if sc.Bandwidth != "" {
		if _, err := sc.Bandwidth.BytesPerSecond(); err != nil {
			return inputErrorf("bandwidth: %v", err)
		}
	}
	if sc.Target != "" {
		if _, err := ParseTargets(sc.Target); err != nil {
			return inputErrorf("target: %v", err)
		}
	}
	if err := sc.validateClientSide(); err != nil {
		return err
	}
	return sc.validateInstances()
}

// validateCapacity checks what --capacity asks for, and that its bounds
// are not given without it.
func (sc *Scenario) validateCapacity() error {
	if !sc.Capacity {
		if sc.MAL != 0 || sc.Quantile != 0 || sc.MaxClients != 0 {
			return inputErrorf("mal, quantile, max-clients: only with --capacity")
		}
		return nil
	}
	switch {
	case !sc.Sweep.IsZero():
		return inputErrorf("capacity: cannot be combined with --sweep %s (each step of its search is a run of its own)", sc.Sweep)
	case sc.Repeat > 1:
		return inputErrorf("capacity: cannot be combined with --repeat (each step of the search is one run)")
	case sc.Instances > 1 || strings.Contains(sc.Target, ","):
		return inputErrorf("capacity: searches one server; it cannot be combined with several instances")
	case sc.MAL <= 0:
		return inputErrorf("mal: must be > 0, got %s", sc.MAL)
	case !(sc.Quantile > 0 && sc.Quantile <= 1): // also refuses NaN
		return inputErrorf("quantile: must be above 0 and at most 1, got %s", sc.Quantile)
	case sc.MaxClients <= 0:
		return inputErrorf("max-clients: must be > 0, got %d", sc.MaxClients)
	}
	return nil
}

// ParseTarget reads --target: an http(s) URL naming a running server; any
// path is ignored, the routes are the server's own.
func ParseTarget(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: want an http:// or https:// URL", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q: no host", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// ParseTargets reads a --target list: one URL or several, comma-separated,
// each a server of its own (instances sharing one live state).
func ParseTargets(s string) ([]*url.URL, error) {
	var out []*url.URL
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			return nil, fmt.Errorf("%q: an empty URL in the list", s)
		}
		u, err := ParseTarget(part)
		if err != nil {
			return nil, err
		}
		if seen[u.Host] {
			return nil, fmt.Errorf("%s given twice", u)
		}
		seen[u.Host] = true
		out = append(out, u)
	}
	return out, nil
}

// InputError is a mistake in what the user asked for (a flag, a scenario
// file, a results file, an unreachable target): the command reports it in
// one line and exits with status 2.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

// InputErrorf makes an InputError, for the packages that carry a run out.
func InputErrorf(format string, a ...any) error { return inputErrorf(format, a...) }

func inputErrorf(format string, a ...any) error {
	return &InputError{fmt.Sprintf(format, a...)}
}
