package web_test

// docs/exercises.md sends students to run commands. This test runs each of
// them, shortened (two clients, half-second windows, the first and last of
// a sweep's values and of the transports), so that the text stays true: the
// flags exist, the run works, and what the exercise asks students to look
// at is there.

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const (
	exercisesDoc = "../docs/exercises.md"
	answersDoc   = "../docs/exercises-answers.md"
	// commandBudget bounds one shortened command.
	commandBudget = 90 * time.Second
	// parallelRuns is how many exercises run at once.
	parallelRuns = 3
)

// exercise is one "## N. Title" section: its check name (from a
// "<!-- check:NAME -->" comment) and its commands (lines of ```sh blocks
// that start with "pushlab ").
type exercise struct {
	n        string
	title    string
	check    string
	commands []string
}

func readExercises(t *testing.T) []exercise {
	t.Helper()
	b, err := os.ReadFile(exercisesDoc)
	if err != nil {
		t.Fatal(err)
	}
	head := regexp.MustCompile(`(?m)^## (\d+)\. (.+)$`)
	check := regexp.MustCompile(`<!-- check:([a-z-]+) -->`)
	code := regexp.MustCompile("(?s)```sh\n(.*?)```")
	doc := string(b)
	idx := head.FindAllStringSubmatchIndex(doc, -1)
	var out []exercise
	for i, m := range idx {
		end := len(doc)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		body := doc[m[1]:end]
		ex := exercise{n: doc[m[2]:m[3]], title: doc[m[4]:m[5]]}
		if c := check.FindStringSubmatch(body); c != nil {
			ex.check = c[1]
		}
		for _, block := range code.FindAllStringSubmatch(body, -1) {
			for _, line := range strings.Split(block[1], "\n") {
				if strings.HasPrefix(line, "pushlab ") {
					ex.commands = append(ex.commands, line)
				}
			}
		}
		out = append(out, ex)
	}
	return out
}

// exResults is what the checks read of results.json (DESIGN.md's schema).
type exResults struct {
	Points []struct {
		Sweep      map[string]any `json:"sweep"`
		Transports []exTransport  `json:"transports"`
	} `json:"points"`
}

type exTransport struct {
	Transport      string  `json:"transport"`
	Requests       int64   `json:"requests"`
	Empty          int64   `json:"empty"`
	Delivered      int64   `json:"delivered"`
	Coalesced      int64   `json:"coalesced"`
	Missed         int64   `json:"missed"`
	BytesPerUpdate float64 `json:"bytes_per_update"`
	FrameOverhead  float64 `json:"frame_overhead_bytes"`
	Latency        struct {
		P50 float64 `json:"p50"`
	} `json:"latency_us"`
}

// tr is one transport's row at one sweep point (-1: the last).
func (r exResults) tr(t *testing.T, point int, name string) exTransport {
	t.Helper()
	if point < 0 {
		point += len(r.Points)
	}
	if point < 0 || point >= len(r.Points) {
		t.Fatalf("no sweep point %d in %d", point, len(r.Points))
	}
	for _, x := range r.Points[point].Transports {
		if x.Transport == name {
			return x
		}
	}
	t.Fatalf("no %s row at point %d", name, point)
	return exTransport{}
}

// rows are the rows at a point of the transports named that the run has.
func (r exResults) rows(point int, names ...string) []exTransport {
	var out []exTransport
	for _, x := range r.Points[point].Transports {
		for _, n := range names {
			if x.Transport == n {
				out = append(out, x)
			}
		}
	}
	return out
}

