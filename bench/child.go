package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Child server timing.
const (
	childStartTimeout = 15 * time.Second // from exec to its "listening" line
	childStopTimeout  = 7 * time.Second  // SIGTERM to exit (the server drains in <= 5 s)
)

// childServer is `pushlab serve` started by the harness as its own process,
// so its CPU and memory are its own and can be read from /proc.
type childServer struct {
	cmd    *exec.Cmd
	url    *url.URL
	pid    int
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit status, once done
}

// startChild runs bin serve on a free loopback port with the point's rate
// and payload, and waits for the one line it prints when listening.
func startChild(ctx context.Context, bin string, sc Scenario, retain int) (*childServer, error) {
	args := []string{"serve", "--addr", "127.0.0.1:0",
		"--rate", strconv.FormatFloat(sc.Rate, 'f', -1, 64),
		"--payload", strconv.Itoa(sc.Payload),
		"--retain", strconv.Itoa(retain)}
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &childServer{cmd: cmd, stderr: &tailBuffer{max: 4 << 10}, done: make(chan struct{})}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server %s: %w", bin, err)
	}
	c.pid = cmd.Process.Pid
	go func() { c.err = cmd.Wait(); close(c.done) }()

	found := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "listening "); ok {
				found <- rest
				io.Copy(io.Discard, r) // keep the pipe drained
				return
			}
			if err != nil {
				return
			}
		}
	}()
	timer := time.NewTimer(childStartTimeout)
	defer timer.Stop()
	select {
	case addr := <-found:
		u, err := url.Parse(addr)
		if err != nil || u.Host == "" {
			c.stop()
			return nil, fmt.Errorf("server %s printed %q, want listening http://HOST:PORT", bin, addr)
		}
		c.url = &url.URL{Scheme: u.Scheme, Host: u.Host}
		return c, nil
	case <-c.done:
		return nil, fmt.Errorf("server %s %s exited (%v) before listening: %s", bin, strings.Join(args, " "), c.err, c.stderr.lastLine())
	case <-timer.C:
		c.stop()
		return nil, fmt.Errorf("server %s did not print its listening line within %s", bin, childStartTimeout)
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// exited reports whether the server process has ended.
func (c *childServer) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop asks the server to shut down (SIGTERM), and kills it if it has not
// exited in time.
func (c *childServer) stop() error {
	select {
	case <-c.done:
		return nil
	default:
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		var ee *exec.ExitError
		if errors.As(c.err, &ee) && ee.ExitCode() != 0 {
			return fmt.Errorf("server exited with %v: %s", c.err, c.stderr.lastLine())
		}
		return nil
	case <-time.After(childStopTimeout):
		c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("server did not stop within %s of SIGTERM; killed", childStopTimeout)
	}
}

// tailBuffer keeps the last max bytes written to it: the child's log, for
// an error message when it fails.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(t.b), []byte("\n"))
	return string(lines[len(lines)-1])
}

// defaultServerBinary is this program, which is `pushlab` itself.
func defaultServerBinary() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the pushlab binary to start as server: %w", err)
	}
	return exe, nil
}
