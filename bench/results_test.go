package bench

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The report's data were written by an earlier bench. Read back and
// written again, each results.json and results.csv comes out byte for byte
// as it was: the schema, the sweep values and every derived CSV column are
// unchanged.
func TestOlderResultsFilesReadAndWriteBackUnchanged(t *testing.T) {
	dirs, _ := filepath.Glob("../docs/report/data/*")
	if len(dirs) == 0 {
		t.Fatal("no saved results under docs/report/data")
	}
	for _, dir := range dirs {
		r, err := ReadResults(filepath.Join(dir, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		if err := WriteResults(out, r); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"results.json", "results.csv"} {
			want, _ := os.ReadFile(filepath.Join(dir, f))
			got, _ := os.ReadFile(filepath.Join(out, f))
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs once read and written back (%d bytes, was %d)", dir, f, len(got), len(want))
			}
		}
	}
}

func TestResultsWithAnUnknownSweepAreRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	os.WriteFile(path, []byte(`{"points": [{"sweep": {"colour": "red"}, "transports": [{"transport": "ws", "clients": 1}]}]}`), 0o644)
	_, err := ReadResults(path)
	var ie *InputError
	if err == nil || !errors.As(err, &ie) || !bytes.Contains([]byte(err.Error()), []byte(`"colour"`)) {
		t.Errorf("got %v, want an input error naming the parameter", err)
	}
}
