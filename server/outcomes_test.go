package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// Every request ends one way: answered (updates, or a non-error answer),
// empty (204/304), refused (an error status) or aborted (no answer: the
// client gave up). For every transport, requests = answered + empty +
// refused + aborted once nothing is open, and each way is counted where it
// happened: a long poll the client cuts off is aborted, not lost.
func TestEveryRequestEndsOneWay(t *testing.T) {
	lab := startLab(t, server.Config{})
	lab.Generator().Tick()
	latest := "?since=" + itoa(lab.Store.Latest())
	hc := (&wireCounter{}).httpClient()

	gone := func(url string) { // a request the client gives up on before any answer
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}

	// short: one answered, one empty, one refused.
	poll(t, hc, lab.URL, "?since=0")
	poll(t, hc, lab.URL, latest)
	poll(t, hc, lab.URL, "?since=-1")
	// long: one answered, one empty, one refused, one aborted.
	poll(t, hc, lab.URL, "?since=0&wait=1s")
	poll(t, hc, lab.URL, latest+"&wait=10ms")
	poll(t, hc, lab.URL, "?since=x&wait=1s")
	gone(lab.URL + "/api/poll" + latest + "&wait=10s")
	// ws: one answered (the backlog), one aborted (nothing came), one refused.
	fed := mustDialWS(t, wsURL(lab, "?since=0"), nil)
	readWS(t, fed)
	quiet := mustDialWS(t, wsURL(lab, latest), nil)
	if _, resp, err := dialWS(t, wsURL(lab, "?since=x"), nil, nil); err == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("ws with a bad since: %v", err)
	}
	// sse: one answered, one aborted, one refused.
	s := openSSE(t, hc, lab.URL+"/sse?since=0", nil)
	s.next()
	s.resp.Body.Close()
	gone(lab.URL + "/sse" + latest)
	if resp, err := hc.Get(lab.URL + "/sse?since=x"); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("sse with a bad since: %v", err)
	} else {
		resp.Body.Close()
	}
	// Close the WebSockets now (the cleanup would be too late to count).
	fed.Close()
	quiet.Close()

	want := map[string]server.CounterSnapshot{
		transport.Short: {Requests: 3, Answered: 1, Empty: 1, Refused: 1},
		transport.Long:  {Requests: 4, Answered: 1, Empty: 1, Refused: 1, Aborted: 1},
		transport.WS:    {Requests: 3, Answered: 1, Refused: 1, Aborted: 1},
		transport.SSE:   {Requests: 3, Answered: 1, Refused: 1, Aborted: 1},
	}
	var st server.StatsSnapshot
	servertest.Eventually(t, "every request has ended", 5*time.Second, func() bool {
		st = lab.Stats().Snapshot(false)
		for name := range want {
			if st.Transports[name].Open != 0 {
				return false
			}
		}
		return true
	})
	for _, name := range transport.Names() {
		c := st.Transports[name]
		if c.Requests != c.Answered+c.Empty+c.Refused+c.Aborted+c.Open {
			t.Errorf("%s: %d requests but %d answered + %d empty + %d refused + %d aborted + %d open",
				name, c.Requests, c.Answered, c.Empty, c.Refused, c.Aborted, c.Open)
		}
		if w, ok := want[name]; ok {
			got := [5]int64{c.Requests, c.Answered, c.Empty, c.Refused, c.Aborted}
			if got != [5]int64{w.Requests, w.Answered, w.Empty, w.Refused, w.Aborted} {
				t.Errorf("%s: got requests, answered, empty, refused, aborted = %v, want %+v", name, got, w)
			}
		}
	}
}
