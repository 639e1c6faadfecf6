package push_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// fanoutChildEnv, when set in the environment, makes this test binary the
// clients of a fan-out benchmark rather than a test run: "transport n addr
// since". 10,000 clients and their server do not fit in one process's
// 20,000 open files, so the server stays in the benchmark's process and
// its clients run in this child.
const fanoutChildEnv = "PUSHLAB_FANOUT_CLIENTS"

func TestMain(m *testing.M) {
	if spec := os.Getenv(fanoutChildEnv); spec != "" {
		if err := runFanoutClients(spec, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "fanout clients:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// BenchmarkFanout measures one update reaching every subscriber of each
// transport through the whole server (send policy, framing, wire
// accounting, the shared writers), at 1,000 and 10,000 subscribers, the
// floor first so that the others read against it:
//
//   - ns/delivery: the time from publish until the last subscriber holds
//     the update, over the number of subscribers;
//   - B/conn: the server's heap and stacks in use per idle subscriber,
//     after a GC.
//
// Long polls count one delivery per answered poll, each client polling
// again as soon as it is answered.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, tr := range []string{transport.Floor, transport.WS, transport.SSE, transport.Long} {
			b.Run(fmt.Sprintf("%s/%dk", tr, n/1000), func(b *testing.B) { benchFanout(b, tr, n) })
		}
	}
}

func benchFanout(b *testing.B, tr string, n int) {
	lab := servertest.Start(b, server.Config{Payload: 100})
	lab.Generator().Tick()
	before := memInUse()

	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %s %d", fanoutChildEnv, tr, n, lab.Addr, lab.Store.Latest()))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close() // the child's signal to stop
		cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	expect := func(want string) {
		b.Helper()
		if !lines.Scan() || lines.Text() != want {
			b.Fatalf("clients said %q (%v), want %q", lines.Text(), lines.Err(), want)
		}
	}
	expect("ready")
	deadline := time.Now().Add(time.Minute)
	for lab.Stats().Snapshot(false).Transports[tr].Open < int64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d %s clients open", lab.Stats().Snapshot(false).Transports[tr].Open, n, tr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	perConn := float64(memInUse()-before) / float64(n)

	b.ResetTimer()
	k := 0
	for b.Loop() {
		k++
		lab.Generator().Tick()
		expect("got " + strconv.Itoa(k))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(k*n), "ns/delivery")
	b.ReportMetric(perConn, "B/conn")
}

// memInUse is the heap and stacks in use, after collecting the garbage.
func memInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// runFanoutClients is the child: it opens the clients, says "ready", then
// "got K" each time every client holds the K-th update published after it
// said ready, until stdin closes.
func runFanoutClients(spec string, stdin io.Reader, stdout io.Writer) error {
	var tr, addr string
	var n int
	var since uint64
	if _, err := fmt.Sscan(spec, &tr, &n, &addr, &since); err != nil {
		return fmt.Errorf("%q: %v", spec, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out sync.Mutex
	var got atomic.Int64
	onUpdate := func(updates int) {
		for range updates {
			if c := got.Add(1); c%int64(n) == 0 {
				out.Lock()
				fmt.Fprintf(stdout, "got %d\n", c/int64(n))
				out.Unlock()
			}
		}
	}
	var opened sync.WaitGroup
	var failed atomic.Value
	sem := make(chan struct{}, 64)
	opened.Add(n)
	for range n {
		sem <- struct{}{}
		go func() {
			err := fanoutClient(ctx, tr, addr, since, func() { opened.Done(); <-sem }, onUpdate)
			if err != nil && ctx.Err() == nil {
				failed.Store(err)
			}
		}()
	}
	opened.Wait()
	if err, ok := failed.Load().(error); ok {
		return err
	}
	out.Lock()
	fmt.Fprintln(stdout, "ready")
	out.Unlock()
	io.Copy(io.Discard, stdin)
	return nil
}

// pollers share one transport; each poll keeps its own connection.
var pollers = &http.Transport{MaxIdleConnsPerHost: 20000, DisableCompression: true}

// fanoutClient follows one stream (or polls) until ctx ends, calling opened
// once it is open and onUpdate with the number of updates each read brought.
func fanoutClient(ctx context.Context, tr, addr string, since uint64, opened func(), onUpdate func(int)) error {
	path := fmt.Sprintf("/%s?since=%d", tr, since)
	once := sync.OnceFunc(opened)
	defer once()
	switch tr {
	case transport.WS:
		d := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256}
		c, _, err := d.DialContext(ctx, "ws://"+addr+path, nil)
		if err != nil {
			return err
		}
		defer context.AfterFunc(ctx, func() { c.Close() })()
		once()
		var msg bytes.Buffer
		for {
			_, r, err := c.NextReader()
			if err != nil {
				return err
			}
			msg.Reset()
			if _, err := msg.ReadFrom(r); err != nil {
				return err
			}
			onUpdate(1)
		}
	case transport.Long:
		hc := &http.Client{Transport: pollers}
		// Open once its first request is out (the parent then waits for the
		// server to count every poll held).
		time.AfterFunc(50*time.Millisecond, once)
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
				fmt.Sprintf("http://%s/api/poll?since=%d&wait=60s", addr, since), nil)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode == http.StatusOK {
				since = number(body, `"v":`)
				onUpdate(bytes.Count(body, []byte(`"kind":`)))
			}
		}
		return nil
	}
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer context.AfterFunc(ctx, func() { c.Close() })()
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		return err
	}
	once()
	r := bufio.NewReaderSize(c, 1024)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if bytes.HasPrefix(line, []byte(`{"v":`)) || bytes.HasPrefix(line, []byte(`data: {"v":`)) {
			onUpdate(1)
		}
	}
}
