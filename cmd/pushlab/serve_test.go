package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test start this test binary as the pushlab command: with
// PUSHLAB_RUN_MAIN=1 it runs main's dispatch instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("PUSHLAB_RUN_MAIN") == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// lockedBuffer collects a child's stderr while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs `pushlab serve args...` as a child process and returns it
// with the URL it printed.
func startServe(t *testing.T, args ...string) (*exec.Cmd, string, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "PUSHLAB_RUN_MAIN=1")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case l := <-line:
		url, ok := strings.CutPrefix(l, "listening ")
		if !ok {
			t.Fatalf("first stdout line %q; stderr:\n%s", l, stderr)
		}
		return cmd, url, stderr
	case <-time.After(20 * time.Second):
		t.Fatalf("serve printed nothing; stderr:\n%s", stderr)
	}
	return nil, "", nil
}

func TestServeWarnsBeyondLoopbackAndStopsOnSIGTERM(t *testing.T) {
	cmd, url, stderr := startServe(t, "--addr", "0.0.0.0:0", "--rate", "5")
	// stderr reaches the buffer through a pipe and a copying goroutine, so
	// it may trail the stdout line a little.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), "listening beyond this machine"); {
		if time.Now().After(deadline) {
			t.Fatalf("no warning for a non-loopback address; stderr:\n%s", stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	port := url[strings.LastIndex(url, ":"):]
	resp, err := http.Get("http://127.0.0.1" + port + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM; stderr:\n%s", err, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("graceful shutdown took %v", d)
	}
}

func TestServeOnLoopbackDoesNotWarn(t *testing.T) {
	_, _, stderr := startServe(t, "--addr", "127.0.0.1:0")
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(stderr.String(), "listening beyond") {
		t.Errorf("warned on loopback; stderr:\n%s", stderr)
	}
}

func TestServeBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{{"--rate", "-1"}, {"--payload", "-5"}, {"--addr", "127.0.0.1:99999"}, {"--no-such-flag"}, {"now"}} {
		var stdout, stderr bytes.Buffer
		if code := runServe(args, &stdout, &stderr); code != 2 {
			t.Errorf("serve %v: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
		if strings.Contains(stderr.String(), "goroutine ") {
			t.Errorf("serve %v printed a stack trace", args)
		}
	}
}
