package bench

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuiltinScenariosAreValid(t *testing.T) {
	for _, name := range BuiltinNames() {
		sc, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if sc.Name != name {
			t.Errorf("built-in %s names itself %q", name, sc.Name)
		}
	}
	if _, err := Builtin("nope"); err == nil {
		t.Error("unknown built-in accepted")
	}
}

func TestScenarioFilesOverrideTheDefault(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "slow.yaml")
	os.WriteFile(yml, []byte("transports: [ws, sse]\nclients: 7\ninterval: 2s\nsweep: {name: rtt, values: [0s, 50ms]}\n"), 0o644)
	js := filepath.Join(dir, "fast.json")
	os.WriteFile(js, []byte(`{"rate": 50, "duration": "2s", "chat_rate": 1}`), 0o644)

	sc, err := LoadScenario(yml)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "slow" || sc.Clients != 7 || sc.Interval.D() != 2*time.Second || len(sc.Transports) != 2 ||
		sc.Rate != DefaultScenario().Rate || sc.Sweep == nil || len(sc.Sweep.Values) != 2 {
		t.Errorf("yaml scenario: %+v", sc)
	}
	sc, err = LoadScenario(js)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Rate != 50 || sc.Duration.D() != 2*time.Second || sc.ChatRate != 1 || sc.Clients != DefaultScenario().Clients {
		t.Errorf("json scenario: %+v", sc)
	}

	os.WriteFile(yml, []byte("sweep: {name: chat_rate, values: [\"0.5\", \"2\"]}\n"), 0o644)
	if sc, err := LoadScenario(yml); err != nil || sc.Validate() != nil || sc.Sweep.Name != "chat-rate" {
		t.Errorf("chat_rate sweep: %v %+v", err, sc.Sweep)
	}
	os.WriteFile(yml, []byte("sweep: {name: colour, values: [red]}\n"), 0o644)
	if sc, err := LoadScenario(yml); err != nil || sc.Validate() == nil {
		t.Errorf("sweep of an unknown parameter accepted: %v", err)
	}
	os.WriteFile(yml, []byte("clinets: 7\n"), 0o644)
	if _, err := LoadScenario(yml); err == nil || !strings.Contains(err.Error(), "clinets") {
		t.Errorf("misspelt field: %v", err)
	}
	if sc, err := LoadScenario("chat"); err != nil || sc.Name != "chat" {
		t.Errorf("built-in by name: %v %+v", err, sc)
	}
	if _, err := LoadScenario(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestBadParametersAreInputErrors(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"transports", "short,carrier-pigeon", "unknown transport"},
		{"rate", "-1", "rate"},
		{"clients", "0", "clients"},
		{"wait", "2m", "wait"},
		{"interval", "soon", "interval"},
		{"bandwidth", "fast", "bandwidth"},
		{"target", "ftp://x", "target"},
		{"sweep", "colour=red", "cannot sweep"},
		{"sweep", "clients=10,x", "clients"},
		{"sweep", "clients=10,-5", "clients"},
	} {
		sc := DefaultScenario()
		err := sc.Set(c.name, c.value)
		if err == nil {
			err = sc.Validate()
		}
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--%s %s: got %v, want an input error about %q", c.name, c.value, err, c.want)
		}
	}
}

func TestSweepMakesOnePointPerValue(t *testing.T) {
	sc := DefaultScenario()
	if err := sc.Set("sweep", "interval=250ms,1s"); err != nil {
		t.Fatal(err)
	}
	ps, err := sc.points()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].sc.Interval.D() != 250*time.Millisecond || ps[1].sc.Interval.D() != time.Second ||
		ps[0].sweep["interval"] != "250ms" || ps[0].sc.Sweep != nil {
		t.Errorf("points: %+v", ps)
	}
	sc = DefaultScenario()
	sc.Set("sweep", "clients=10,100")
	ps, _ = sc.points()
	if ps[1].sc.Clients != 100 || ps[1].sweep["clients"] != 100 {
		t.Errorf("clients sweep: %+v", ps[1])
	}
}

func TestParseBandwidth(t *testing.T) {
	for in, want := range map[string]float64{"1mbit": 125000, "512kbit": 64000, "8000": 1000, "100KB": 100000, "2mbps": 250000} {
		got, err := ParseBandwidth(in)
		if err != nil || got != want {
			t.Errorf("%s: %v %v, want %v B/s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "fast", "-1mbit", "1furlong"} {
		if _, err := ParseBandwidth(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
