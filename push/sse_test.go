package push_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/state"
)

// Over HTTP/2 a stream shares its connection, so an SSE stream cannot be
// taken out of net/http: it is served inside its handler, still by the
// hub's rules (backlog, live updates, the end at shutdown).
func TestSSEOverHTTP2StaysInItsHandler(t *testing.T) {
	store := state.NewMemory(state.DefaultRetain)
	store.Publish(state.KindChat, []byte(`{"text":"before"}`))
	hub := push.NewHub(store, nil, push.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(hub.ServeSSE))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/sse?since=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("served over %s, want HTTP/2", resp.Proto)
	}
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: ") {
				lines <- sc.Text()
			}
		}
	}()
	want := func(text string) {
		t.Helper()
		select {
		case l := <-lines:
			if !strings.Contains(l, text) {
				t.Fatalf("event %q, want one with %q", l, text)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event with %q", text)
		}
	}
	want("before")
	store.Publish(state.KindChat, []byte(`{"text":"live"}`))
	want("live")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hub.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	select {
	case _, open := <-lines:
		if open {
			t.Fatal("an event after shutdown")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end at shutdown")
	}
}
