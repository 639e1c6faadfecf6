package polling_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// freshness is what a short-poll answer says about when to ask again.
type freshness struct {
	status  int
	body    []byte
	date    time.Time
	expires time.Time
	maxAge  int // -1: none
	control string
}

func shortPoll(t *testing.T, hc *http.Client, base, since string) freshness {
	t.Helper()
	u := base + "/api/poll?client=cache-test"
	if since != "" {
		u += "&since=" + since
	}
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	f := freshness{status: resp.StatusCode, body: body, maxAge: -1, control: resp.Header.Get("Cache-Control")}
	if rest, ok := strings.CutPrefix(f.control, "max-age="); ok {
		if f.maxAge, err = strconv.Atoi(rest); err != nil {
			t.Fatalf("Cache-Control %q", f.control)
		}
	}
	if h := resp.Header.Get("Expires"); h != "" {
		if f.expires, err = http.ParseTime(h); err != nil {
			t.Fatalf("Expires %q: %v", h, err)
		}
	}
	if f.date, err = http.ParseTime(resp.Header.Get("Date")); err != nil {
		t.Fatalf("Date %q: %v", resp.Header.Get("Date"), err)
	}
	return f
}

// latest is the version the server holds now.
func latest(t *testing.T, lab *servertest.Server) string {
	return strconv.FormatUint(lab.Store.Latest(), 10)
}

// At 2 ticks a second, every short-poll answer, empty or not, says how long
// it stays current: Date + max-age = Expires, a whole second no more than
// a period (plus the slack for a late tick, rounded up) away; and a client
// that asks again at Expires finds a newer version there, which is the
// promise the headers make.
func TestShortPollAnswersSayWhenTheNextTickIsDue(t *testing.T) {
	const rate = 2
	lab := servertest.Start(t, server.Config{Rate: rate, Payload: 32})
	hc := &http.Client{Timeout: 5 * time.Second}
	defer hc.CloseIdleConnections()
	for lab.Store.Latest() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	period := time.Second / rate
	for i := range 4 {
		held := latest(t, lab)
		asked := time.Now()
		f := shortPoll(t, hc, lab.URL, held)
		if f.status != http.StatusOK && f.status != http.StatusNoContent {
			t.Fatalf("poll %d: status %d", i, f.status)
		}
		if f.maxAge < 0 || f.expires.IsZero() {
			t.Fatalf("poll %d: Cache-Control %q, Expires %v: want max-age and Expires", i, f.control, f.expires)
		}
		if got := f.date.Add(time.Duration(f.maxAge) * time.Second); !got.Equal(f.expires) {
			t.Errorf("poll %d: Date %v + max-age %d = %v, Expires %v", i, f.date, f.maxAge, got, f.expires)
		}
		// Rounding up to the second after the due time (and its slack for a
		// late tick, 50 ms) waits less than a second more than a period.
		if wait := f.expires.Sub(asked); wait > period+time.Second+100*time.Millisecond {
			t.Errorf("poll %d: Expires %s after the poll at %d ticks/s: over a period and a second", i, wait, rate)
		}
		time.Sleep(time.Until(f.expires))
		again := shortPoll(t, hc, lab.URL, held)
		if again.status != http.StatusOK {
			t.Errorf("poll %d: asked again at Expires %v holding %s: status %d, want the next tick", i, f.expires.Format(time.TimeOnly), held, again.status)
		}
	}
}

// With no generator ticking, nobody knows when the next update comes: the
// answer may be kept but must be asked for again.
func TestShortPollAnswersWithoutATickerAreNoCache(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	lab.Generator().Tick()
	hc := &http.Client{Timeout: 5 * time.Second}
	defer hc.CloseIdleConnections()
	for _, since := range []string{"0", "1"} {
		f := shortPoll(t, hc, lab.URL, since)
		if f.control != "no-cache" || !f.expires.IsZero() {
			t.Errorf("since=%s: Cache-Control %q, Expires %v; want no-cache and no Expires", since, f.control, f.expires)
		}
	}
}

// Clients holding the same version get the same bytes; clients holding
// different versions get the answers for their own versions.
func TestPollsOfTheSameVersionGetTheSameBytes(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	for range 3 {
		lab.Generator().Tick()
	}
	bodies := map[string][]byte{}
	for i := range 12 {
		since := []string{"1", "2", ""}[i%3]
		hc := &http.Client{Timeout: 5 * time.Second} // a client of its own: its own connection
		f := shortPoll(t, hc, lab.URL, since)
		hc.CloseIdleConnections()
		if f.status != http.StatusOK {
			t.Fatalf("since=%q: status %d", since, f.status)
		}
		if first, ok := bodies[since]; ok && !bytes.Equal(first, f.body) {
			t.Errorf("since=%q: poll %d got\n%s\nafter\n%s", since, i, f.body, first)
		}
		bodies[since] = f.body
	}
	if bytes.Equal(bodies["1"], bodies["2"]) {
		t.Error("polls holding versions 1 and 2 got the same answer")
	}
	if !bytes.Contains(bodies["1"], []byte(`"v":2`)) || bytes.Contains(bodies["2"], []byte(`"v":2,`)) {
		t.Errorf("since=1 should carry version 2 and since=2 should not:\n%s\n%s", bodies["1"], bodies["2"])
	}
	lab.Generator().Tick()
	hc := &http.Client{Timeout: 5 * time.Second}
	defer hc.CloseIdleConnections()
	if f := shortPoll(t, hc, lab.URL, "2"); bytes.Equal(f.body, bodies["2"]) || !bytes.Contains(f.body, []byte(fmt.Sprintf(`"v":%d`, 4))) {
		t.Errorf("after a publish, since=2 still got the old answer:\n%s", f.body)
	}
}
