package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state"
)

// seen is what one client received: each update's bytes by version.
type seen struct {
	mu     sync.Mutex
	byV    map[uint64][]byte
	latest uint64
}

func newSeen() *seen { return &seen{byV: map[uint64][]byte{}} }

func (s *seen) add(u update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !u.Reset {
		s.byV[u.V] = u.Raw
	}
	s.latest = max(s.latest, u.V)
}

func (s *seen) held() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest
}

func TestFourTransportsSeeTheSameVersions(t *testing.T) {
	lab := startLab(t, server.Config{Payload: 200})
	start := lab.Store.Latest()
	from := "?since=" + strconv.FormatUint(start, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	clients := map[string]*seen{"short": newSeen(), "long": newSeen(), "ws": newSeen(), "sse": newSeen()}
	var wg sync.WaitGroup
	run := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }

	run(func() { // short poller, every 15ms
		hc := (&wireCounter{}).httpClient()
		since := start
		for ctx.Err() == nil {
			_, ups := poll(t, hc, lab.URL, fmt.Sprintf("?since=%d&client=t-short", since))
			for _, u := range ups {
				clients["short"].add(u)
				since = u.V
			}
			time.Sleep(15 * time.Millisecond)
		}
	})
	run(func() { // long poller
		hc := (&wireCounter{}).httpClient()
		since := start
		for ctx.Err() == nil {
			_, ups := poll(t, hc, lab.URL, fmt.Sprintf("?since=%d&wait=1s&client=t-long", since))
			for _, u := range ups {
				clients["long"].add(u)
				since = u.V
			}
		}
	})
	ws := mustDialWS(t, wsURL(lab, from+"&client=t-ws"), nil)
	run(func() {
		for ctx.Err() == nil {
			ws.SetReadDeadline(time.Now().Add(time.Second))
			_, b, err := ws.ReadMessage()
			if err != nil {
				continue // deadline: look at ctx again
			}
			clients["ws"].add(parseUpdate(t, b))
		}
	})
	sse := openSSE(t, (&wireCounter{}).httpClient(), lab.URL+"/sse"+from+"&client=t-sse", nil)
	run(func() {
		for {
			_, data, err := sse.next()
			if err != nil {
				return
			}
			clients["sse"].add(parseUpdate(t, data))
		}
	})

	// A few hundred updates, ticks and chats, at a pace polling can follow.
	var chats []uint64
	for i := 0; i < 300; i++ {
		if i%5 == 0 {
			u, err := lab.Store.Publish(state.KindChat, []byte(fmt.Sprintf(`{"text":"hello %d"}`, i)))
			if err != nil {
				t.Fatal(err)
			}
			chats = append(chats, u.V)
		} else {
			lab.Generator().Tick()
		}
		time.Sleep(2 * time.Millisecond)
	}
	latest := lab.Store.Latest()
	for name, c := range clients {
		servertest.Eventually(t, name+" reaches the latest version", 10*time.Second, func() bool { return c.held() == latest })
	}
	cancel()
	sse.resp.Body.Close()
	wg.Wait()

	// Every chat reached every transport; every update any two transports
	// both received is byte for byte the same.
	reference := map[uint64][]byte{}
	for name, c := range clients {
		for _, v := range chats {
			if _, ok := c.byV[v]; !ok {
				t.Errorf("%s missed chat version %d", name, v)
			}
		}
		for v, raw := range c.byV {
			if ref, ok := reference[v]; ok && !bytes.Equal(ref, raw) {
				t.Errorf("version %d differs on %s:\n%s\nvs\n%s", v, name, raw, ref)
			}
			reference[v] = raw
		}
	}
	// Polling gets every version; push may coalesce ticks, never chats.
	for _, name := range []string{"short", "long"} {
		if got := len(clients[name].byV); got != int(latest-start) {
			t.Errorf("%s received %d versions, want %d", name, got, latest-start)
		}
	}
}

func TestStateETag(t *testing.T) {
	lab := startLab(t, server.Config{})
	lab.Generator().Tick()
	hc := (&wireCounter{}).httpClient()
	resp, err := hc.Get(lab.URL + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if want := fmt.Sprintf(`"%d"`, lab.Store.Latest()); etag != want {
		t.Fatalf("ETag %q, want %q", etag, want)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	get := func() *http.Response {
		req, _ := http.NewRequest(http.MethodGet, lab.URL+"/api/state", nil)
		req.Header.Set("If-None-Match", etag)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := get(); r.StatusCode != http.StatusNotModified {
		t.Fatalf("same version: status %d, want 304", r.StatusCode)
	}
	lab.Generator().Tick()
	if r := get(); r.StatusCode != http.StatusOK {
		t.Fatalf("after a tick: status %d, want 200", r.StatusCode)
	}
}
