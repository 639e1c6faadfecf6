package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/state/broker/brokertest"
)

func TestServeBrokerBadInputExits2(t *testing.T) {
	b := brokertest.Start(t)
	gone := b.URL()
	b.Stop() // nothing listens there now
	for name, args := range map[string][]string{
		"not a nats URL":     {"--broker", "http://127.0.0.1:4222"},
		"no host":            {"--broker", "nats://"},
		"bad port":           {"--broker", "nats://127.0.0.1:99999"},
		"empty in a list":    {"--broker", "nats://127.0.0.1:4222,"},
		"unreachable broker": {"--broker", gone},
		"with a state file":  {"--broker", gone, "--state-file", t.TempDir() + "/s"},
	} {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := runServe(append([]string{"--addr", "127.0.0.1:0"}, args...), &stdout, &stderr)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", name, code, stderr.String())
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: took %v to give up", name, d)
		}
		if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n") + 1; lines != 1 {
			t.Errorf("%s: %d lines on stderr, want one:\n%s", name, lines, stderr.String())
		}
		if stdout.Len() > 0 {
			t.Errorf("%s: printed %q: it must not say it listens", name, stdout.String())
		}
	}
}

// latestOf reads /api/stats' version from an instance.
func latestOf(t *testing.T, base string) uint64 {
	t.Helper()
	resp, err := http.Get(base + "/api/stats?clients=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct{ Version uint64 }
	json.NewDecoder(resp.Body).Decode(&s)
	return s.Version
}

func postChat(t *testing.T, base, text string) uint64 {
	t.Helper()
	resp, err := http.Post(base+"/api/publish", "application/json", strings.NewReader(fmt.Sprintf(`{"data":{"text":%q}}`, text)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ V uint64 }
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("publish on %s: %d", base, resp.StatusCode)
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return out.V
}

func readV(t *testing.T, c *websocket.Conn) uint64 {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var u struct {
		V     uint64
		Reset bool
	}
	if err := c.ReadJSON(&u); err != nil {
		t.Fatalf("ws read: %v", err)
	}
	if u.Reset {
		t.Fatalf("ws got a reset snapshot at v%d", u.V)
	}
	return u.V
}

func TestServeBrokerInstanceKilledLosesNothing(t *testing.T) {
	b := brokertest.Start(t)
	a, urlA, _ := startServe(t, "--addr", "127.0.0.1:0", "--broker", b.URL())
	_, urlB, stderrB := startServe(t, "--addr", "127.0.0.1:0", "--broker", b.URL())
	wsA := "ws" + strings.TrimPrefix(urlA, "http")
	wsB := "ws" + strings.TrimPrefix(urlB, "http")

	for i := 1; i <= 5; i++ {
		if v := postChat(t, urlA, fmt.Sprintf("on A %d", i)); v != uint64(i) {
			t.Fatalf("publish %d on A got v%d", i, v)
		}
	}
	c, _, err := websocket.DefaultDialer.Dial(wsA+"/ws?since=0", nil)
	if err != nil {
		t.Fatal(err)
	}
	var held uint64
	for held < 5 {
		held = readV(t, c)
	}

	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := c.ReadMessage(); err == nil {
		t.Fatal("the killed instance's connection still answers")
	}
	c.Close()

	for i := 1; i <= 5; i++ {
		postChat(t, urlB, fmt.Sprintf("on B %d", i))
	}
	c, _, err = websocket.DefaultDialer.Dial(fmt.Sprintf("%s/ws?since=%d", wsB, held), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for want := held + 1; want <= 10; want++ {
		if v := readV(t, c); v != want {
			t.Fatalf("resumed on B: v%d, want v%d", v, want)
		}
	}
	// No generator runs unless --rate is given with --broker.
	time.Sleep(300 * time.Millisecond)
	if v := latestOf(t, urlB); v != 10 {
		t.Fatalf("B at v%d, want 10: something ticked", v)
	}
	if strings.Contains(stderrB.String(), "ONE instance") {
		t.Errorf("B warned about its generator, but it has none:\n%s", stderrB)
	}
}

func TestServeBrokerWithARateSaysItTicksForAll(t *testing.T) {
	b := brokertest.Start(t)
	_, url, stderr := startServe(t, "--addr", "127.0.0.1:0", "--broker", b.URL(), "--rate", "20")
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), "give --rate to ONE instance only"); {
		if time.Now().After(deadline) {
			t.Fatalf("no warning about the generator; stderr:\n%s", stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for deadline := time.Now().Add(5 * time.Second); latestOf(t, url) < 3; {
		if time.Now().After(deadline) {
			t.Fatal("the generator does not tick through the broker")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
