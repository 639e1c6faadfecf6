package push_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/transport"
)

// Ten clients that never read sit beside a thousand that do, on every push
// transport. The shared writers must not wait for the ten: the thousand get
// every update, chats included, sooner than the write deadline every time;
// and each of the ten is dropped, with its reason (1013, too slow) in the
// log, within a bounded time of its socket filling up.
func TestNeverReadingClientsDelayNobody(t *testing.T) {
	const (
		fast      = 1000
		stuck     = 10
		writeWait = time.Second
		ticks     = 60
		every     = 50 * time.Millisecond // 20 updates a second
	)
	var logs syncBuffer
	lab := startSmallBuffers(t, server.Config{
		WriteWait: writeWait,
		Payload:   2 << 10,
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	lab.Generator().Tick()
	since := lab.Store.Latest()
	kinds := []string{transport.WS, transport.SSE, transport.Floor}

	// The ten never read, from small receive windows.
	for i := 0; i < stuck; i++ {
		openSilent(t, lab.Addr, kinds[i%len(kinds)], since)
	}
	// The thousand read everything, noting how late each update came.
	rec := &arrivals{chats: map[uint64]int{}}
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); wg.Wait() }()
	for i := 0; i < fast; i++ {
		wg.Add(1)
		go func(kind string) {
			defer wg.Done()
			follow(ctx, t, lab.Addr, kind, since, rec)
		}(kinds[i%len(kinds)])
	}
	servertest.Eventually(t, "every client connected", 20*time.Second, func() bool {
		s := lab.Stats().Snapshot(false)
		n := int64(0)
		for _, k := range kinds {
			n += s.Transports[k].Open
		}
		return n == fast+stuck
	})

	var chats []uint64
	for i := 1; i <= ticks; i++ {
		if i%10 == 0 {
			u, err := lab.Store.Publish(state.KindChat, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)))
			if err != nil {
				t.Fatal(err)
			}
			chats = append(chats, u.V)
		} else {
			lab.Generator().Tick()
		}
		time.Sleep(every)
	}
	last := lab.Store.Latest()

	// The ten are gone within the write deadline of the moment their
	// sockets filled (a few updates in), with room for a busy machine.
	servertest.Eventually(t, "the never-readers dropped", 4*writeWait, func() bool {
		s := lab.Stats().Snapshot(false)
		n := int64(0)
		for _, k := range kinds {
			n += s.Transports[k].Open
		}
		return n == fast
	})
	servertest.Eventually(t, "every reader has the last update", 10*time.Second, func() bool { return rec.count(last) == fast })
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, v := range chats {
		if rec.chats[v] != fast {
			t.Errorf("chat %d reached %d of %d readers", v, rec.chats[v], fast)
		}
	}
	// Had a writer waited on a never-reader, the readers behind it in its
	// shard would have waited a whole write deadline.
	if rec.worst >= writeWait {
		t.Errorf("an update took %v to reach a reader: it waited on a client that does not read", rec.worst)
	}
	t.Logf("worst delay of %d updates to %d readers: %v", ticks, fast, rec.worst)
	if n := strings.Count(logs.String(), `msg="push client dropped"`); n != stuck {
		t.Errorf("%d drops logged, want %d:\n%s", n, stuck, logs.String())
	}
	if !strings.Contains(logs.String(), "code=1013") {
		t.Errorf("drops logged without their close code:\n%s", logs.String())
	}
}

// lab is a server started by the test itself.
type lab struct {
	*server.Server
	Addr  string
	Store state.Store
}

// startSmallBuffers serves cfg on a listener whose connections have a small
// fixed send buffer (Linux would grow it past a megabyte on loopback), so
// that a client that does not read fills its socket after a few updates.
func startSmallBuffers(t *testing.T, cfg server.Config) *lab {
	t.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 16<<10) })
	}}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
		defer cancel()
		srv.Shutdown(ctx)
		<-served
	})
	return &lab{Server: srv, Addr: ln.Addr().String(), Store: srv.Store()}
}

// arrivals is what the readers saw.
type arrivals struct {
	mu     sync.Mutex
	chats  map[uint64]int // readers that got each chat
	latest map[uint64]int // readers that got each version
	worst  time.Duration
}

func (a *arrivals) note(raw []byte) {
	// Read from the front as the server writes it, {"v":N,"t":N,"kind":"K",
	// without decoding the payload: a thousand readers share this machine.
	v, t := number(raw, `"v":`), number(raw, `"t":`)
	kind := raw[bytes.Index(raw, []byte(`"kind":"`))+8:]
	kind = kind[:bytes.IndexByte(kind, '"')]
	late := time.Duration(time.Now().UnixNano() - int64(t))
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.latest == nil {
		a.latest = map[uint64]int{}
	}
	a.latest[v]++
	if string(kind) == state.KindChat {
		a.chats[v]++
	}
	if string(kind) != state.KindSnapshot {
		a.worst = max(a.worst, late)
	}
}

// number reads the digits after key in b.
func number(b []byte, key string) uint64 {
	var n uint64
	for _, c := range b[bytes.Index(b, []byte(key))+len(key):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

func (a *arrivals) count(v uint64) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.latest[v]
}

// openSilent opens a stream of kind and never reads from it.
func openSilent(t *testing.T, addr, kind string, since uint64) {
	t.Helper()
	// The receive buffer is set before the connection opens, so that the
	// window it advertises is small from the start.
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	path := fmt.Sprintf("/%s?since=%d&client=silent-%s-%p", kind, since, kind, c)
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if kind == transport.WS {
		req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
}

// follow reads a stream of kind until ctx ends, noting every update.
func follow(ctx context.Context, t *testing.T, addr, kind string, since uint64, a *arrivals) {
	path := fmt.Sprintf("/%s?since=%d", kind, since)
	if kind == transport.WS {
		c, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+addr+path, nil)
		if err != nil {
			t.Errorf("ws: %v", err)
			return
		}
		defer context.AfterFunc(ctx, func() { c.Close() })()
		var msg bytes.Buffer
		for {
			_, r, err := c.NextReader()
			if err != nil {
				return
			}
			msg.Reset()
			if _, err := msg.ReadFrom(r); err != nil {
				return
			}
			a.note(msg.Bytes())
		}
	}
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Errorf("%s: %v", kind, err)
		return
	}
	defer context.AfterFunc(ctx, func() { c.Close() })()
	io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return
		}
		line = bytes.TrimPrefix(line, []byte("data: "))
		if bytes.HasPrefix(line, []byte(`{"v":`)) {
			a.note(line)
		}
	}
}

// syncBuffer is a log sink the test can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	n  atomic.Int64
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n.Add(1)
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
