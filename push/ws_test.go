package push_test

import (
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// An idle WebSocket keeps no goroutine on the server: its reader runs only
// while the client has sent something, its writers are shared.
func TestIdleWebSocketsKeepNoGoroutine(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	lab.Generator().Tick()
	const n = 200
	before := runtime.NumGoroutine()
	for i := 0; i < n; i++ {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+lab.Addr+"/ws?since=1", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	servertest.Eventually(t, "every WebSocket open", 5*time.Second, func() bool {
		return lab.Stats().Snapshot(false).Transports["ws"].Open == n
	})
	var after int
	servertest.Eventually(t, "the openings' goroutines gone", 5*time.Second, func() bool {
		after = runtime.NumGoroutine()
		return after-before < n/20
	})
	t.Logf("%d idle WebSockets: %d goroutines more", n, after-before)
}

// Pings are answered with their payload, frames that arrive together are
// all read, and a frame that arrives in pieces is read whole, by a reader
// that runs only when there is something to read.
func TestWebSocketReaderReadsWhatArrives(t *testing.T) {
	lab := servertest.Start(t, server.Config{})
	lab.Generator().Tick()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+lab.Addr+"/ws?since=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pongs := make(chan string, 4)
	c.SetPongHandler(func(data string) error { pongs <- data; return nil })
	pong := func(want string) {
		t.Helper()
		select {
		case got := <-pongs:
			if got != want {
				t.Fatalf("pong %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no pong for ping %q", want)
		}
	}

	// A ping alone: the client reads on, so that gorilla runs its handler.
	go func() {
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}()
	c.WriteControl(websocket.PingMessage, []byte("one"), time.Now().Add(time.Second))
	pong("one")

	// A ping and a publish in one write, then a ping in two pieces, as a
	// raw client would send them (masked, as clients must).
	raw := rawClient(t, lab.Addr)
	defer raw.Close()
	frame := func(op byte, payload string) []byte {
		key := []byte{1, 2, 3, 4}
		b := []byte{0x80 | op, 0x80 | byte(len(payload))}
		b = append(b, key...)
		for i := 0; i < len(payload); i++ {
			b = append(b, payload[i]^key[i%4])
		}
		return b
	}
	both := append(frame(websocket.PingMessage, "two"), frame(websocket.TextMessage, `{"type":"publish","data":{"text":"after a ping"}}`)...)
	if _, err := raw.Write(both); err != nil {
		t.Fatal(err)
	}
	got := readRaw(t, raw, 2)
	if !strings.Contains(got, "two") || !strings.Contains(got, "after a ping") {
		t.Fatalf("a ping and a publish sent together: got %q", got)
	}
	ping := frame(websocket.PingMessage, "three")
	raw.Write(ping[:3])
	time.Sleep(100 * time.Millisecond)
	raw.Write(ping[3:])
	if got := readRaw(t, raw, 1); !strings.Contains(got, "three") {
		t.Fatalf("a ping in two pieces: got %q", got)
	}
}

// rawClient opens a WebSocket by hand, so that the test writes its frames
// byte by byte.
func rawClient(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	req := "GET /ws?since=1 HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if got := readRaw(t, c, 0); !strings.HasPrefix(got, "HTTP/1.1 101") {
		t.Fatalf("handshake: %q", got)
	}
	return c
}

// readRaw reads until the response headers end (frames 0) or until frames
// server frames have come, and returns what it read.
func readRaw(t *testing.T, c net.Conn, frames int) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("read %q: %v", got, err)
		}
		if frames == 0 {
			if strings.Contains(string(got), "\r\n\r\n") {
				return string(got)
			}
			continue
		}
		if countFrames(got) >= frames {
			return string(got)
		}
	}
}

// countFrames counts the whole unmasked server frames in b (short ones).
func countFrames(b []byte) int {
	n := 0
	for len(b) >= 2 {
		l := int(b[1] & 0x7f)
		if l > 125 {
			l = 1 << 30 // not expected here
		}
		if len(b) < 2+l {
			break
		}
		b = b[2+l:]
		n++
	}
	return n
}