// benchChecks: what each exercise asks students to look at, checked in the
// shortened run's results. Only relations that hold on any machine.
var benchChecks = map[string]func(t *testing.T, r exResults){
	// A shorter interval brings short polling's latency down and its
	// requests up.
	"interval-cost": func(t *testing.T, r exResults) {
		slow, fast := r.tr(t, 0, "short"), r.tr(t, -1, "short")
		if fast.Latency.P50 >= slow.Latency.P50 || fast.Requests <= slow.Requests {
			t.Errorf("short polling, longest vs shortest interval: p50 %v → %v µs, requests %d → %d",
				slow.Latency.P50, fast.Latency.P50, slow.Requests, fast.Requests)
		}
	},
	// More updates per poll share its HTTP head: bytes per update fall.
	"rate-bytes": func(t *testing.T, r exResults) {
		low, high := r.tr(t, 0, "short"), r.tr(t, -1, "short")
		if high.BytesPerUpdate >= low.BytesPerUpdate {
			t.Errorf("short polling bytes per update at the lowest and highest rate: %.0f, %.0f", low.BytesPerUpdate, high.BytesPerUpdate)
		}
	},
	// A push crosses half the round trip; a poll at least that.
	"rtt": func(t *testing.T, r exResults) {
		for _, push := range r.rows(0, "ws", "sse") {
			if push.Latency.P50 < 500_000 {
				t.Errorf("at 1 s round trip: %s p50 %v µs, under half of it", push.Transport, push.Latency.P50)
			}
			for _, poll := range r.rows(0, "short", "long") {
				if poll.Latency.P50 < push.Latency.P50 {
					t.Errorf("at 1 s round trip: %s p50 %v µs below %s's %v µs", poll.Transport, poll.Latency.P50, push.Transport, push.Latency.P50)
				}
			}
		}
	},
	// A tick (over 125 bytes even with a small payload) has a 4-byte
	// header; one over 64 KiB a 10-byte header. SSE's framing is larger.
	"frame-header": func(t *testing.T, r exResults) {
		small, big := r.tr(t, 0, "ws"), r.tr(t, -1, "ws")
		if small.FrameOverhead < 3.5 || small.FrameOverhead > 4.5 || big.FrameOverhead < 9.5 || big.FrameOverhead > 10.5 {
			t.Errorf("ws frame overhead per update: %.2f for the small payload (want 4), %.2f for the large (want 10)",
				small.FrameOverhead, big.FrameOverhead)
		}
		if sse := r.tr(t, 0, "sse"); sse.FrameOverhead <= small.FrameOverhead {
			t.Errorf("sse framing %.2f bytes per update, not more than ws's %.2f", sse.FrameOverhead, small.FrameOverhead)
		}
	},
	// With nothing new, short polling still asks; the push transports send
	// no request at all in the window.
	"idle": func(t *testing.T, r exResults) {
		short := r.tr(t, 0, "short")
		if short.Requests == 0 || short.Empty == 0 {
			t.Errorf("idle: short polling made %d requests, %d empty", short.Requests, short.Empty)
		}
		for _, push := range r.rows(0, "ws", "sse") {
			if push.Requests != 0 {
				t.Errorf("idle: %s made %d requests in the window", push.Transport, push.Requests)
			}
		}
	},
	// Long polling makes about one request per update.
	"burst": func(t *testing.T, r exResults) {
		low, high := r.tr(t, 0, "long"), r.tr(t, -1, "long")
		if high.Requests < low.Requests+10 {
			t.Errorf("long polling requests at the lowest and highest rate: %d, %d", low.Requests, high.Requests)
		}
	},
	// On a slow link bytes take time: a long poll's answer carries an HTTP
	// head besides the update, so it arrives later than a frame.
	"bandwidth": func(t *testing.T, r exResults) {
		long := r.tr(t, 0, "long")
		for _, push := range r.rows(0, "ws", "sse") {
			if long.Latency.P50 <= push.Latency.P50 || long.BytesPerUpdate <= push.BytesPerUpdate {
				t.Errorf("at 64 kbit/s: long p50 %v µs, %.0f B/update; %s p50 %v µs, %.0f B/update",
					long.Latency.P50, long.BytesPerUpdate, push.Transport, push.Latency.P50, push.BytesPerUpdate)
			}
		}
	},
}

