package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Sweep names one parameter and the values it takes, one point each. In
// flags it reads NAME=V1,V2,...; in results.json and scenario files it is
// {"name": "clients", "values": ["10", "100"]}.
type Sweep struct {
	Name   string  // a sweepable parameter: clients, rate, payload, interval, wait, chat-rate, instances, rtt, jitter, bandwidth
	Values []Value // of that parameter's type
}

// IsZero reports whether nothing is swept.
func (s Sweep) IsZero() bool { return s.Name == "" && len(s.Values) == 0 }

// Set reads --sweep NAME=V1,V2,...
func (s *Sweep) Set(arg string) error {
	name, vals, ok := strings.Cut(arg, "=")
	if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(vals) == "" {
		return inputErrorf("sweep: want NAME=V1,V2,... got %q", arg)
	}
	var written []string
	for _, v := range strings.Split(vals, ",") {
		if v = strings.TrimSpace(v); v != "" {
			written = append(written, v)
		}
	}
	sw, err := newSweep(name, written)
	if err != nil {
		return err
	}
	*s = sw
	return nil
}

// String writes the sweep as --sweep takes it ("" when none).
func (s Sweep) String() string {
	if s.IsZero() {
		return ""
	}
	return s.Name + "=" + strings.Join(s.written(), ",")
}

func (s Sweep) written() []string {
	out := make([]string, len(s.Values))
	for i, v := range s.Values {
		out[i] = v.String()
	}
	return out
}

// newSweep reads each value written with the named parameter's type.
func newSweep(name string, written []string) (Sweep, error) {
	p, ok := paramNamed(name)
	if !ok || !p.sweep {
		return Sweep{}, inputErrorf("sweep: cannot sweep %q (can: %s)", name, sweepable())
	}
	sw := Sweep{Name: p.name}
	for _, w := range written {
		v := p.fresh()
		if err := v.Set(w); err != nil {
			return Sweep{}, inputErrorf("sweep %s=%s: %v", p.name, w, err)
		}
		sw.Values = append(sw.Values, v.(Value))
	}
	if len(sw.Values) == 0 {
		return Sweep{}, inputErrorf("sweep %s: no values", p.name)
	}
	return sw, nil
}

// sweepFile is how a sweep is written in results.json and scenario files.
type sweepFile struct {
	Name   string   `json:"name" yaml:"name"`
	Values []string `json:"values" yaml:"values"`
}

// MarshalJSON writes {"name": ..., "values": [...]}, values as --sweep
// takes them.
func (s Sweep) MarshalJSON() ([]byte, error) {
	return json.Marshal(sweepFile{s.Name, s.written()})
}

// UnmarshalJSON reads {"name": ..., "values": [...]}.
func (s *Sweep) UnmarshalJSON(b []byte) error {
	var f sweepFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return s.from(f)
}

// UnmarshalYAML reads {name: ..., values: [...]} from a scenario file.
func (s *Sweep) UnmarshalYAML(n *yaml.Node) error {
	var f sweepFile
	if err := n.Decode(&f); err != nil {
		return err
	}
	return s.from(f)
}

func (s *Sweep) from(f sweepFile) error {
	if f.Name == "" && len(f.Values) == 0 {
		*s = Sweep{}
		return nil
	}
	sw, err := newSweep(f.Name, f.Values)
	if err != nil {
		return err
	}
	*s = sw
	return nil
}

// Swept is the value a point's swept parameter took. results.json writes
// it as {"clients": 100} or {"interval": "250ms"}: a number for counts and
// rates, a string for durations and bandwidths; {} when nothing was swept.
type Swept struct {
	Name  string
	Value Value // nil when nothing was swept
}

// IsZero reports whether nothing was swept.
func (s Swept) IsZero() bool { return s.Name == "" }

// MarshalJSON writes {"NAME": value}, or {} when nothing was swept.
func (s Swept) MarshalJSON() ([]byte, error) {
	if s.IsZero() {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]Value{s.Name: s.Value})
}

// UnmarshalJSON reads {"NAME": value}: a value of the named parameter's
// type, in its JSON form or as --sweep writes it ("100" for 100).
func (s *Swept) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if len(m) == 0 {
		*s = Swept{}
		return nil
	}
	if len(m) > 1 {
		return fmt.Errorf("sweep: %d parameters at one point, want one", len(m))
	}
	for name, raw := range m {
		p, ok := paramNamed(name)
		if !ok || !p.sweep {
			return fmt.Errorf("sweep: cannot sweep %q (can: %s)", name, sweepable())
		}
		v := p.fresh()
		var str string
		err := json.Unmarshal(raw, &str)
		if err == nil {
			err = v.Set(str)
		} else {
			err = json.Unmarshal(raw, v)
		}
		if err != nil {
			return fmt.Errorf("sweep.%s: %v", name, err)
		}
		*s = Swept{Name: p.name, Value: v.(Value)}
	}
	return nil
}

// PointPlan is one point of a scenario: the scenario as it runs there and
// the swept value results.json records for it.
type PointPlan struct {
	Scenario Scenario
	Swept    Swept
}

// Points expands the sweep: one point per value, with the swept field set
// to it (none swept: one point, the scenario as it is).
func (sc Scenario) Points() []PointPlan {
	if sc.Sweep.IsZero() {
		return []PointPlan{{Scenario: sc}}
	}
	p, _ := paramNamed(sc.Sweep.Name) // a Sweep holds only sweepable names
	var ps []PointPlan
	for _, v := range sc.Sweep.Values {
		at := sc
		at.Sweep = Sweep{}
		p.assign(&at, v)
		ps = append(ps, PointPlan{Scenario: at, Swept: Swept{Name: p.name, Value: v}})
	}
	return ps
}
