package bench

import (
	"encoding/json"
	"strings"
	"testing"
)

// The client parameters go on the reproducing command line when they
// differ from the default (a switch stands alone), and read back the same;
// a scenario read from results written before they existed (no profile, no
// repeat) writes its command as it was written then.
func TestClientParametersReproduce(t *testing.T) {
	sc, err := ParseArgs("--transports", "short", "--profile", "lean", "--cookie-bytes", "900", "--tls", "--http1",
		"--compress", "--repeat", "3")
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	cmd := sc.Command()
	for _, want := range []string{"--profile lean", "--cookie-bytes 900", "--tls --http1 --compress --repeat 3"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("command %q lacks %q", cmd, want)
		}
	}
	again, err := ParseArgs(strings.Fields(cmd)[2:]...)
	if err != nil || again.Command() != cmd {
		t.Errorf("command does not read back: %v\n%s", err, again.Command())
	}
	def := DefaultScenario()
	if c := def.Command(); strings.Contains(c, "--profile") || strings.Contains(c, "--repeat") || strings.Contains(c, "--tls") {
		t.Errorf("the default scenario writes client parameters: %s", c)
	}

	var old Scenario
	if err := json.Unmarshal([]byte(`{"name":"default","transports":["ws"],"clients":5,"rate":10,"payload":256,
		"interval":"1s","wait":"25s","chat_rate":0.1,"ramp_up":"250ms","warmup":"1s","duration":"3s"}`), &old); err != nil {
		t.Fatal(err)
	}
	if c := old.Command(); strings.Contains(c, "--profile") || strings.Contains(c, "--repeat") {
		t.Errorf("an older scenario's command names parameters it did not have: %s", c)
	}
	if old.ClientProfile() != ProfileLean || old.Runs() != 1 {
		t.Errorf("an older scenario ran %s clients %d times, want lean once", old.ClientProfile(), old.Runs())
	}
}

// Combining repeated runs: each number the median of its runs, its range
// kept under its results.json name, the rest from the median run.
func TestCombineTakesMediansAndRanges(t *testing.T) {
	runs := []TransportResult{
		{Transport: "short", Clients: 5, Protocol: "h2", Delivered: 10, BytesPerUpdate: 300, Latency: Latency{P50: 30, P99: 90}, LatencyCDF: [][2]float64{{30, 1}}},
		{Transport: "short", Clients: 5, Protocol: "h2", Delivered: 14, BytesPerUpdate: 500, Latency: Latency{P50: 10, P99: 70}, LatencyCDF: [][2]float64{{10, 1}}},
		{Transport: "short", Clients: 5, Protocol: "h2", Delivered: 11, BytesPerUpdate: 350, Latency: Latency{P50: 20, P99: 99}, LatencyCDF: [][2]float64{{20, 1}}},
	}
	c := Combine(runs)
	if c.Delivered != 11 || c.BytesPerUpdate != 350 || c.Latency.P50 != 20 || c.Latency.P99 != 90 || c.Clients != 5 || c.Protocol != "h2" {
		t.Errorf("medians: %+v", c)
	}
	if c.LatencyCDF[0][0] != 20 {
		t.Errorf("CDF %v, want the median run's", c.LatencyCDF)
	}
	if got := c.Spread["bytes_per_update"]; got != [2]float64{300, 500} {
		t.Errorf("bytes_per_update range %v", got)
	}
	if got := c.Spread["latency_us.p99"]; got != [2]float64{70, 99} {
		t.Errorf("latency_us.p99 range %v", got)
	}
	if lo, hi, ok := c.Range(func(t TransportResult) float64 { return float64(t.Delivered) }); !ok || lo != 10 || hi != 14 {
		t.Errorf("range of delivered %g..%g %v", lo, hi, ok)
	}
	if len(c.Runs) != 3 || len(c.Runs[0].Runs) != 0 {
		t.Errorf("runs kept: %d", len(c.Runs))
	}
	// Two runs: the mean of the middle two.
	if two := Combine(runs[:2]); two.BytesPerUpdate != 400 || two.Delivered != 12 {
		t.Errorf("two runs: %g B/update, %d delivered", two.BytesPerUpdate, two.Delivered)
	}
	one := Combine(runs[:1])
	if one.Runs != nil || one.Spread != nil || one.BytesPerUpdate != 300 {
		t.Errorf("one run is not kept as it is: %+v", one)
	}
	if _, _, ok := one.Range(func(t TransportResult) float64 { return t.BytesPerUpdate }); ok {
		t.Error("a single run has a range")
	}
}
