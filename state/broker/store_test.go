package broker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/state/broker/brokertest"
)

// logBuffer collects a store's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func open(t *testing.T, url string, retain int, logTo io.Writer) *Store {
	t.Helper()
	if logTo == nil {
		logTo = io.Discard
	}
	s, err := Open(Config{URLs: url, Retain: retain, Logger: slog.New(slog.NewTextHandler(logTo, nil))})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(s.Close)
	return s
}

func chat(t *testing.T, s *Store, text string) *state.Update {
	t.Helper()
	u, err := s.Publish(state.KindChat, json.RawMessage(fmt.Sprintf(`{"text":%q}`, text)))
	if err != nil {
		t.Fatalf("publish %q: %v", text, err)
	}
	return u
}

// waitLatest waits until s has read version v.
func waitLatest(t *testing.T, s *Store, v uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Latest() < v {
		if time.Now().After(deadline) {
			t.Fatalf("store at %d, want %d", s.Latest(), v)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// raw is the bytes of each update in order.
func raw(ups []*state.Update) []string {
	out := make([]string, len(ups))
	for i, u := range ups {
		out[i] = string(u.Raw)
	}
	return out
}

func TestTwoStoresServeTheSameVersionsAndBytes(t *testing.T) {
	b := brokertest.Start(t)
	a, c := open(t, b.URL(), 64, nil), open(t, b.URL(), 64, nil)
	var want []uint64
	for i := 0; i < 10; i++ {
		s := a
		if i%2 == 1 {
			s = c
		}
		u := chat(t, s, fmt.Sprintf("m%d", i))
		if u.V != uint64(i+1) {
			t.Fatalf("publish %d got version %d: the stream sequence is the version", i, u.V)
		}
		// Read your own write: the publishing instance holds it already.
		if s.Latest() < u.V {
			t.Fatalf("publish returned v%d before the instance read it (latest %d)", u.V, s.Latest())
		}
		want = append(want, u.V)
	}
	gen := state.NewGenerator(a, 0, 100)
	tick := gen.Tick()
	want = append(want, tick.V)
	waitLatest(t, c, tick.V)

	fromA, fromC := state.Since(a, 0), state.Since(c, 0)
	if len(fromA) != len(want) {
		t.Fatalf("instance A holds %d updates, want %d", len(fromA), len(want))
	}
	for i, u := range fromA {
		if u.V != want[i] {
			t.Fatalf("update %d has version %d, want %d", i, u.V, want[i])
		}
	}
	if got, exp := raw(fromC), raw(fromA); strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Fatalf("instances differ:\nA %s\nC %s", exp, got)
	}
	if !bytes.Equal(a.Snapshot().Raw, c.Snapshot().Raw) {
		t.Fatalf("snapshots differ:\nA %s\nC %s", a.Snapshot().Raw, c.Snapshot().Raw)
	}
}

func TestALateInstanceHoldsTheSameWindow(t *testing.T) {
	b := brokertest.Start(t)
	a := open(t, b.URL(), 8, nil)
	for i := 0; i < 25; i++ {
		chat(t, a, fmt.Sprintf("m%d", i))
	}
	late := open(t, b.URL(), 8, nil)
	if late.Latest() != 25 {
		t.Fatalf("late instance starts at %d, want 25 (Open reads the window first)", late.Latest())
	}
	if got, want := raw(state.Since(late, 17)), raw(state.Since(a, 17)); strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("since 17:\nearly %s\nlate  %s", want, got)
	}
	// Older than the window: a snapshot, the same on both, though the
	// early instance saw chats the late one never read.
	for _, s := range []*Store{a, late} {
		if ups := state.Since(s, 3); len(ups) != 1 || !ups[0].Reset {
			t.Fatalf("since 3: want one reset snapshot, got %d updates", len(ups))
		}
	}
	if !bytes.Equal(a.Snapshot().Raw, late.Snapshot().Raw) {
		t.Fatalf("snapshots differ:\nearly %s\nlate  %s", a.Snapshot().Raw, late.Snapshot().Raw)
	}
}

func TestAStreamOfAnotherRetainKeepsItsWindow(t *testing.T) {
	b := brokertest.Start(t)
	a := open(t, b.URL(), 8, nil)
	logs := &logBuffer{}
	other := open(t, b.URL(), 100, logs)
	if a.Status().Retain != 8 || other.Status().Retain != 8 {
		t.Fatalf("retain: %d and %d, want the stream's 8 on both", a.Status().Retain, other.Status().Retain)
	}
	if !strings.Contains(logs.String(), "differs from --retain") {
		t.Errorf("no warning that --retain was overridden; log:\n%s", logs)
	}
}

func TestAForeignMessageIsSkippedAndTheInstanceGoesOn(t *testing.T) {
	b := brokertest.Start(t)
	logs := &logBuffer{}
	s := open(t, b.URL(), 64, logs)
	before := chat(t, s, "before")

	nc, err := nats.Connect(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.Publish(ctx, Subject, []byte("hello from someone else")); err != nil {
		t.Fatal(err)
	}
	odd := nats.NewMsg(Subject)
	odd.Header.Set(hdrKind, "snapshot")
	odd.Header.Set(hdrTime, "1")
	odd.Data = []byte(`{}`)
	if _, err := js.PublishMsg(ctx, odd); err != nil {
		t.Fatal(err)
	}

	after := chat(t, s, "after")
	if after.V != before.V+3 {
		t.Fatalf("after two foreign messages the next version is %d, want %d", after.V, before.V+3)
	}
	ups := state.Since(s, before.V)
	if len(ups) != 1 || ups[0].V != after.V {
		t.Fatalf("since %d: %v, want only v%d (the skipped versions hold nothing)", before.V, raw(ups), after.V)
	}
	if st := s.Status(); st.Skipped != 2 || st.LastSeq != after.V {
		t.Fatalf("status %+v: want 2 skipped, last_seq %d", st, after.V)
	}
	if n := strings.Count(logs.String(), "skipped a stream message"); n != 2 {
		t.Fatalf("%d log lines for skipped messages, want 2; log:\n%s", n, logs)
	}
	// A new instance reads the same stream to the same state.
	late := open(t, b.URL(), 64, nil)
	if got, want := raw(state.Since(late, 0)), raw(state.Since(s, 0)); strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("late instance:\n%s\nwant\n%s", got, want)
	}
}

func TestARetriedPublishIsStoredOnce(t *testing.T) {
	b := brokertest.Start(t)
	s := open(t, b.URL(), 64, nil)
	msg := nats.NewMsg(Subject)
	msg.Header.Set(hdrKind, state.KindChat)
	msg.Header.Set(hdrTime, "12345")
	msg.Header.Set(jetstream.MsgIDHeader, "retry-test-1")
	msg.Data = []byte(`{"text":"once"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	first, err := s.publish(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.publish(ctx, msg) // as after an acknowledgement that was lost
	if err != nil {
		t.Fatal(err)
	}
	if again.Sequence != first.Sequence || !again.Duplicate {
		t.Fatalf("retry stored as seq %d (duplicate %v), first was %d", again.Sequence, again.Duplicate, first.Sequence)
	}
	info, err := s.stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Fatalf("stream holds %d messages, want 1", info.State.Msgs)
	}
}

func TestAClientAheadOfALaggingInstanceWaits(t *testing.T) {
	b := brokertest.Start(t)
	lagging := open(t, b.URL(), 64, nil)
	ahead := open(t, b.URL(), 64, nil)
	chat(t, ahead, "one")
	waitLatest(t, lagging, 1)
	lagging.cons.Stop() // this instance reads no more
	u := chat(t, ahead, "two")
	if lagging.Latest() != 1 {
		t.Fatalf("lagging instance at %d", lagging.Latest())
	}
	// A client that saw v2 elsewhere must not be sent back to v1.
	if ups := state.Since(lagging, u.V); len(ups) != 0 {
		t.Fatalf("since %d on a lagging instance: %s, want nothing yet", u.V, raw(ups))
	}
	// A version the stream never had is from another stream: a snapshot.
	if ups := state.Since(lagging, 1000); len(ups) != 1 || !ups[0].Reset {
		t.Fatalf("since 1000: %s, want a reset snapshot", raw(ups))
	}
}

func TestOpenFailsFastWithoutABroker(t *testing.T) {
	b := brokertest.Start(t)
	url := b.URL()
	b.Stop() // a port where nothing listens now
	start := time.Now()
	_, err := Open(Config{URLs: url, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil {
		t.Fatal("open succeeded without a broker")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("open took %v to fail", d)
	}
	if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), url) {
		t.Fatalf("error %q: want one line naming %s", err, url)
	}
}

func TestOpenSaysWhenTheBrokerHasNoJetStream(t *testing.T) {
	b := brokertest.StartPlain(t)
	start := time.Now()
	_, err := Open(Config{URLs: b.URL(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "-js") {
		t.Fatalf("open on a NATS server without JetStream: %v, want an error that says -js", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestParseURLs(t *testing.T) {
	good := map[string]int{
		"nats://127.0.0.1:4222":                     1,
		"nats://a:4222,nats://b:4223, tls://c:4224": 3,
		"nats://localhost":                          1,
		"nats://user:pass@127.0.0.1:4222":           1,
	}
	for in, n := range good {
		urls, err := ParseURLs(in)
		if err != nil || len(urls) != n {
			t.Errorf("ParseURLs(%q) = %v, %v; want %d URLs", in, urls, err, n)
		}
	}
	for _, in := range []string{"", " ", "127.0.0.1:4222", "http://127.0.0.1:4222", "nats://", "nats://h:99999",
		"nats://h:port", "nats://h:4222/path", "nats://h:4222?x=1", "nats://a:1,,nats://b:2", "nats://a:1,"} {
		if _, err := ParseURLs(in); err == nil {
			t.Errorf("ParseURLs(%q) accepted", in)
		}
	}
}

func TestRedactDropsPasswords(t *testing.T) {
	got := redactAll([]string{"nats://user:secret@a:4222", "nats://b:4223"})
	if got != "nats://a:4222,nats://b:4223" {
		t.Fatalf("redacted %q", got)
	}
}

func TestPublishDuringAnOutageFailsAtOnceAndNothingIsHalfPublished(t *testing.T) {
	b := brokertest.Start(t)
	s := open(t, b.URL(), 64, nil)
	chat(t, s, "before")
	b.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for s.Status().Connected {
		if time.Now().After(deadline) {
			t.Fatal("store still says connected after the broker stopped")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	_, err := s.Publish(state.KindChat, json.RawMessage(`{"text":"lost"}`))
	if !errors.Is(err, state.ErrUnavailable) {
		t.Fatalf("publish during the outage: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > publishTimeout {
		t.Fatalf("publish took %v to fail", d)
	}
	if s.Latest() != 1 || len(state.Since(s, 0)) != 1 {
		t.Fatalf("the failed publish left a trace: latest %d", s.Latest())
	}

	b.Restart()
	deadline = time.Now().Add(10 * time.Second)
	var u *state.Update
	for u == nil {
		if time.Now().After(deadline) {
			t.Fatalf("publish still failing 10 s after the broker came back: %v", err)
		}
		u, err = s.Publish(state.KindChat, json.RawMessage(`{"text":"after"}`))
		time.Sleep(20 * time.Millisecond)
	}
	if u.V != 2 {
		t.Fatalf("first publish after the outage is v%d, want v2: the failed one must not have been stored", u.V)
	}
}
