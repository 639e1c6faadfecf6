package polling_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state"
)

// waitPast is long enough for polls just sent to be parked (a poll that
// has to wait is parked at once).
const waitPast = 500 * time.Millisecond

// A long poll that waits long leaves net/http: it holds no goroutine while
// it waits, is answered with the bytes net/http would have written, and its
// connection serves the client's next request, on the same socket, with
// every byte counted.
func TestParkedPollsHoldNothingAndKeepTheirConnection(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	lab.Generator().Tick()
	since := lab.Store.Latest()

	// Idle pollers, parked: no goroutine each.
	const idle = 200
	before := runtime.NumGoroutine()
	for i := 0; i < idle; i++ {
		c, err := net.Dial("tcp", lab.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /api/poll?wait=60s&since=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	// One poller that counts its bytes and its connections.
	var dials, in, out atomic.Int64
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return counted{c, &in, &out}, err
	}}}
	type answer struct {
		status int
		body   string
		err    error
	}
	answers := make(chan answer, 1)
	get := func(url string) {
		resp, err := hc.Get(url)
		if err != nil {
			answers <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		answers <- answer{resp.StatusCode, string(b), err}
	}
	go get(lab.URL + "/api/poll?wait=60s&client=parked&since=" + itoa(since))
	time.Sleep(waitPast)
	if grew := runtime.NumGoroutine() - before; grew > idle/10 {
		t.Errorf("%d parked polls hold %d goroutines", idle+1, grew)
	}
	if open := lab.Stats().Snapshot(false).Transports["long"].Open; open != idle+1 {
		t.Errorf("%d long polls open, want %d", open, idle+1)
	}

	u, _ := lab.Store.Publish(state.KindChat, []byte(`{"text":"wake"}`))
	a := <-answers
	if a.err != nil || a.status != http.StatusOK || !strings.Contains(a.body, `"text":"wake"`) ||
		!strings.HasPrefix(a.body, `{"v":`+itoa(u.V)+`,"updates":[`) {
		t.Fatalf("parked poll answered %d %q (%v)", a.status, a.body, a.err)
	}
	// The next poll, and its expiry, go over the same connection.
	go get(lab.URL + "/api/poll?wait=2500ms&client=parked&since=" + itoa(u.V))
	if a := <-answers; a.err != nil || a.status != http.StatusNoContent {
		t.Fatalf("parked poll at its wait's end: %d %v, want 204", a.status, a.err)
	}
	if d := dials.Load(); d != 1 {
		t.Errorf("%d connections for three requests, want 1", d)
	}
	servertest.Eventually(t, "the server counts what the client carried", 2*time.Second, func() bool {
		c := lab.Stats().Snapshot(true).Clients["parked"]
		return c.BytesIn == out.Load() && c.BytesOut == in.Load() && c.Requests == 2 && c.Deliveries == 1 && c.Empty == 1
	})
	hc.CloseIdleConnections()
}

// A parked poll whose client goes away is let go; one still parked at
// shutdown is answered 204 and closed, within the shutdown's budget.
func TestParkedPollsEndWithTheirClientOrTheServer(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	lab.Generator().Tick()
	gone, err := net.Dial("tcp", lab.Addr)
	if err != nil {
		t.Fatal(err)
	}
	stays, err := net.Dial("tcp", lab.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stays.Close()
	for _, c := range []net.Conn{gone, stays} {
		io.WriteString(c, "GET /api/poll?wait=60s&since=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	time.Sleep(waitPast)
	gone.Close()
	servertest.Eventually(t, "the gone client's poll let go", 2*time.Second, func() bool {
		s := lab.Stats().Snapshot(false)
		return s.Transports["long"].Open == 1 && s.Connections == 1
	})

	shutdownWithin(t, lab, server.ShutdownTimeout)
	stays.SetReadDeadline(time.Now().Add(time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(stays), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent || !resp.Close {
		t.Errorf("at shutdown a parked poll got %d (close %v), want 204 and Connection: close", resp.StatusCode, resp.Close)
	}
}

type counted struct {
	net.Conn
	in, out *atomic.Int64
}

func (c counted) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	return n, err
}

func (c counted) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
