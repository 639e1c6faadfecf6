package state

import (
	"strconv"
	"testing"
)

// FuzzParseVersion: never panics; what it accepts is a decimal uint64.
func FuzzParseVersion(f *testing.F) {
	for _, seed := range []string{"", "0", "42", "18446744073709551615", "18446744073709551616", "-1", "+1", " 1", "0x10", "007"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok, err := ParseVersion(s)
		if err != nil {
			return
		}
		if s == "" {
			if ok {
				t.Fatal("empty string gave a version")
			}
			return
		}
		back, perr := strconv.ParseUint(s, 10, 64)
		if !ok || perr != nil || back != v {
			t.Fatalf("%q accepted as %d (ok=%v)", s, v, ok)
		}
	})
}
