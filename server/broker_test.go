package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state/broker/brokertest"
)

// trail is everything one client received, in order, and the error frames
// a WebSocket client was sent.
type trail struct {
	name string
	mu   sync.Mutex
	ups  []update
	errs []string
}

func (tr *trail) add(u update) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.ups = append(tr.ups, u)
}

func (tr *trail) held() uint64 {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.ups) == 0 {
		return 0
	}
	return tr.ups[len(tr.ups)-1].V
}

func (tr *trail) errFrames() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.errs)
}

// check says what is wrong with the trail against the reference of every
// version: a version twice or out of order, a snapshot, bytes that differ,
// or a version missing. Push transports may coalesce ticks (a tick that a
// later tick replaced), never chats; polling misses nothing.
func (tr *trail) check(ref map[uint64]update, from, to uint64, mayCoalesceTicks bool) []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var bad []string
	got := map[uint64]bool{}
	prev := from
	for _, u := range tr.ups {
		switch {
		case u.Reset:
			bad = append(bad, fmt.Sprintf("%s: a reset snapshot at v%d", tr.name, u.V))
		case u.V <= prev:
			bad = append(bad, fmt.Sprintf("%s: v%d after v%d (duplicate or out of order)", tr.name, u.V, prev))
		case !bytes.Equal(u.Raw, ref[u.V].Raw):
			bad = append(bad, fmt.Sprintf("%s: v%d is %s, elsewhere %s", tr.name, u.V, u.Raw, ref[u.V].Raw))
		}
		got[u.V] = true
		prev = u.V
	}
	for v := from + 1; v <= to; v++ {
		if !got[v] && !(mayCoalesceTicks && ref[v].Kind == "tick" && v < to) {
			bad = append(bad, fmt.Sprintf("%s: missing v%d (%s)", tr.name, v, ref[v].Kind))
		}
	}
	return bad
}

// fleet is clients of every transport on one instance, all from version
// from on. Stop ends them.
type fleet struct {
	trails []*trail
	ws     *websocket.Conn // for publishing over WebSocket
	wsMu   sync.Mutex      // one writer at a time on ws
	stop   func()
}

func startFleet(t *testing.T, lab *servertest.Server, label string, from uint64) *fleet {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	f := &fleet{}
	run := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	newTrail := func(transport string) *trail {
		tr := &trail{name: label + "/" + transport}
		f.trails = append(f.trails, tr)
		return tr
	}

	for _, p := range []struct{ name, wait string }{{"short", ""}, {"long", "&wait=1s"}} {
		tr, wait := newTrail(p.name), p.wait
		run(func() {
			hc := (&wireCounter{}).httpClient()
			since := from
			for ctx.Err() == nil {
				resp, err := hc.Get(fmt.Sprintf("%s/api/poll?since=%d%s", lab.URL, since, wait))
				if err != nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					var pr pollResponse
					json.Unmarshal(body, &pr)
					for _, raw := range pr.Updates {
						u := parseUpdate(t, raw)
						tr.add(u)
						since = u.V
					}
				}
				if wait == "" {
					time.Sleep(15 * time.Millisecond)
				}
			}
		})
	}

	ws := mustDialWS(t, wsURL(lab, fmt.Sprintf("?since=%d&client=%s-ws", from, label)), nil)
	f.ws = ws
	wsTrail := newTrail("ws")
	run(func() {
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if bytes.Contains(b, []byte(`"type":"error"`)) {
				wsTrail.mu.Lock()
				wsTrail.errs = append(wsTrail.errs, string(b))
				wsTrail.mu.Unlock()
				continue
			}
			wsTrail.add(parseUpdate(t, b))
		}
	})

	sse := openSSE(t, (&wireCounter{}).httpClient(), fmt.Sprintf("%s/sse?since=%d&client=%s-sse", lab.URL, from, label), nil)
	sseTrail := newTrail("sse")
	run(func() {
		for {
			_, data, err := sse.next()
			if err != nil {
				return
			}
			sseTrail.add(parseUpdate(t, data))
		}
	})

	f.stop = func() {
		cancel()
		ws.Close()
		sse.resp.Body.Close()
		wg.Wait()
	}
	t.Cleanup(f.stop)
	return f
}

// publishWS publishes one chat over the fleet's WebSocket.
func (f *fleet) publishWS(t *testing.T, text string) {
	t.Helper()
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	msg := fmt.Sprintf(`{"type":"publish","data":{"text":%q}}`, text)
	if err := f.ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("ws publish: %v", err)
	}
}

// reference is every version the store of lab holds after from, by version.
func reference(t *testing.T, lab *servertest.Server, from uint64) map[uint64]update {
	t.Helper()
	_, ups := poll(t, http.DefaultClient, lab.URL, fmt.Sprintf("?since=%d", from))
	ref := map[uint64]update{}
	for _, u := range ups {
		ref[u.V] = u
	}
	return ref
}

