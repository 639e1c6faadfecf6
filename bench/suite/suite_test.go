package suite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench"
)

func TestEveryRunOfTheSuiteIsValid(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Entries() {
		if err := e.Scenario.Validate(); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
		if seen[e.Name] {
			t.Errorf("%s twice", e.Name)
		}
		seen[e.Name] = true
		if e.Scenario.Name != e.Name {
			t.Errorf("%s runs a scenario named %q: saved results are found again by it", e.Name, e.Scenario.Name)
		}
	}
}

// Saved results are found as files, in a directory, or one level down, as
// the suite saves them; each run is named for its sweep and linked from
// where report.md goes.
func TestSavedResultsAreFoundWhereverTheyAreNamed(t *testing.T) {
	data := filepath.Join(t.TempDir(), "report", "data")
	for _, name := range []string{"clients", "rtt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "charts", "testdata", "results-"+name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(data, name), 0o755)
		os.WriteFile(filepath.Join(data, name, "results.json"), b, 0o644)
	}
	plain := filepath.Join("..", "..", "charts", "testdata", "results.json")
	runs, err := Load(plain+", "+data, filepath.Dir(filepath.Dir(data)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		got = append(got, r.Name+" "+r.Data)
	}
	want := []string{"default " + absSlash(t, plain), "clients report/data/clients/results.json", "rtt report/data/rtt/results.json"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("runs\n got %v\nwant %v", got, want)
	}
	for _, bad := range []string{"", filepath.Join(data, "nothere.json"), t.TempDir()} {
		if _, err := Load(bad, "."); err == nil {
			t.Errorf("--from %q accepted", bad)
		}
	}
}

func absSlash(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(a)
}

// The run across instances is a valid run of the default scenario on two
// instances; without a broker, or with none answering, it is skipped with
// the reason, at once.
func TestTheRunAcrossInstancesIsSkippedWithoutABroker(t *testing.T) {
	e := InstancesEntry("nats://127.0.0.1:4222")
	if err := e.Scenario.Validate(); err != nil || e.Scenario.InstanceCount() != 2 || e.Name != InstancesName {
		t.Errorf("%s: %v, %d instances", e.Name, err, e.Scenario.InstanceCount())
	}
	ctx := context.Background()
	for urls, want := range map[string]string{
		"":                                      "no `--broker` was given",
		"nats://127.0.0.1:1":                    "no NATS server answered at `nats://127.0.0.1:1`",
		"nats://me:secret@127.0.0.1:1":          "no NATS server answered at `nats://127.0.0.1:1`",
		"nats://127.0.0.1:1,nats://127.0.0.1:2": "connection refused",
	} {
		start := time.Now()
		r, skipped, err := RunInstances(ctx, urls, t.TempDir(), t.TempDir(), nil)
		if r != nil || err != nil || !strings.Contains(skipped, want) || strings.Contains(skipped, "secret") {
			t.Errorf("%q: run %v, error %v, skipped %q; want skipped: %s", urls, r, err, skipped, want)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q: %s to skip", urls, d)
		}
	}
	if err := CheckBroker("nats//127.0.0.1:4222"); err == nil {
		t.Error("a malformed --broker accepted")
	}
}

// Saved results of a run across instances are found under the run's name.
func TestSavedResultsAcrossInstancesAreNamedSo(t *testing.T) {
	r, err := bench.ReadResults(filepath.Join("..", "..", "charts", "testdata", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	r.Scenario.Instances, r.Scenario.Broker = 2, "nats://127.0.0.1:4222"
	dir := filepath.Join(t.TempDir(), "data", InstancesName)
	if err := bench.WriteResults(dir, r); err != nil {
		t.Fatal(err)
	}
	runs, err := Load(filepath.Dir(dir), ".")
	if err != nil || len(runs) != 1 || runs[0].Name != InstancesName {
		t.Fatalf("loaded %+v, %v; want one run named %s", runs, err, InstancesName)
	}
}
