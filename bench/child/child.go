// Package child starts `pushlab serve` as a child process of the bench, on
// a free loopback port, so that the server's CPU and memory are its own and
// can be read from /proc, and stops it again.
package child

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

	"github.com/pushlab/pushlab/bench"
)

// Child server timing.
const (
	childStartTimeout = 15 * time.Second // from exec to its "listening" line
	childStopTimeout  = 7 * time.Second  // SIGTERM to exit (the server drains in <= 5 s)
)

// Config is how the child server is started: its `pushlab serve` flags.
type Config struct {
	Rate    float64 // --rate, generator ticks per second
	Payload int     // --payload, bytes per tick
	Retain  int     // --retain, updates kept for catching up
	// CertFile and KeyFile: --cert and --key, to serve TLS with a
	// certificate the bench's clients trust; empty serves plain HTTP.
	CertFile, KeyFile string
	Compress          bool   // --compress
	Broker            string // --broker, NATS URL(s) shared with other instances; empty: in memory
}

func (c Config) args() []string {
	args := []string{"serve", "--addr", "127.0.0.1:0",
		"--rate", strconv.FormatFloat(c.Rate, 'f', -1, 64),
		"--payload", strconv.Itoa(c.Payload),
		"--retain", strconv.Itoa(c.Retain)}
	if c.CertFile != "" {
		args = append(args, "--cert", c.CertFile, "--key", c.KeyFile)
	}
	if c.Compress {
		args = append(args, "--compress")
	}
	if c.Broker != "" {
		args = append(args, "--broker", c.Broker)
	}
	return args
}

// Server is `pushlab serve` started as a child process.
type Server struct {
	URL *url.URL // where it listens, http://127.0.0.1:PORT
	PID int

	cmd    *exec.Cmd
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit status, once done
}

// Start runs bin serve on a free loopback port as cfg says, and waits for
// the one line it prints when listening (https:// under TLS).
func Start(ctx context.Context, bin string, cfg Config) (*Server, error) {
	args := cfg.args()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &Server{cmd: cmd, stderr: &tailBuffer{max: 4 << 10}, done: make(chan struct{})}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server %s: %w", bin, err)
	}
	c.PID = cmd.Process.Pid
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
			c.Stop()
			return nil, fmt.Errorf("server %s printed %q, want listening http(s)://HOST:PORT", bin, addr)
		}
		c.URL = &url.URL{Scheme: u.Scheme, Host: u.Host}
		return c, nil
	case <-c.done:
		var ee *exec.ExitError
		if errors.As(c.err, &ee) && ee.ExitCode() == 2 {
			// serve's status for what it was given (a broker it cannot
			// use, say): its one line is the user's to read.
			return nil, bench.InputErrorf("%s", c.stderr.lastLine())
		}
		return nil, fmt.Errorf("server %s %s exited (%v) before listening: %s", bin, strings.Join(args, " "), c.err, c.stderr.lastLine())
	case <-timer.C:
		c.Stop()
		return nil, fmt.Errorf("server %s did not print its listening line within %s", bin, childStartTimeout)
	case <-ctx.Done():
		c.Stop()
		return nil, ctx.Err()
	}
}

// Exited reports whether the server process has ended.
func (c *Server) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Stop asks the server to shut down (SIGTERM), and kills it if it has not
// exited in time.
func (c *Server) Stop() error {
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

// Exit says how an exited server ended: its exit status and the last line
// it logged.
func (c *Server) Exit() string {
	return fmt.Sprintf("%v; its last log line: %s", c.err, c.stderr.lastLine())
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

// DefaultBinary is this program, which is `pushlab` itself.
func DefaultBinary() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the pushlab binary to start as server: %w", err)
	}
	return exe, nil
}
