// Command loadgen measures what one pushlab server spends per connection and
// per delivery, for each push transport in turn, from a separate process (so
// that 10,000 clients and their server stay within one process's 20,000
// open files). For each transport it starts a fresh `pushlab serve --rate 0`
// child with a low GOGC, opens the clients, reads the server's own /metrics
// (heap in use + stacks in use, goroutines) before and after, then switches
// the generator on at 1 Hz and records publish-to-arrival latency and the
// server's CPU per delivered update.
//
// It lives under testdata so that it is no part of the lab's commands; run
// it with `go run ./push/testdata/loadgen -server ./pushlab`.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gorilla/websocket"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Knobs of one run; the flags override them.
var (
	serverBin  = flag.String("server", "./pushlab", "pushlab binary to start as the server")
	transports = flag.String("transports", "floor,ws,sse,long", "transports to measure, each against a fresh server")
	clients    = flag.Int("clients", 10000, "clients per transport")
	gogc       = flag.String("gogc", "10", "GOGC of the server, low so that garbage does not count as memory")
	settle     = flag.Duration("settle", 5*time.Second, "wait after the last client connected before reading memory")
	rate       = flag.Float64("rate", 1, "updates per second while latency is measured")
	payload    = flag.Int("payload", 100, "bytes of tick data")
	warmup     = flag.Duration("warmup", 5*time.Second, "updates before the measured window")
	window     = flag.Duration("window", 20*time.Second, "measured window")
	dialers    = flag.Int("dialers", 64, "connections opened at once")
	together   = flag.Bool("together", false, "run the transports' clients at once on one server (-clients each), so that their latencies come from the same moments; memory and CPU are then not per transport")
)

// dialTimeout bounds one connection's opening.
const dialTimeout = 10 * time.Second

func main() {
	flag.Parse()
	if *together {
		if err := measureTogether(strings.Split(*transports, ",")); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("| transport | clients | memory/conn (heap + stack) | goroutines/conn | wake-all p50 / p99 | p50 | p99 | CPU per 1k deliveries | delivered |\n")
	fmt.Printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, t := range strings.Split(*transports, ",") {
		r, err := measure(t)
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen %s: %v\n", t, err)
			os.Exit(1)
		}
		fmt.Printf("| %s | %d | %.1f KiB (%.1f + %.1f) | %.2f | %.1f / %.1f ms (%d) | %.1f ms | %.1f ms | %.1f ms | %d |\n",
			t, r.clients, r.heap+r.stack, r.heap, r.stack, r.goroutines,
			r.wake50.Seconds()*1e3, r.wake99.Seconds()*1e3, r.woken,
			r.p50.Seconds()*1e3, r.p99.Seconds()*1e3, r.cpuPer1k.Seconds()*1e3, r.delivered)
	}
}

type result struct {
	clients     int
	heap, stack float64 // KiB per connection
	goroutines  float64 // per connection
	p50, p99    time.Duration
	// The first update after the idle connections were measured, reaching
	// every one of them at once (for long polls: every parked poll
	// answered): its arrival percentiles and how many clients got it.
	wake50, wake99 time.Duration
	woken          int64
	cpuPer1k       time.Duration // server CPU per 1,000 deliveries
	delivered      int64
}

