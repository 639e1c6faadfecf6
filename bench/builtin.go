package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pushlab/pushlab/polling"
	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/transport"
	"gopkg.in/yaml.v3"
)

// DefaultScenario is what `pushlab bench` runs with no flags: every
// transport in turn, 50 clients each, 10 Hz ticks of 256 bytes, short polls
// every second, a little chat. Each transport gets a fresh server, a 1 s
// warm-up and a 3 s measured window, so the whole run takes about 20 s.
func DefaultScenario() Scenario {
	return Scenario{
		Name:       "default",
		Transports: transport.Names(),
		Clients:    50,
		Rate:       10,
		Payload:    256,
		Interval:   Duration(time.Second),
		Wait:       Duration(25 * time.Second),
		ChatRate:   0.1,
		RampUp:     Duration(250 * time.Millisecond),
		Warmup:     Duration(time.Second),
		Duration:   Duration(3 * time.Second),
	}
}

// builtins are the named scenarios; each starts from DefaultScenario.
var builtins = map[string]func(*Scenario){
	"default": func(*Scenario) {},
	// chat: every client talks a lot, so full-duplex cost shows (a WS frame
	// against a POST with its headers) and lost events would show too.
	"chat": func(s *Scenario) {
		s.Name = "chat"
		s.Clients = 20
		s.Rate = 2
		s.ChatRate = 1
	},
	// scale: many clients at a slow tick, to see the cost of holding them:
	// 2,000 of each transport at 1 Hz, short polls every second.
	"scale": func(s *Scenario) {
		s.Name = "scale"
		s.Clients = 2000
		s.Rate = 1
		s.ChatRate = 0
		s.RampUp = Duration(10 * time.Second)
		s.Warmup = Duration(3 * time.Second)
		s.Duration = Duration(10 * time.Second)
	},
}

// BuiltinNames lists the named scenarios.
func BuiltinNames() []string {
	var names []string
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Builtin returns the named built-in scenario.
func Builtin(name string) (Scenario, error) {
	f, ok := builtins[name]
	if !ok {
		return Scenario{}, inputErrorf("unknown scenario %q (built-in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	sc := DefaultScenario()
	f(&sc)
	return sc, nil
}

// LoadScenario reads a scenario file (YAML, or JSON, which YAML also reads)
// or, when arg is not a file, a built-in scenario by name. Fields the file
// leaves out keep the default scenario's values.
func LoadScenario(arg string) (Scenario, error) {
	b, err := os.ReadFile(arg)
	if err != nil {
		if _, ok := builtins[arg]; ok {
			return Builtin(arg)
		}
		if os.IsNotExist(err) {
			return Scenario{}, inputErrorf("scenario %q: no such file or built-in scenario (built-in: %s)",
				arg, strings.Join(BuiltinNames(), ", "))
		}
		return Scenario{}, inputErrorf("scenario: %v", err)
	}
	sc := DefaultScenario()
	sc.Name = strings.TrimSuffix(filepath.Base(arg), filepath.Ext(arg))
	if strings.EqualFold(filepath.Ext(arg), ".json") {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(&sc)
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		err = dec.Decode(&sc)
	}
	if err != nil {
		return Scenario{}, inputErrorf("scenario %s: %v", arg, err)
	}
	if sc.Sweep != nil {
		sc.Sweep.Name = strings.ReplaceAll(sc.Sweep.Name, "_", "-") // chat_rate as in the file's other keys
	}
	return sc, nil
}

// Validate checks every parameter; its error names the bad one.
func (sc *Scenario) Validate() error {
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
	if err := state.CheckSettings(sc.Rate, sc.Payload); err != nil {
		return inputErrorf("%v", err)
	}
	switch {
	case sc.Clients <= 0:
		return inputErrorf("clients: must be > 0, got %d", sc.Clients)
	case sc.Interval <= 0:
		return inputErrorf("interval: must be > 0, got %s", sc.Interval)
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
		if _, err := ParseBandwidth(sc.Bandwidth); err != nil {
			return inputErrorf("bandwidth: %v", err)
		}
	}
	if sc.Target != "" {
		if _, err := parseTarget(sc.Target); err != nil {
			return inputErrorf("target: %v", err)
		}
	}
	if sc.Sweep != nil {
		if _, ok := sweepable[sc.Sweep.Name]; !ok {
			return inputErrorf("sweep: cannot sweep %q (can: clients, rate, payload, interval, wait, chat-rate, rtt, jitter, bandwidth)", sc.Sweep.Name)
		}
		if len(sc.Sweep.Values) == 0 {
			return inputErrorf("sweep %s: no values", sc.Sweep.Name)
		}
		for _, v := range sc.Sweep.Values {
			p := *sc
			p.Sweep = nil
			if err := p.set(sc.Sweep.Name, v); err != nil {
				return inputErrorf("sweep: %v", err)
			}
			if err := p.Validate(); err != nil {
				return inputErrorf("sweep %s=%s: %v", sc.Sweep.Name, v, err)
			}
		}
	}
	return nil
}

// InputError is a mistake in what the user asked for (a flag, a scenario
// file, an unreachable target): the command reports it in one line and
// exits with status 2.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, a ...any) error {
	return &InputError{fmt.Sprintf(format, a...)}
}
