package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/state"
)

func publishChats(t *testing.T, st state.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := st.Publish(state.KindChat, []byte(fmt.Sprintf(`{"text":"missed %d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResumeWithSinceLosesNothing(t *testing.T) {
	lab := startLab(t, server.Config{})
	for i := 0; i < 5; i++ {
		lab.Generator().Tick()
	}
	held := lab.Store.Latest()

	// A WebSocket client and a long poller hold `held`, then go away.
	ws := mustDialWS(t, wsURL(lab, fmt.Sprintf("?since=%d", held-1)), nil)
	if u := readWS(t, ws); u.V != held {
		t.Fatalf("ws got v=%d, want %d", u.V, held)
	}
	ws.Close()
	hc := (&wireCounter{}).httpClient()

	publishChats(t, lab.Store, 100)

	// Both come back with since and get all 100, in order, no gap, no duplicate.
	ws = mustDialWS(t, wsURL(lab, fmt.Sprintf("?since=%d", held)), nil)
	for want := held + 1; want <= held+100; want++ {
		u := readWS(t, ws)
		if u.V != want || u.Kind != state.KindChat {
			t.Fatalf("ws resume: got v=%d kind=%s, want v=%d chat", u.V, u.Kind, want)
		}
	}
	status, ups := poll(t, hc, lab.URL, fmt.Sprintf("?since=%d&wait=5s", held))
	if status != http.StatusOK || len(ups) != 100 {
		t.Fatalf("long poll resume: status %d, %d updates, want 200 and 100", status, len(ups))
	}
	for i, u := range ups {
		if want := held + 1 + uint64(i); u.V != want {
			t.Fatalf("long poll resume: update %d has v=%d, want %d", i, u.V, want)
		}
	}
}

func TestResumeOlderThanTheLogGetsASnapshot(t *testing.T) {
	lab := startLab(t, server.Config{Retain: 16})
	publishChats(t, lab.Store, 40)
	latest := lab.Store.Latest()
	hc := (&wireCounter{}).httpClient()

	checkSnapshot := func(how string, u update) {
		t.Helper()
		if u.Kind != state.KindSnapshot || !u.Reset || u.V != latest {
			t.Fatalf("%s: got kind=%s reset=%v v=%d, want a snapshot with reset at v=%d", how, u.Kind, u.Reset, u.V, latest)
		}
	}
	ws := mustDialWS(t, wsURL(lab, "?since=3"), nil)
	checkSnapshot("ws", readWS(t, ws))
	_, ups := poll(t, hc, lab.URL, "?since=3")
	if len(ups) != 1 {
		t.Fatalf("poll: %d updates, want one snapshot", len(ups))
	}
	checkSnapshot("poll", ups[0])
	sse := openSSE(t, (&wireCounter{}).httpClient(), lab.URL+"/sse", http.Header{"Last-Event-ID": {"3"}})
	_, data, err := sse.next()
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot("sse Last-Event-ID", parseUpdate(t, data))

	// Within the log, a resume is exact: since=latest-5 gives 5 updates.
	_, ups = poll(t, hc, lab.URL, fmt.Sprintf("?since=%d", latest-5))
	if len(ups) != 5 || ups[0].V != latest-4 {
		t.Fatalf("poll inside the log: %d updates from v=%d", len(ups), ups[0].V)
	}
}