// measure runs one transport against its own fresh server.
func measure(transport string) (result, error) {
	res := result{clients: *clients}
	srv, base, err := startServer()
	if err != nil {
		return res, err
	}
	defer srv.stop()

	time.Sleep(time.Second)
	m0, err := lowestMemory(base, 3)
	if err != nil {
		return res, err
	}
	lat := &latencies{h: hdrhistogram.New(1, 60_000_000, 3)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var connected, failed atomic.Int64
	sem := make(chan struct{}, *dialers)
	for i := 0; i < *clients; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			follow(ctx, transport, base, lat, func(ok bool) {
				if ok {
					connected.Add(1)
				} else {
					failed.Add(1)
				}
				<-sem
			})
		}()
	}
	if err := waitOpen(base, transport, int64(*clients), 60*time.Second); err != nil {
		return res, fmt.Errorf("%v (connected %d, failed %d)", err, connected.Load(), failed.Load())
	}
	time.Sleep(*settle)
	m1, err := lowestMemory(base, 5)
	if err != nil {
		return res, err
	}
	n := float64(*clients)
	res.heap = (m1.heap - m0.heap) / n / 1024
	res.stack = (m1.stack - m0.stack) / n / 1024
	res.goroutines = (m1.goroutines - m0.goroutines) / n

	lat.wakeAll(true)
	if err := setRate(base, *rate, *payload); err != nil {
		return res, err
	}
	time.Sleep(*warmup)
	res.wake50, res.wake99, res.woken = lat.wakeAll(false)
	c0, err := scrape(base)
	if err != nil {
		return res, err
	}
	lat.reset(true)
	time.Sleep(*window)
	lat.reset(false)
	c1, err := scrape(base)
	if err != nil {
		return res, err
	}
	res.p50 = lat.quantile(50)
	res.p99 = lat.quantile(99)
	res.delivered = int64(c1.deliveries[transport] - c0.deliveries[transport])
	if res.delivered > 0 {
		res.cpuPer1k = time.Duration((c1.cpu - c0.cpu) / float64(res.delivered) * 1000 * float64(time.Second))
	}
	cancel()
	srv.stop()
	wg.Wait()
	return res, nil
}

// measureTogether runs every transport's clients at once against one
// server and reports each one's latency, in the same window.
func measureTogether(names []string) error {
	srv, base, err := startServer()
	if err != nil {
		return err
	}
	defer srv.stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	lats := map[string]*latencies{}
	sem := make(chan struct{}, *dialers)
	for _, t := range names {
		lat := &latencies{h: hdrhistogram.New(1, 60_000_000, 3)}
		lats[t] = lat
		for i := 0; i < *clients; i++ {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				follow(ctx, t, base, lat, func(bool) { <-sem })
			}()
		}
	}
	for _, t := range names {
		if err := waitOpen(base, t, int64(*clients), 60*time.Second); err != nil {
			return err
		}
	}
	if err := setRate(base, *rate, *payload); err != nil {
		return err
	}
	time.Sleep(*warmup)
	c0, err := scrape(base)
	if err != nil {
		return err
	}
	for _, l := range lats {
		l.reset(true)
	}
	time.Sleep(*window)
	for _, l := range lats {
		l.reset(false)
	}
	c1, err := scrape(base)
	if err != nil {
		return err
	}
	fmt.Printf("| transport | clients | p50 | p99 | delivered |\n|---|--:|--:|--:|--:|\n")
	for _, t := range names {
		fmt.Printf("| %s | %d | %.1f ms | %.1f ms | %d |\n", t, *clients,
			lats[t].quantile(50).Seconds()*1e3, lats[t].quantile(99).Seconds()*1e3,
			int64(c1.deliveries[t]-c0.deliveries[t]))
	}
	cancel()
	srv.stop()
	wg.Wait()
	return nil
}

// server is a child pushlab serve.
type server struct {
	cmd  *exec.Cmd
	once sync.Once
}

func startServer() (*server, string, error) {
	cmd := exec.Command(*serverBin, "serve", "--addr", "127.0.0.1:0", "--rate", "0", "--payload", strconv.Itoa(*payload))
	cmd.Env = append(os.Environ(), "GOGC="+*gogc)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	s := &server{cmd: cmd}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		s.stop()
		return nil, "", fmt.Errorf("server said nothing: %v", err)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	return s, base, nil
}

func (s *server) stop() {
	s.once.Do(func() {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	})
}

// metrics are the server's own figures from /metrics.
type metrics struct {
	heap, stack, goroutines, cpu float64
	deliveries                   map[string]float64
	open                         map[string]float64
}