// serveChecks: exercises that start a server and look at it.
var serveChecks = map[string]func(t *testing.T, addr string, server *os.Process){
	// Ctrl-C (SIGINT) stops the server gracefully: every WebSocket gets a
	// close frame with 1001 before the connection ends.
	"close-codes": func(t *testing.T, addr string, server *os.Process) {
		c, _, err := (&websocket.Dialer{HandshakeTimeout: 5 * time.Second}).Dial("ws://"+addr+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := c.ReadMessage(); err != nil {
			t.Fatalf("the first update: %v", err)
		}
		server.Signal(os.Interrupt)
		for {
			_, _, err := c.ReadMessage()
			if ce, ok := err.(*websocket.CloseError); ok {
				if ce.Code != 1001 {
					t.Errorf("after Ctrl-C the WebSocket closed with %d, want 1001", ce.Code)
				}
				return
			}
			if err != nil {
				t.Fatalf("after Ctrl-C: %v, want a close frame with 1001", err)
			}
		}
	},
}

func TestExercisesRunAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the bench: not in -short")
	}
	exs := readExercises(t)
	if len(exs) < 6 {
		t.Fatalf("%s has %d exercises, want at least 6", exercisesDoc, len(exs))
	}
	answers, err := os.ReadFile(answersDoc)
	if err != nil {
		t.Fatal(err)
	}
	bin := buildPushlab(t)
	// The runs wait on timers far more than they compute: a few at a time
	// keep the whole test short without crowding the machine.
	slots := make(chan struct{}, parallelRuns)
	for _, ex := range exs {
		t.Run(ex.n+" "+ex.title, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			if !strings.Contains(string(answers), "\n## "+ex.n+". ") {
				t.Errorf("no answer to exercise %s in %s", ex.n, answersDoc)
			}
			if len(ex.commands) == 0 {
				t.Fatal("no command to run (a ```sh block with a line starting \"pushlab \")")
			}
			_, isBench := benchChecks[ex.check]
			_, isServe := serveChecks[ex.check]
			if !isBench && !isServe {
				t.Fatalf("check %q unknown to this test", ex.check)
			}
			for _, cmd := range ex.commands {
				args := strings.Fields(cmd)[1:]
				switch args[0] {
				case "bench":
					r := runShortBench(t, bin, args[1:])
					if isBench {
						benchChecks[ex.check](t, r)
					}
				case "serve":
					addr, proc := startServe(t, bin, args[1:])
					if isServe {
						serveChecks[ex.check](t, addr, proc)
					}
				default:
					t.Fatalf("%q: the exercises use pushlab bench and pushlab serve", cmd)
				}
			}
		})
	}
}

// buildPushlab builds the binary the exercises call pushlab.
func buildPushlab(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "pushlab")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/pushlab/pushlab/cmd/pushlab")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// shorten keeps the command's meaning and cuts its cost: two clients, a
// half-second window (a second under an added round trip), a sweep's
// first and last values.
func shorten(t *testing.T, args []string, out string) []string {
	t.Helper()
	var names []string
	vals := map[string]string{}
	for i := 0; i < len(args); i += 2 {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok || i+1 >= len(args) || strings.Contains(name, "=") {
			t.Fatalf("write flags as --name value: %q", strings.Join(args, " "))
		}
		if _, seen := vals[name]; !seen {
			names = append(names, name)
		}
		vals[name] = args[i+1]
	}
	set := func(name, v string) {
		if _, seen := vals[name]; !seen {
			names = append(names, name)
		}
		vals[name] = v
	}
	set("clients", "2")
	set("duration", "500ms")
	if vals["rtt"] != "" {
		set("duration", "1s")
	}
	set("warmup", "200ms")
	set("ramp-up", "0s")
	set("out", out)
	ends := func(list string) string {
		v := strings.Split(list, ",")
		if len(v) > 2 {
			v = []string{v[0], v[len(v)-1]}
		}
		return strings.Join(v, ",")
	}
	if sw := vals["sweep"]; sw != "" {
		name, list, _ := strings.Cut(sw, "=")
		vals["sweep"] = name + "=" + ends(list)
	}
	if tr := vals["transports"]; tr != "" {
		vals["transports"] = ends(tr)
	}
	var short []string
	for _, n := range names {
		short = append(short, "--"+n, vals[n])
	}
	return short
}

func runShortBench(t *testing.T, bin string, args []string) exResults {
	t.Helper()
	out := t.TempDir()
	args = shorten(t, args, out)
	ctx, cancel := context.WithTimeout(context.Background(), commandBudget)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, append([]string{"bench"}, args...)...)
	cmd.Dir = out
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pushlab bench %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	t.Logf("pushlab bench %s: %v", strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
	var r exResults
	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err == nil {
		err = json.Unmarshal(raw, &r)
	}
	if err != nil || len(r.Points) == 0 {
		t.Fatalf("results.json: %v (%d points)", err, len(r.Points))
	}
	return r
}

// startServe runs pushlab serve with the exercise's flags on a free port
// until the test ends, and returns its address and process.
func startServe(t *testing.T, bin string, args []string) (string, *os.Process) {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"serve"}, args...), "--addr", "127.0.0.1:0")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "listening http://"); ok {
				found <- rest
			}
		}
	}()
	select {
	case addr := <-found:
		return addr, cmd.Process
	case <-time.After(15 * time.Second):
		t.Fatalf("pushlab serve %s printed no listening line", strings.Join(args, " "))
	}
	return "", nil
}