// waitAll waits until every client of every fleet holds version v.
func waitAll(t *testing.T, v uint64, fleets ...*fleet) {
	t.Helper()
	for _, f := range fleets {
		for _, tr := range f.trails {
			servertest.Eventually(t, fmt.Sprintf("%s reaches v%d", tr.name, v), 10*time.Second, func() bool { return tr.held() >= v })
		}
	}
}

func startBrokered(t *testing.T, url string, rate float64) *servertest.Server {
	t.Helper()
	return startLab(t, server.Config{Broker: url, Rate: rate, Retain: 4096})
}

// statsBroker reads the broker part of /api/stats.
func statsBroker(t *testing.T, lab *servertest.Server) map[string]any {
	t.Helper()
	resp, err := http.Get(lab.URL + "/api/stats?clients=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Broker map[string]any `json:"broker"`
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	return doc.Broker
}

func healthStatus(t *testing.T, lab *servertest.Server) int {
	t.Helper()
	resp, err := http.Get(lab.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestTwoInstancesEveryTransportSeesEveryVersion(t *testing.T) {
	b := brokertest.Start(t)
	labA, labB := startBrokered(t, b.URL(), 0), startBrokered(t, b.URL(), 0)
	fa, fb := startFleet(t, labA, "A", 0), startFleet(t, labB, "B", 0)
	hc := (&wireCounter{}).httpClient()

	// Chats published on each instance, over HTTP and over WebSocket.
	const n = 60
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			publishChat(t, hc, labA.URL, "", fmt.Sprintf("http on A %d", i))
		case 1:
			fb.publishWS(t, fmt.Sprintf("ws on B %d", i))
		case 2:
			publishChat(t, hc, labB.URL, "", fmt.Sprintf("http on B %d", i))
		case 3:
			fa.publishWS(t, fmt.Sprintf("ws on A %d", i))
		}
		time.Sleep(3 * time.Millisecond)
	}
	waitAll(t, n, fa, fb)
	if a, b := labA.Store.Latest(), labB.Store.Latest(); a != n || b != n {
		t.Fatalf("latest: A %d, B %d, want %d on both: one version per update", a, b, n)
	}
	ref := reference(t, labA, 0)
	if refB := reference(t, labB, 0); len(refB) != n {
		t.Fatalf("B holds %d versions, want %d", len(refB), n)
	} else {
		for v, u := range refB {
			if !bytes.Equal(u.Raw, ref[v].Raw) {
				t.Fatalf("v%d differs between instances:\nA %s\nB %s", v, ref[v].Raw, u.Raw)
			}
		}
	}
	for _, f := range []*fleet{fa, fb} {
		for _, tr := range f.trails {
			for _, bad := range tr.check(ref, 0, n, false) {
				t.Error(bad)
			}
		}
	}
	// /api/stats names the broker and how far each instance has read.
	for _, lab := range []*servertest.Server{labA, labB} {
		br := statsBroker(t, lab)
		if br["connected"] != true || br["stream"] != "PUSHLAB" || br["last_seq"] != float64(n) {
			t.Errorf("stats broker %v: want connected, stream PUSHLAB, last_seq %d", br, n)
		}
	}
}

func TestBrokerOutageRefusesPublishesThenEveryClientCatchesUp(t *testing.T) {
	b := brokertest.Start(t)
	labA := startBrokered(t, b.URL(), 50) // the one generator
	labB := startBrokered(t, b.URL(), 0)
	fa, fb := startFleet(t, labA, "A", 0), startFleet(t, labB, "B", 0)
	hc := (&wireCounter{}).httpClient()
	publishChat(t, hc, labB.URL, "", "before")
	time.Sleep(300 * time.Millisecond)

	b.Stop()
	outage := time.Now()
	servertest.Eventually(t, "both instances see the broker gone", 5*time.Second, func() bool {
		return healthStatus(t, labA) == http.StatusServiceUnavailable && healthStatus(t, labB) == http.StatusServiceUnavailable
	})
	if br := statsBroker(t, labB); br["connected"] != false {
		t.Errorf("stats during the outage: %v, want connected false", br)
	}
	held := labA.Store.Latest()
	for _, lab := range []*servertest.Server{labA, labB} {
		resp, err := hc.Post(lab.URL+"/api/publish", "application/json", strings.NewReader(`{"kind":"chat","data":{"text":"lost"}}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || !json.Valid(body) || !bytes.Contains(body, []byte(`"error"`)) {
			t.Fatalf("publish during the outage: %d %s, want 503 with a JSON error", resp.StatusCode, body)
		}
	}
	fa.publishWS(t, "lost over ws")
	fb.publishWS(t, "lost over ws")
	for _, f := range []*fleet{fa, fb} {
		ws := f.trails[2]
		servertest.Eventually(t, ws.name+" gets an error frame", 5*time.Second, func() bool { return ws.errFrames() == 1 })
	}
	// Reads still serve the last state.
	if st, _ := poll(t, hc, labB.URL, "?since=0"); st != http.StatusOK {
		t.Fatalf("poll during the outage: %d", st)
	}
	time.Sleep(2*time.Second - time.Since(outage))
	if labA.Store.Latest() != held {
		t.Fatalf("version moved from %d to %d while the broker was down", held, labA.Store.Latest())
	}

	b.Restart()
	servertest.Eventually(t, "both instances healthy again", 10*time.Second, func() bool {
		return healthStatus(t, labA) == http.StatusOK && healthStatus(t, labB) == http.StatusOK
	})
	// The same WebSocket connections publish again.
	servertest.Eventually(t, "publishing works again", 10*time.Second, func() bool {
		resp, err := hc.Post(labA.URL+"/api/publish", "application/json", strings.NewReader(`{"kind":"chat","data":{"text":"back"}}`))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusAccepted
	})
	fa.publishWS(t, "after, over ws on A")
	fb.publishWS(t, "after, over ws on B")
	servertest.Eventually(t, "the generator ticks again", 10*time.Second, func() bool { return labA.Store.Latest() > held+3 })
	labA.Generator().Set(0, 256)
	time.Sleep(100 * time.Millisecond) // a tick in flight lands
	final := labA.Store.Latest()
	waitAll(t, final, fa, fb)

	ref := reference(t, labA, 0)
	refB := reference(t, labB, 0)
	for v := uint64(1); v <= final; v++ {
		if !bytes.Equal(ref[v].Raw, refB[v].Raw) || ref[v].Raw == nil {
			t.Fatalf("v%d: A %s, B %s", v, ref[v].Raw, refB[v].Raw)
		}
	}
	for _, f := range []*fleet{fa, fb} {
		for i, tr := range f.trails {
			push := i >= 2 // short, long, ws, sse
			for _, bad := range tr.check(ref, 0, final, push) {
				t.Error(bad)
			}
		}
	}
	for _, text := range []string{"after, over ws on A", "after, over ws on B"} {
		found := false
		for _, u := range ref {
			found = found || bytes.Contains(u.Raw, []byte(text))
		}
		if !found {
			t.Errorf("%q was not published: the WebSocket connection should have stayed usable", text)
		}
	}
}

func TestClientsOfAnInstanceThatIsGoneResumeOnAnotherWithSince(t *testing.T) {
	b := brokertest.Start(t)
	labA, labB := startBrokered(t, b.URL(), 0), startBrokered(t, b.URL(), 0)
	hc := (&wireCounter{}).httpClient()
	for i := 0; i < 10; i++ {
		publishChat(t, hc, labA.URL, "", fmt.Sprintf("on A %d", i))
	}
	ws := mustDialWS(t, wsURL(labA, "?since=0"), nil)
	var held uint64
	for held < 10 {
		held = readWS(t, ws).V
	}
	sse := openSSE(t, (&wireCounter{}).httpClient(), labA.URL+"/sse?since=0", nil)
	var sseHeld string
	for sseHeld != "10" {
		id, _, err := sse.next()
		if err != nil {
			t.Fatal(err)
		}
		sseHeld = id
	}

	labA.Close() // A is gone; B goes on
	for i := 0; i < 10; i++ {
		publishChat(t, hc, labB.URL, "", fmt.Sprintf("on B %d", i))
	}

	// Each client comes back on B with what it held and gets exactly the rest.
	ws = mustDialWS(t, wsURL(labB, fmt.Sprintf("?since=%d", held)), nil)
	for want := held + 1; want <= 20; want++ {
		if u := readWS(t, ws); u.V != want || u.Reset {
			t.Fatalf("ws resumed on B: v%d (reset %v), want v%d", u.V, u.Reset, want)
		}
	}
	sse = openSSE(t, (&wireCounter{}).httpClient(), labB.URL+"/sse", http.Header{"Last-Event-ID": {sseHeld}})
	for want := 11; want <= 20; want++ {
		id, _, err := sse.next()
		if err != nil || id != fmt.Sprint(want) {
			t.Fatalf("sse resumed on B: id %q (%v), want %d", id, err, want)
		}
	}
	status, ups := poll(t, hc, labB.URL, "?since=10&wait=1s")
	if status != http.StatusOK || len(ups) != 10 || ups[0].V != 11 || ups[9].V != 20 {
		t.Fatalf("poll resumed on B: %d, %d updates", status, len(ups))
	}
	// A new instance started now serves the same window too.
	labC := startBrokered(t, b.URL(), 0)
	if _, upsC := poll(t, hc, labC.URL, "?since=10"); len(upsC) != 10 || !bytes.Equal(upsC[9].Raw, ups[9].Raw) {
		t.Fatalf("a new instance: %d updates", len(upsC))
	}
}

func TestBrokerConfigIsRefusedClearly(t *testing.T) {
	b := brokertest.Start(t)
	for name, cfg := range map[string]server.Config{
		"malformed URL":         {Broker: "http://127.0.0.1:4222"},
		"state file and broker": {Broker: b.URL(), StateFile: t.TempDir() + "/state"},
	} {
		if _, err := server.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
