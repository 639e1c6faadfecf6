// Package target is the server under test as the bench's control client
// sees it: whether it answers, the rate and payload it runs at, its
// counters (/api/stats), what it says of its own process (/metrics, read
// with expfmt) and the updates it retains. The control client is not a
// simulated client: its requests are named ?client=control where they
// would otherwise count under a transport.
package target

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/client"
	"github.com/pushlab/pushlab/transport"
)

// Control-client timing.
const (
	requestTimeout = 10 * time.Second // any one control request
	checkTimeout   = 5 * time.Second  // the first /healthz, before any client is sent
)

// Server is a server under test, at URL.
type Server struct {
	URL  *url.URL
	http *http.Client
}

// New returns the server at base, with a control client of its own.
func New(base *url.URL) *Server { return NewTrusting(base, nil) }

// NewTrusting is New for an https:// server whose certificate trust
// (its RootCAs) verifies; nil trusts the system's roots.
func NewTrusting(base *url.URL, trust *tls.Config) *Server {
	t := &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true}
	if trust != nil {
		t.TLSClientConfig = trust.Clone()
	}
	return &Server{URL: base, http: &http.Client{Timeout: requestTimeout, Transport: t}}
}

// Close lets go of the control client's connections.
func (s *Server) Close() { s.http.CloseIdleConnections() }

// Check makes sure a pushlab server answers before clients are sent; its
// errors are the user's to fix (*bench.InputError).
func (s *Server) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	resp, err := s.get(ctx, "/healthz")
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // one line, without "Get \"...\":"
		}
		return bench.InputErrorf("target %s unreachable: %v", s.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// A pushlab server says why in JSON (503: its broker is away).
		var e struct{ Error string }
		if json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&e) == nil && e.Error != "" {
			return bench.InputErrorf("target %s: /healthz answered %s: %s", s.URL, resp.Status, e.Error)
		}
		return bench.InputErrorf("target %s: /healthz answered %s; is it a pushlab server?", s.URL, resp.Status)
	}
	return nil
}

// Config is the generator's rate and payload the server runs at (GET
// /api/config); ok is false for a server that does not say.
func (s *Server) Config(ctx context.Context) (rate float64, payload int, ok bool) {
	var cfg struct {
		Rate    *float64 `json:"rate"`
		Payload *int     `json:"payload"`
	}
	if err := s.getJSON(ctx, "/api/config", &cfg); err != nil || cfg.Rate == nil || cfg.Payload == nil {
		return 0, 0, false
	}
	return *cfg.Rate, *cfg.Payload, true
}

// Stats is the part of /api/stats the harness reads.
type Stats struct {
	Version    uint64                    `json:"version"`
	Transports map[string]TransportStats `json:"transports"`
	Broker     *BrokerStats              `json:"broker"` // nil: the server keeps its state in memory
}

// BrokerStats is how a server started with --broker stands with it.
type BrokerStats struct {
	URL       string `json:"url"` // as the server reports it, without user information
	Connected bool   `json:"connected"`
	Stream    string `json:"stream"`
}

// TransportStats are the server's byte counts for one transport, measured
// on its own sockets: bytes_in is what clients wrote, bytes_out what they
// read.
type TransportStats struct {
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
}

// Stats reads /api/stats.
func (s *Server) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.getJSON(ctx, "/api/stats", &st)
	return st, err
}

// get makes a control request for path (and query) on the server.
func (s *Server) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL.String()+path, nil)
	if err != nil {
		return nil, err
	}
	return s.http.Do(req)
}

func (s *Server) getJSON(ctx context.Context, path string, v any) error {
	resp, err := s.get(ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// UpdatesAfter returns the retained updates after version v (snapshots
// left out), to learn the publish time and kind of versions that no client
// received itself.
func (s *Server) UpdatesAfter(ctx context.Context, v uint64) ([]client.Update, error) {
	q := url.Values{"client": {transport.ControlClient}, "since": {strconv.FormatUint(v, 10)}}
	resp, err := s.get(ctx, "/api/poll?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("poll: %s", resp.Status)
	}
	var pb client.PollBody
	if err := json.NewDecoder(resp.Body).Decode(&pb); err != nil {
		return nil, err
	}
	var ups []client.Update
	for _, raw := range pb.Updates {
		if u, err := client.ParseUpdate(raw); err == nil && !u.Reset {
			ups = append(ups, u)
		}
	}
	return ups, nil
}

// Metrics is what the server says of its own process in /metrics: how a
// --target server, whose /proc is not ours, is measured.
type Metrics struct {
	Heap int64   // go_memstats_heap_inuse_bytes
	CPU  float64 // process_cpu_seconds_total (10 ms resolution)
	RSS  int64   // process_resident_memory_bytes, now rather than peak
	OK   bool    // the process figures were there
}

// Metrics reads /metrics; a server without them gives the zero Metrics.
func (s *Server) Metrics(ctx context.Context) Metrics {
	var m Metrics
	resp, err := s.get(ctx, "/metrics")
	if err != nil {
		return m
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return m
	}
	value := func(name string) (float64, bool) {
		f, ok := families[name]
		if !ok || len(f.GetMetric()) == 0 {
			return 0, false
		}
		mt := f.GetMetric()[0]
		switch {
		case mt.GetGauge() != nil:
			return mt.GetGauge().GetValue(), true
		case mt.GetCounter() != nil:
			return mt.GetCounter().GetValue(), true
		}
		return 0, false
	}
	heap, _ := value("go_memstats_heap_inuse_bytes")
	cpu, cpuOK := value("process_cpu_seconds_total")
	rss, rssOK := value("process_resident_memory_bytes")
	return Metrics{Heap: int64(heap), CPU: cpu, RSS: int64(rss), OK: cpuOK && rssOK}
}

// IsLoopback reports whether host (of a URL) is this machine, where the
// server's clock is the harness's clock.
func IsLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ClockNote is said when latency compares two machines' clocks.
const ClockNote = "target is not this machine: latency compares the server's publish clock with this machine's, so it is only as good as their synchronisation (NTP/PTP)"
