package polling

import (
	"net/url"
	"testing"
)

// FuzzParsePollQuery feeds arbitrary query strings to the poll parser: it
// must never panic, and what it accepts must be in range.
func FuzzParsePollQuery(f *testing.F) {
	for _, seed := range []string{
		"since=0", "since=42&wait=25s", "since=18446744073709551615&wait=60", "wait=61s", "since=-1",
		"since=1e3", "wait=1m0.5s", "since=&wait=", "wait=NaN", "wait=-0s", "since=%00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		pq, err := ParsePollQuery(q)
		if err != nil {
			return
		}
		if pq.Wait < 0 || pq.Wait > MaxWait {
			t.Fatalf("%q: wait %v accepted", raw, pq.Wait)
		}
		if !pq.HaveSince && pq.Since != 0 {
			t.Fatalf("%q: since %d without a since", raw, pq.Since)
		}
		if IsLongPoll(q) != (pq.Wait > 0) {
			t.Fatalf("%q: IsLongPoll disagrees with wait %v", raw, pq.Wait)
		}
	})
}
