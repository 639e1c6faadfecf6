package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pushlab/pushlab/transport"
)

// serverStats is the part of /api/stats the harness reads.
type serverStats struct {
	Version    uint64                    `json:"version"`
	Transports map[string]transportStats `json:"transports"`
}

// transportStats are the server's counters for one transport, measured on
// its own sockets: bytes_in is what clients wrote, bytes_out what they read.
type transportStats struct {
	Requests   int64 `json:"requests"`
	Empty      int64 `json:"empty"`
	Deliveries int64 `json:"deliveries"`
	Open       int64 `json:"open"`
	BytesIn    int64 `json:"bytes_in"`
	BytesOut   int64 `json:"bytes_out"`
}

func getJSON(ctx context.Context, ctl *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := ctl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func fetchStats(ctx context.Context, ctl *http.Client, base *url.URL) (serverStats, error) {
	var s serverStats
	err := getJSON(ctx, ctl, base.String()+"/api/stats", &s)
	return s, err
}

// fetchUpdates returns the retained updates after v, to learn the publish
// time and kind of versions that no client received itself.
func fetchUpdates(ctx context.Context, ctl *http.Client, base *url.URL, v uint64) ([]update, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/api/poll?client="+transport.ControlClient+"&since="+strconv.FormatUint(v, 10), nil)
	if err != nil {
		return nil, err
	}
	resp, err := ctl.Do(req)
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
	var pb pollBody
	if err := json.NewDecoder(resp.Body).Decode(&pb); err != nil {
		return nil, err
	}
	var ups []update
	for _, raw := range pb.Updates {
		if u, err := parseUpdate(raw); err == nil && !u.Reset {
			ups = append(ups, u)
		}
	}
	return ups, nil
}

// serverMetrics is what the server says of its own process in /metrics:
// how a --target server, whose /proc is not ours, is measured.
type serverMetrics struct {
	heap int64   // go_memstats_heap_inuse_bytes
	cpu  float64 // process_cpu_seconds_total
	rss  int64   // process_resident_memory_bytes
	ok   bool    // the process figures were there
}

func fetchMetrics(ctx context.Context, ctl *http.Client, base *url.URL) serverMetrics {
	var m serverMetrics
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/metrics", nil)
	if err != nil {
		return m
	}
	resp, err := ctl.Do(req)
	if err != nil {
		return m
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	seen := 0
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			m.heap = int64(f)
		case "process_cpu_seconds_total":
			m.cpu, seen = f, seen+1
		case "process_resident_memory_bytes":
			m.rss, seen = int64(f), seen+1
		}
	}
	m.ok = seen == 2
	return m
}
