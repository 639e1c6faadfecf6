package bench

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
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
		sc.Rate != DefaultScenario().Rate || sc.Sweep.Name != "rtt" || len(sc.Sweep.Values) != 2 ||
		sc.Sweep.Values[1].(*Duration).D() != 50*time.Millisecond {
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
	if _, err := LoadScenario(yml); err == nil || !strings.Contains(err.Error(), "cannot sweep \"colour\"") {
		t.Errorf("sweep of an unknown parameter: %v", err)
	}
	os.WriteFile(yml, []byte("sweep: {name: clients, values: [10, lots]}\n"), 0o644)
	if _, err := LoadScenario(yml); err == nil || !strings.Contains(err.Error(), "clients=lots") {
		t.Errorf("sweep value of the wrong type: %v", err)
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

func TestBadParametersAreRefusedNamingThem(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"transports", "short,carrier-pigeon", "unknown transport"},
		{"rate", "-1", "rate"},
		{"clients", "0", "clients"},
		{"clients", "many", "whole number"},
		{"wait", "2m", "wait"},
		{"interval", "soon", "duration"},
		{"bandwidth", "fast", "fast"},
		{"target", "ftp://x", "target"},
		{"sweep", "colour=red", "cannot sweep"},
		{"sweep", "clients=10,x", "clients=x"},
		{"sweep", "clients=10,-5", "clients"},
	} {
		sc, err := ParseArgs("--"+c.name, c.value)
		if err == nil {
			err = sc.Validate()
			// What passes the flag's own syntax is refused by Validate as
			// a mistake of the user's.
			var ie *InputError
			if err != nil && !errors.As(err, &ie) {
				t.Errorf("--%s %s: %v is not an InputError", c.name, c.value, err)
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--%s %s: got %v, want an error about %q", c.name, c.value, err, c.want)
		}
	}
}

// Flags given beside --scenario override the file, and only those given.
func TestFlagsOverrideTheScenarioFile(t *testing.T) {
	yml := filepath.Join(t.TempDir(), "mine.yaml")
	os.WriteFile(yml, []byte("clients: 7\nrate: 3\nsweep: {name: interval, values: [1s, 2s]}\n"), 0o644)
	sc, err := ParseArgs("--scenario", yml, "--rate", "5", "--transports", "ws", "--rtt", "20ms")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Clients != 7 || sc.Rate != 5 || len(sc.Transports) != 1 || sc.RTT.D() != 20*time.Millisecond ||
		sc.Sweep.String() != "interval=1s,2s" || sc.Name != "mine" {
		t.Errorf("scenario %+v", sc)
	}
	if got, want := sc.Command(), "pushlab bench --transports ws --clients 7 --rate 5 --payload 256 --interval 1s --wait 25s "+
		"--chat-rate 0.1 --warmup 1s --duration 3s --rtt 20ms --sweep interval=1s,2s"; got != want {
		t.Errorf("command\n got %s\nwant %s", got, want)
	}
	// The command line it writes reads back as the same scenario.
	again, err := ParseArgs(strings.Fields(sc.Command())[2:]...)
	if err != nil || again.Command() != sc.Command() {
		t.Errorf("command does not read back: %v\n%s", err, again.Command())
	}
}

func TestSweepMakesOnePointPerValue(t *testing.T) {
	sc, err := ParseArgs("--sweep", "interval=250ms,1s")
	if err != nil {
		t.Fatal(err)
	}
	ps := sc.Points()
	if len(ps) != 2 || ps[0].Scenario.Interval.D() != 250*time.Millisecond || ps[1].Scenario.Interval.D() != time.Second ||
		!ps[0].Scenario.Sweep.IsZero() {
		t.Errorf("points: %+v", ps)
	}
	sc, _ = ParseArgs("--sweep", "clients=10,100", "--bandwidth", "1mbit")
	ps = sc.Points()
	if ps[1].Scenario.Clients != 100 || ps[1].Swept.Name != "clients" || ps[1].Swept.Value.Axis() != 100 {
		t.Errorf("clients sweep: %+v", ps[1])
	}
	// results.json records a point's value as a number or a string, by type.
	for _, c := range []struct{ sweep, want string }{
		{"clients=100", `{"clients":100}`},
		{"interval=0.25s", `{"interval":"250ms"}`},
		{"chat-rate=0.5", `{"chat-rate":0.5}`},
		{"payload=1024", `{"payload":1024}`},
		{"bandwidth=512kbit", `{"bandwidth":"512kbit"}`},
	} {
		sc, err := ParseArgs("--sweep", c.sweep, "--rtt", "1ms")
		if err != nil {
			t.Fatal(err)
		}
		swept := sc.Points()[0].Swept
		b, err := json.Marshal(swept)
		if err != nil || string(b) != c.want {
			t.Errorf("%s: %s %v, want %s", c.sweep, b, err, c.want)
		}
		var back Swept
		if err := json.Unmarshal(b, &back); err != nil || back.Name != swept.Name || back.Value.String() != swept.Value.String() {
			t.Errorf("%s: read back as %+v, %v", c.sweep, back, err)
		}
	}
	if b, _ := json.Marshal(DefaultScenario().Points()[0].Swept); string(b) != "{}" {
		t.Errorf("no sweep: %s, want {}", b)
	}
}

func TestParseBandwidth(t *testing.T) {
	for in, want := range map[string]float64{"1mbit": 125000, "512kbit": 64000, "8000": 1000, "100KB": 100000, "2mbps": 250000} {
		got, err := Bandwidth(in).BytesPerSecond()
		if err != nil || got != want {
			t.Errorf("%s: %v %v, want %v B/s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "fast", "-1mbit", "1furlong"} {
		if _, err := Bandwidth(in).BytesPerSecond(); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// --chatters N lets only the first N clients of each transport chat (with
// instances, the first N of the first instance's), and the reproducing
// command says so.
func TestChattersAreTheFirstClients(t *testing.T) {
	for _, c := range []struct {
		args  []string
		chats []int // the clients of 0..9 that chat
	}{
		{[]string{"--clients", "10", "--chat-rate", "1"}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{[]string{"--clients", "10", "--chat-rate", "1", "--chatters", "3"}, []int{0, 1, 2}},
		{[]string{"--clients", "10", "--chat-rate", "1", "--chatters", "3", "--instances", "2", "--broker", "nats://127.0.0.1:4222"}, []int{0, 2, 4}},
		{[]string{"--clients", "10", "--chat-rate", "0", "--chatters", "3"}, nil},
	} {
		sc, err := ParseArgs(c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for i := range 10 {
			if sc.Chats(i) {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, c.chats) {
			t.Errorf("%v: clients %v chat, want %v", c.args, got, c.chats)
		}
		if sc.ChatRate > 0 && sc.Publishers(10) != len(c.chats) {
			t.Errorf("%v: %d publishers, want %d", c.args, sc.Publishers(10), len(c.chats))
		}
		if strings.Contains(strings.Join(c.args, " "), "--chatters 3") != strings.Contains(sc.Command(), "--chatters 3") {
			t.Errorf("%v: command %q", c.args, sc.Command())
		}
	}
}
