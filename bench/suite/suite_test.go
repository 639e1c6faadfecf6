package suite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
