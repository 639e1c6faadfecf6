package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"go.uber.org/goleak"
)

func TestShutdownEndsEveryClientWithin5s(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	lab := startLab(t, server.Config{})
	lab.Generator().Tick()

	ws := mustDialWS(t, wsURL(lab, "?client=sd-ws"), nil)
	readWS(t, ws)
	sseWC := &wireCounter{}
	sse := openSSE(t, sseWC.httpClient(), lab.URL+"/sse?client=sd-sse", nil)
	if _, _, err := sse.next(); err != nil {
		t.Fatal(err)
	}
	longWC := &wireCounter{}
	longDone := make(chan int, 1)
	go func() {
		// At the latest version, so the poll is held until something happens.
		resp, err := longWC.httpClient().Get(lab.URL + "/api/poll?since=" + itoa(lab.Store.Latest()) + "&wait=60s")
		if err != nil {
			longDone <- -1
			return
		}
		resp.Body.Close()
		longDone <- resp.StatusCode
	}()
	servertest.Eventually(t, "the long poll is held", 2*time.Second, func() bool {
		return lab.Stats().Snapshot(false).Transports["long"].Open == 1
	})

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	shutdownErr := make(chan error, 1)
	go func() { shutdownErr <- lab.Shutdown(ctx) }()

	if got := closeCode(t, ws); got != push.CloseGoingAway {
		t.Errorf("ws closed with %d, want 1001", got)
	}
	for {
		if _, _, err := sse.next(); err != nil {
			break // the stream ended
		}
	}
	if status := <-longDone; status != http.StatusNoContent {
		t.Errorf("held long poll answered %d at shutdown, want 204", status)
	}
	if err := <-shutdownErr; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > server.ShutdownTimeout {
		t.Errorf("shutdown took %v", d)
	}
	ws.Close()
	sseWC.hc.CloseIdleConnections()
	longWC.hc.CloseIdleConnections()
	if _, err := http.Get(lab.URL + "/healthz"); err == nil {
		t.Errorf("server still accepts connections after shutdown")
	}
}

// A client that stops reading leaves its writer stuck in a write for up to
// the write deadline (10 s); shutdown must still end within 5 s.
func TestShutdownDoesNotWaitForAStuckWriter(t *testing.T) {
	lab := startLab(t, server.Config{Payload: 256 << 10})
	stuck := &wireCounter{rcvBuf: 64 << 10}
	ws := mustDialWS(t, wsURL(lab, "?client=stuck"), stuck)
	defer ws.Close()
	sseWC := &wireCounter{rcvBuf: 64 << 10}
	openSSE(t, sseWC.httpClient(), lab.URL+"/sse?client=stuck-sse", nil) // never read
	// Publish until the server has written far more than the socket buffers hold.
	for i := 0; i < 80; i++ {
		lab.Generator().Tick()
		time.Sleep(2 * time.Millisecond)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	if err := lab.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with stuck writers: %v after %v", err, time.Since(start))
	}
	t.Logf("shutdown with two stuck writers took %v", time.Since(start))
}
