package polling

import (
	"bufio"
	"net/http"
	"net/url"
	"strings"
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

// FuzzRepeatedPollQuery holds the kept connections' own query reading
// (kept.go) against url.ParseQuery and ParsePollQuery, as net/http's route
// reads it: whatever a repeated poll is served with, net/http would have
// served the same poll, for the same client.
func FuzzRepeatedPollQuery(f *testing.F) {
	for _, seed := range []string{
		"client=kept&wait=30s&since=5", "since=5&wait=60s", "since=5&since=6&wait=1", "wait=0&since=1",
		"since=1&wait=25s&client=a&client=b", "since=%31&wait=5s", "since=1&wait=5s&x", "since=+1&wait=5s",
		"since=1;wait=5s", "since=1&wait=5s&client=", "&&since=2&wait=2s&",
	} {
		f.Add(seed, "kept")
		f.Add(seed, "")
	}
	f.Fuzz(func(t *testing.T, raw, client string) {
		rp := &repeat{headers: []byte("Host: x\r\n\r\n"), client: client}
		head := "GET /api/poll?" + raw + " HTTP/1.1\r\nHost: x\r\n\r\n"
		got, ok := rp.match([]byte(head))
		if !ok {
			return // net/http serves it: always safe
		}
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			t.Fatalf("%q: served as a repeat, but net/http refuses it: %v", raw, err)
		}
		q := r.URL.Query()
		want, err := ParsePollQuery(q)
		if err != nil || want != got || q.Get("client") != client || !IsLongPoll(q) || r.URL.Path != "/api/poll" {
			t.Fatalf("%q: served as %+v for %q; net/http reads %s %+v (%v) for %q", raw, got, client, r.URL.Path, want, err, q.Get("client"))
		}
	})
}
