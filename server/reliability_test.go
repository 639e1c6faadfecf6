package server_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state"
	"go.uber.org/goleak"
)

// openRaw opens a connection and sends a raw request for path, so that the
// test controls the socket itself and can drop it without a goodbye.
func openRaw(t *testing.T, addr, path string, upgrade bool) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if upgrade {
		req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	return c.(*net.TCPConn)
}

// dropAbruptly resets the connection: no WS close, no FIN handshake.
func dropAbruptly(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
}

func TestDisconnectStormLeavesNothingBehind(t *testing.T) {
	lab := startLab(t, server.Config{})
	lab.Generator().Tick()
	latest := itoa(lab.Store.Latest())
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	const perTransport = 250 // 1,000 clients in all
	var conns []*net.TCPConn
	for i := 0; i < perTransport; i++ {
		conns = append(conns,
			openRaw(t, lab.Addr, "/ws?client=storm-ws-"+itoa(uint64(i)), true),
			openRaw(t, lab.Addr, "/sse?client=storm-sse-"+itoa(uint64(i)), false),
			openRaw(t, lab.Addr, "/api/poll?wait=60s&since="+latest, false),
			openRaw(t, lab.Addr, "/api/poll?since=0", false), // answered; then an idle keep-alive connection
		)
	}
	open := func() (ws, sse, long, conns int64) {
		s := lab.Stats().Snapshot(false)
		return s.Transports["ws"].Open, s.Transports["sse"].Open, s.Transports["long"].Open, s.Connections
	}
	servertest.Eventually(t, "every client connected", 10*time.Second, func() bool {
		ws, sse, long, n := open()
		return ws == perTransport && sse == perTransport && long == perTransport && n == 4*perTransport
	})
	for _, c := range conns {
		dropAbruptly(c)
	}
	servertest.Eventually(t, "open counters back to zero", 10*time.Second, func() bool {
		ws, sse, long, n := open()
		return ws == 0 && sse == 0 && long == 0 && n == 0
	})
	// The server still serves, and goleak (deferred) finds no goroutine left.
	if resp, err := http.Get(lab.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after the storm: %v", err)
	} else {
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestHalfOpenClientIsDroppedByTheWriteDeadline(t *testing.T) {
	lab := startLab(t, server.Config{WriteWait: 500 * time.Millisecond, Payload: 64 << 10})
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// A client that never reads, with a small receive window.
	silent := &wireCounter{rcvBuf: 64 << 10}
	c := mustDialWS(t, wsURL(lab, "?client=half-open"), silent)
	_ = c
	servertest.Eventually(t, "ws connected", 2*time.Second, func() bool { return lab.Stats().Snapshot(false).Transports["ws"].Open == 1 })
	deadline := time.Now().Add(10 * time.Second)
	for lab.Stats().Snapshot(false).Transports["ws"].Open == 1 {
		if time.Now().After(deadline) {
			t.Fatal("a client that never reads was not dropped")
		}
		lab.Generator().Tick() // keep the writer writing until it blocks, then times out
		time.Sleep(5 * time.Millisecond)
	}
	servertest.Eventually(t, "its connection closed", 2*time.Second, func() bool { return lab.Stats().Snapshot(false).Connections == 0 })
	c.Close()
}

// latencies records publish-to-seen for one reading client.
type latencies struct {
	mu    sync.Mutex
	us    []int64
	chats map[uint64]bool
}

func (l *latencies) p99() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.us) == 0 {
		return 0
	}
	s := slices.Clone(l.us)
	slices.Sort(s)
	return time.Duration(s[len(s)*99/100]) * time.Microsecond
}

// reader reads a WS client until it is closed, noting latency and chats.
func reader(t *testing.T, c *websocket.Conn, l *latencies, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now().UnixNano()
		u := parseUpdate(t, b)
		l.mu.Lock()
		if !u.Reset {
			l.us = append(l.us, (now-u.T)/1000)
		}
		if u.Kind == state.KindChat {
			l.chats[u.V] = true
		}
		l.mu.Unlock()
	}
}

func TestSlowConsumerCostsOthersNothing(t *testing.T) {
	// A long write wait: this test is about the 1013 path, not the deadline.
	lab := startLab(t, server.Config{Payload: 4 << 10, WriteWait: time.Minute})
	const bystanders = 4
	// publish sends 10,000 ticks with a chat every 100th, in small bursts.
	publish := func() []uint64 {
		var chats []uint64
		for i := 1; i <= 10000; i++ {
			if i%100 == 0 {
				u, _ := lab.Store.Publish(state.KindChat, []byte(fmt.Sprintf(`{"n":%d}`, i)))
				chats = append(chats, u.V)
			} else {
				lab.Generator().Tick()
			}
			if i%50 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		return chats
	}
	phase := func(withSlow bool) (p99 time.Duration, heapGrowth int64) {
		var wg sync.WaitGroup
		ls := make([]*latencies, bystanders)
		conns := make([]*websocket.Conn, bystanders)
		for i := range ls {
			ls[i] = &latencies{chats: map[uint64]bool{}}
			conns[i] = mustDialWS(t, wsURL(lab, "?since="+itoa(lab.Store.Latest())), nil)
			wg.Add(1)
			go reader(t, conns[i], ls[i], &wg)
		}
		var slow *websocket.Conn
		if withSlow {
			slow = mustDialWS(t, wsURL(lab, "?client=slow"), &wireCounter{rcvBuf: 256 << 10})
		}
		before := heapInUse()
		chats := publish()
		heapGrowth = heapInUse() - before
		if withSlow {
			// Coalescing may have kept the slow one inside the log so far;
			// make sure it is stuck and then left behind.
			stallWriter(t, lab, "slow", state.DefaultRetain)
		}
		latest := lab.Store.Latest()
		for _, l := range ls {
			servertest.Eventually(t, "bystander has every chat", 10*time.Second, func() bool {
				l.mu.Lock()
				defer l.mu.Unlock()
				return l.chats[chats[len(chats)-1]]
			})
			for _, v := range chats {
				if !l.chats[v] {
					t.Errorf("a bystander missed chat %d", v)
				}
			}
		}
		for _, c := range conns {
			c.Close()
		}
		wg.Wait()
		for _, l := range ls {
			p99 = max(p99, l.p99())
		}
		if withSlow {
			// The slow one now reads: what was buffered, then 1013, since the
			// log moved on past what it held.
			if got := closeCode(t, slow); got != push.CloseTryAgainLater {
				t.Errorf("slow consumer closed with %d, want 1013", got)
			}
		}
		t.Logf("slow consumer present=%v: bystanders' p99 %v, heap growth %d KiB, latest v=%d", withSlow, p99, heapGrowth>>10, latest)
		return p99, heapGrowth
	}
	baseline, _ := phase(false)
	withSlow, growth := phase(true)
	// 10,000 ticks of 4 KiB queued for the slow one would be 40 MiB.
	if growth > 16<<20 {
		t.Errorf("heap grew %d MiB with a slow consumer", growth>>20)
	}
	// Not a timing target (those live in the bench): a slow consumer that
	// held up the fan-out would cost the others whole write deadlines.
	if withSlow > 5*baseline+100*time.Millisecond {
		t.Errorf("bystanders' p99 %v with a slow consumer, %v without", withSlow, baseline)
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