var ctl = &http.Client{Timeout: 10 * time.Second}

func scrape(base string) (metrics, error) {
	m := metrics{deliveries: map[string]float64{}, open: map[string]float64{}}
	resp, err := ctl.Get(base + "/metrics?client=control")
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return m, err
	}
	one := func(name string) float64 {
		f := fams[name]
		if f == nil || len(f.Metric) == 0 {
			return 0
		}
		mt := f.Metric[0]
		if mt.Gauge != nil {
			return mt.Gauge.GetValue()
		}
		return mt.Counter.GetValue()
	}
	byTransport := func(name string, into map[string]float64) {
		f := fams[name]
		if f == nil {
			return
		}
		for _, mt := range f.Metric {
			for _, l := range mt.Label {
				if l.GetName() == "transport" {
					if mt.Gauge != nil {
						into[l.GetValue()] = mt.Gauge.GetValue()
					} else {
						into[l.GetValue()] = mt.Counter.GetValue()
					}
				}
			}
		}
	}
	m.heap = one("go_memstats_heap_inuse_bytes")
	m.stack = one("go_memstats_stack_inuse_bytes")
	m.goroutines = one("go_goroutines")
	m.cpu = one("process_cpu_seconds_total")
	byTransport("pushlab_deliveries_total", m.deliveries)
	byTransport("pushlab_open_requests", m.open)
	return m, nil
}

// lowestMemory reads /metrics n times, a second apart, and keeps the
// lowest heap + stack: the reading least inflated by garbage not yet
// collected.
func lowestMemory(base string, n int) (metrics, error) {
	var best metrics
	for i := 0; i < n; i++ {
		m, err := scrape(base)
		if err != nil {
			return best, err
		}
		if i == 0 || m.heap+m.stack < best.heap+best.stack {
			best = m
		}
		time.Sleep(time.Second)
	}
	return best, nil
}

func waitOpen(base, transport string, want int64, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		m, err := scrape(base)
		if err == nil && int64(m.open[transport]) >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d %s connections open after %v", int64(m.open[transport]), want, transport, within)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func setRate(base string, rate float64, payload int) error {
	body := fmt.Sprintf(`{"rate":%g,"payload":%d}`, rate, payload)
	resp, err := ctl.Post(base+"/api/config?client=control", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /api/config: %s", resp.Status)
	}
	return nil
}

// latencies gathers publish-to-arrival times of every client.
type latencies struct {
	mu        sync.Mutex
	h         *hdrhistogram.Histogram
	recording bool

	// While waking, the first update that arrives (by its publish time)
	// is recorded in wake, every client's arrival of it.
	waking bool
	wakeT  int64
	wake   *hdrhistogram.Histogram
}

func (l *latencies) record(t int64) {
	if t == 0 {
		return
	}
	us := (time.Now().UnixNano() - t) / 1000
	l.mu.Lock()
	if l.recording {
		l.h.RecordValue(max(us, 1))
	}
	if l.waking {
		if l.wakeT == 0 {
			l.wakeT = t
		}
		if t == l.wakeT {
			l.wake.RecordValue(max(us, 1))
		}
	}
	l.mu.Unlock()
}

// wakeAll starts recording the first update's arrivals, or stops and
// returns their p50, p99 and count.
func (l *latencies) wakeAll(start bool) (p50, p99 time.Duration, n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waking = start
	if start {
		l.wake, l.wakeT = hdrhistogram.New(1, 60_000_000, 3), 0
		return 0, 0, 0
	}
	us := func(q float64) time.Duration { return time.Duration(l.wake.ValueAtQuantile(q)) * time.Microsecond }
	return us(50), us(99), l.wake.TotalCount()
}

func (l *latencies) reset(recording bool) {
	l.mu.Lock()
	if recording {
		l.h.Reset()
	}
	l.recording = recording
	l.mu.Unlock()
}

