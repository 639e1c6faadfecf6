package polling_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state"
)

// rawPoller speaks HTTP/1.1 on one connection, as a browser's keep-alive
// connection does: the same headers on every request.
type rawPoller struct {
	t    *testing.T
	c    net.Conn
	r    *bufio.Reader
	head string // the header lines every request carries
}

func dialPoller(t *testing.T, addr, headers string) *rawPoller {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawPoller{t: t, c: c, r: bufio.NewReader(c), head: "Host: lab\r\n" + headers}
}

// send writes one request head for target.
func (p *rawPoller) send(target string) {
	p.t.Helper()
	if _, err := io.WriteString(p.c, "GET "+target+" HTTP/1.1\r\n"+p.head+"\r\n"); err != nil {
		p.t.Fatal(err)
	}
}

// read reads one response, whole.
func (p *rawPoller) read() (*http.Response, string) {
	p.t.Helper()
	p.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(p.r, nil)
	if err != nil {
		p.t.Fatalf("reading an answer: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		p.t.Fatal(err)
	}
	return resp, string(b)
}

func (p *rawPoller) poll(since uint64, wait string) (*http.Response, string) {
	p.t.Helper()
	p.send("/api/poll?client=kept&wait=" + wait + "&since=" + itoa(since))
	return p.read()
}

// A long poller keeps asking the same thing with the next version: once
// its first poll is parked and answered, the connection stays outside
// net/http and its next polls are served there. Every answer is right, is
// what net/http would have written (headers, body), and is counted; between
// two polls the connection holds no goroutine.
func TestRepeatedPollsAreServedOutsideNetHTTP(t *testing.T) {
	lab := servertest.Start(t, server.Config{AllowOrigins: []string{"http://class.example"}})
	lab.Generator().Tick()
	p := dialPoller(t, lab.Addr, "Origin: http://class.example\r\nAccept: */*\r\n")

	since := lab.Store.Latest()
	const polls = 30
	for i := 0; i < polls; i++ {
		go func() {
			time.Sleep(20 * time.Millisecond) // the poll waits, parked
			lab.Store.Publish(state.KindChat, []byte(`{"text":"hi"}`))
		}()
		resp, body := p.poll(since, "30s")
		u := lab.Store.Latest()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, `{"v":`+itoa(u)+`,"updates":[`) ||
			resp.Header.Get("Access-Control-Allow-Origin") != "http://class.example" {
			t.Fatalf("poll %d: %d %v %q", i, resp.StatusCode, resp.Header, body)
		}
		since = u
	}

	// Its waits pass, one after the other, each in its own time.
	for i := 0; i < 3; i++ {
		start := time.Now()
		resp, _ := p.poll(since, "300ms")
		if took := time.Since(start); resp.StatusCode != http.StatusNoContent || took < 300*time.Millisecond || took > 2*time.Second {
			t.Errorf("a repeated poll whose wait passed: %d after %v, want 204 after 300ms", resp.StatusCode, took)
		}
	}

	// An answer the kept connection gives at once is what net/http gives
	// a fresh connection for the same request.
	old := since - 3
	resp, body := p.poll(old, "30s")
	fresh := dialPoller(t, lab.Addr, "Origin: http://class.example\r\nAccept: */*\r\n")
	want, wantBody := fresh.poll(old, "30s")
	if body != wantBody || resp.StatusCode != want.StatusCode {
		t.Errorf("kept connection answered %d %q, net/http %d %q", resp.StatusCode, body, want.StatusCode, wantBody)
	}
	resp.Header.Del("Date")
	want.Header.Del("Date")
	if got, exp := headerLines(resp.Header), headerLines(want.Header); got != exp {
		t.Errorf("kept connection's headers:\n%s\nnet/http's:\n%s", got, exp)
	}

	servertest.Eventually(t, "every poll counted", 2*time.Second, func() bool {
		c := lab.Stats().Snapshot(true).Clients["kept"]
		return c.Requests == polls+5 && c.Deliveries >= polls+3 && c.Open == 0 && c.Answered == polls+2 && c.Empty == 3
	})

	// Between polls, answered pollers hold no goroutine (net/http would
	// keep one per connection, reading for the next request).
	const idle = 100
	conns := make([]*rawPoller, idle)
	since = lab.Store.Latest()
	for i := range conns {
		conns[i] = dialPoller(t, lab.Addr, "")
		conns[i].send("/api/poll?wait=30s&since=" + itoa(since))
	}
	servertest.Eventually(t, "all parked", 5*time.Second, func() bool {
		return lab.Stats().Snapshot(false).Transports["long"].Open == idle
	})
	runtime.GC()
	before := runtime.NumGoroutine()
	lab.Store.Publish(state.KindChat, []byte(`{"text":"all"}`))
	for _, c := range conns {
		if resp, _ := c.read(); resp.StatusCode != http.StatusOK {
			t.Fatalf("woken poll: %d", resp.StatusCode)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if grew := runtime.NumGoroutine() - before; grew > idle/10 {
		t.Errorf("%d answered pollers hold %d goroutines between polls", idle, grew)
	}
}

func headerLines(h http.Header) string {
	var b strings.Builder
	h.Write(&b)
	return b.String()
}

// Whatever a kept connection carries that is not the same long poll again
// goes to net/http, with the bytes already read, and is served as usual:
// another route, a bad query, other headers, a request in pieces, two at
// once. All on one connection.
func TestKeptConnectionsGiveEverythingElseToNetHTTP(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	lab.Generator().Tick()
	p := dialPoller(t, lab.Addr, "")
	keep := func() uint64 { // a poll parked and answered: the connection is kept
		t.Helper()
		since := lab.Store.Latest()
		go func() {
			time.Sleep(20 * time.Millisecond)
			lab.Generator().Tick()
		}()
		if resp, _ := p.poll(since, "10s"); resp.StatusCode != http.StatusOK {
			t.Fatalf("parked poll: %d", resp.StatusCode)
		}
		return lab.Store.Latest()
	}

	keep()
	p.send("/api/stats?clients=0")
	if resp, body := p.read(); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"transports"`) {
		t.Errorf("stats on a kept connection: %d %q", resp.StatusCode, body)
	}

	keep()
	p.send("/api/poll?client=kept&wait=10s&since=banana")
	if resp, body := p.read(); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "since") {
		t.Errorf("a bad since on a kept connection: %d %q, want 400 naming since", resp.StatusCode, body)
	}

	v := keep()
	p.head += "X-Other: 1\r\n" // other headers: net/http decides again
	if resp, _ := p.poll(v-1, "10s"); resp.StatusCode != http.StatusOK {
		t.Errorf("a poll with other headers: %d", resp.StatusCode)
	}

	v = keep()
	req := "GET /api/poll?client=kept&wait=10s&since=" + itoa(v-1) + " HTTP/1.1\r\n" + p.head + "\r\n"
	io.WriteString(p.c, req[:20])
	time.Sleep(100 * time.Millisecond)
	io.WriteString(p.c, req[20:])
	if resp, body := p.read(); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, `{"v":`+itoa(v)) {
		t.Errorf("a poll in two pieces: %d %q", resp.StatusCode, body)
	}

	v = keep()
	io.WriteString(p.c, strings.Repeat(req, 2)) // pipelined
	for i := 0; i < 2; i++ {
		if resp, body := p.read(); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, `{"v":`+itoa(v)) {
			t.Errorf("pipelined poll %d: %d %q", i, resp.StatusCode, body)
		}
	}

	// The next poll sent while this one still waits (pipelined, in a
	// write of its own): it waits in the socket, and is served after.
	v = keep()
	p.send("/api/poll?client=kept&wait=10s&since=" + itoa(v))
	time.Sleep(100 * time.Millisecond)
	p.send("/api/poll?client=kept&wait=10s&since=" + itoa(v))
	time.Sleep(100 * time.Millisecond)
	lab.Generator().Tick()
	for i := 0; i < 2; i++ {
		if resp, body := p.read(); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, `{"v":`+itoa(v+1)) {
			t.Errorf("poll %d of two, the second sent while the first waited: %d %q", i, resp.StatusCode, body)
		}
	}

	keep()
	p.send("/healthz")
	if resp, _ := p.read(); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz on a kept connection: %d", resp.StatusCode)
	}
}

// A kept connection whose client goes away is closed and uncounted; one
// kept at shutdown is closed at once, and the shutdown stays in budget.
func TestKeptConnectionsEndWithTheirClientOrTheServer(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	lab.Generator().Tick()
	park := func() *rawPoller {
		p := dialPoller(t, lab.Addr, "")
		p.send("/api/poll?wait=10s&since=" + itoa(lab.Store.Latest()))
		return p
	}
	gone, stays := park(), park()
	servertest.Eventually(t, "both parked", 2*time.Second, func() bool {
		return lab.Stats().Snapshot(false).Transports["long"].Open == 2
	})
	lab.Generator().Tick()
	for _, p := range []*rawPoller{gone, stays} {
		if resp, _ := p.read(); resp.StatusCode != http.StatusOK {
			t.Fatalf("answer: %d", resp.StatusCode)
		}
	}
	gone.c.Close()
	servertest.Eventually(t, "the gone client's connection closed", 2*time.Second, func() bool {
		return lab.Stats().Snapshot(false).Connections == 1
	})

	shutdownWithin(t, lab, time.Second)
	stays.c.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := stays.r.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("kept connection at shutdown: read %d, %v; want it closed", n, err)
	}
}

// shutdownWithin shuts lab down and fails the test if that takes longer
// than limit.
func shutdownWithin(t *testing.T, lab *servertest.Server, limit time.Duration) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	if err := lab.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > limit {
		t.Errorf("shutdown took %v, want at most %v", d, limit)
	}
}
