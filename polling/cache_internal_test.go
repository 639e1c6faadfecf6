package polling

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pushlab/pushlab/state"
)

// Many clients polling the same version at once are answered from one
// encoding (micro-caching); a publish makes that answer stale and the next
// poll encodes the new one.
func TestConcurrentPollsOfOneVersionShareOneEncoding(t *testing.T) {
	store := state.NewMemory(0)
	g := state.NewGenerator(store, 0, 64)
	for range 5 {
		g.Tick()
	}
	p := New(store, nil, nil, nil, 0, nil)
	srv := httptest.NewServer(http.HandlerFunc(p.ServePoll))
	defer srv.Close()

	const clients = 40
	bodies := make([]string, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := srv.Client().Get(srv.URL + "/api/poll?since=3")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			bodies[i] = string(b)
		}()
	}
	wg.Wait()
	for i, b := range bodies {
		if b != bodies[0] {
			t.Fatalf("client %d got %q, client 0 %q", i, b, bodies[0])
		}
	}
	encoded, reused := p.Encodes()
	// Polls that arrive together may each miss the cache before the first
	// encoding is filed; never more than a few on a loaded machine.
	if encoded+reused != clients || encoded > clients/4 {
		t.Errorf("%d polls: %d encoded, %d served again; want nearly all served again", clients, encoded, reused)
	}

	g.Tick()
	resp, err := srv.Client().Get(srv.URL + "/api/poll?since=3")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) == bodies[0] {
		t.Error("after a publish the old answer was served")
	}
	if e, _ := p.Encodes(); e != encoded+1 {
		t.Errorf("after a publish: %d encodings, want %d", e, encoded+1)
	}
}