func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.h.ValueAtQuantile(q)) * time.Microsecond
}

// publishTime reads "t" from the front of an update, {"v":N,"t":N,...}.
func publishTime(b []byte) int64 {
	i := bytes.Index(b, []byte(`"t":`))
	if i < 0 {
		return 0
	}
	b = b[i+4:]
	var t int64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		t = t*10 + int64(c-'0')
	}
	return t
}

// follow runs one client until ctx ends; opened reports whether it got in.
func follow(ctx context.Context, transport, base string, lat *latencies, opened func(bool)) {
	host := strings.TrimPrefix(base, "http://")
	var err error
	switch transport {
	case "ws":
		err = followWS(ctx, host, lat, opened)
	case "sse":
		err = followStream(ctx, host, "/sse?since=0", lat, opened, sseData)
	case "floor":
		err = followStream(ctx, host, "/floor?since=0", lat, opened, floorLine)
	case "long":
		err = followLong(ctx, base, lat, opened)
	default:
		err = errors.New("unknown transport")
		opened(false)
	}
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "loadgen: %s client: %v\n", transport, err)
	}
}

func followWS(ctx context.Context, host string, lat *latencies, opened func(bool)) error {
	d := websocket.Dialer{HandshakeTimeout: dialTimeout, ReadBufferSize: 1024, WriteBufferSize: 256}
	c, _, err := d.DialContext(ctx, "ws://"+host+"/ws?since=0", nil)
	opened(err == nil)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	var msg bytes.Buffer // reused, as a careful client would
	for {
		_, r, err := c.NextReader()
		if err != nil {
			return err
		}
		msg.Reset()
		if _, err := msg.ReadFrom(r); err != nil {
			return err
		}
		lat.record(publishTime(msg.Bytes()))
	}
}

// followStream opens a raw HTTP/1.1 stream and hands each line to onLine.
func followStream(ctx context.Context, host, target string, lat *latencies, opened func(bool), onLine func([]byte, *latencies)) error {
	c, err := (&net.Dialer{Timeout: dialTimeout}).DialContext(ctx, "tcp", host)
	if err != nil {
		opened(false)
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\nAccept: */*\r\n\r\n"); err != nil {
		opened(false)
		return err
	}
	r := bufio.NewReaderSize(c, 1024)
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		opened(false)
		return fmt.Errorf("status %q: %v", status, err)
	}
	opened(true)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		onLine(line, lat)
	}
}

// sseData records the update in a "data: " line (chunk sizes and the
// headers are lines too, and are skipped).
func sseData(line []byte, lat *latencies) {
	if bytes.HasPrefix(line, []byte("data: ")) {
		lat.record(publishTime(line))
	}
}

func floorLine(line []byte, lat *latencies) {
	if bytes.HasPrefix(line, []byte(`{"v":`)) {
		lat.record(publishTime(line))
	}
}

// longPollers share one transport; each poll holds its own connection.
var longTransport = &http.Transport{MaxIdleConnsPerHost: 20000, DisableCompression: true, IdleConnTimeout: time.Minute}

func followLong(ctx context.Context, base string, lat *latencies, opened func(bool)) error {
	hc := &http.Client{Transport: longTransport, Timeout: 90 * time.Second}
	since := uint64(0)
	first := true
	var body struct {
		V       uint64 `json:"v"`
		Updates []struct {
			T int64 `json:"t"`
		} `json:"updates"`
	}
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/poll?wait=60s&since="+strconv.FormatUint(since, 10), nil)
		if first {
			first = false
			// Count the poll as open once its request is written.
			go func() {
				time.Sleep(50 * time.Millisecond)
				opened(true)
			}()
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusOK {
			body.Updates = body.Updates[:0]
			if err := json.Unmarshal(b, &body); err != nil {
				return err
			}
			for _, u := range body.Updates {
				lat.record(u.T)
			}
			since = body.V
		}
	}
	return nil
}
