package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pushlab/pushlab/transport"
	"gopkg.in/yaml.v3"
)

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
	// scale: 10,000 clients of every transport that holds a connection,
	// the floor among them, at a slow tick: the cost of holding them and
	// of fanning each update out, each set against the floor in the same
	// run. A little chat (100 clients of each chatting, 5 messages a
	// second in all) shows that events still reach everyone at that size. Short polling
	// holds nothing; the default scenario and the clients sweep show it.
	"scale": func(s *Scenario) {
		s.Name = "scale"
		s.Transports = holdingTransports()
		s.Clients = 10_000
		s.Rate = 1
		s.Payload = 100
		s.ChatRate = 0.05
		s.Chatters = 100
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
	return sc, nil
}

// holdingTransports are the transports of the table whose clients hold a
// connection while they wait.
func holdingTransports() []string {
	var names []string
	for _, t := range transport.All() {
		if t.Holds {
			names = append(names, t.Name)
		}
	}
	return names
}
