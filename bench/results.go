package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/pushlab/pushlab/transport"
)

// Results is what one bench run produced: the scenario that was run, the
// machine it ran on and one Point per sweep value. It is written as
// results.json and read back by the charts and the report, so a chart can be
// redrawn without running the bench again. docs/bench.md says what each
// field means.
type Results struct {
	Scenario    Scenario    `json:"scenario"`
	Environment Environment `json:"environment"`
	Points      []Point     `json:"points"`
}

// Environment says where the numbers were measured.
type Environment struct {
	Go        string `json:"go"`
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	OS        string `json:"os"`
	Host      string `json:"host,omitempty"`
	Started   string `json:"started"`              // RFC 3339
	Target    string `json:"target"`               // URL of the server under test (several: comma-separated)
	Instances int    `json:"instances,omitempty"`  // servers each transport's clients were spread over, when more than one
	Broker    string `json:"broker,omitempty"`     // the NATS broker the instances shared, as they report it
	Remote    bool   `json:"remote"`               // target on another host: latency needs synchronised clocks
	ClockNote string `json:"clock_note,omitempty"` // said when latency may not be trusted
	Profile   string `json:"profile,omitempty"`    // the browser whose headers the clients sent, and when they were recorded
}

// Point is one sweep value (or the only run when there is no sweep).
type Point struct {
	// Sweep is the swept parameter and its value at this point, e.g.
	// {"clients": 100}; {} when nothing was swept.
	Sweep      Swept             `json:"sweep"`
	Duration   float64           `json:"duration_s"` // measured window, seconds
	Transports []TransportResult `json:"transports"`
}

// InTableOrder returns the point's transports in the transport table's
// order, the order of every table and legend.
func (p Point) InTableOrder() []TransportResult {
	out := slices.Clone(p.Transports)
	slices.SortStableFunc(out, func(a, b TransportResult) int {
		return transport.Order(a.Transport) - transport.Order(b.Transport)
	})
	return out
}

// TransportResult holds every figure for one transport at one point, as
// counted and measured; what is derived from them is in figures.go. A field
// added here is written to results.json by its tag (omitempty keeps older
// files readable) and to results.csv by a line in csv.go.
type TransportResult struct {
	Transport string `json:"transport"` // a name from the transport table
	Clients   int    `json:"clients"`

	// How the clients talked, over the whole run (streams open before the
	// window): "h2" or "http/1.1" ("mixed" if both), whether over TLS, and
	// whether the server compressed what it sent (gzip bodies or
	// permessage-deflate frames).
	Protocol   string `json:"protocol,omitempty"`
	TLS        bool   `json:"tls,omitempty"`
	Compressed bool   `json:"compressed,omitempty"`

	Requests   int64 `json:"requests"`  // HTTP requests sent (a WS or SSE connection counts one)
	Empty      int64 `json:"empty"`     // responses that carried no update (204/304)
	Delivered  int64 `json:"delivered"` // (update, client) pairs where the client held that version
	Received   int64 `json:"received"`  // updates that reached clients during the window: the same window as the bytes, so the denominator of per-update byte figures
	Coalesced  int64 `json:"coalesced"` // jumped over, but a later version arrived
	Missed     int64 `json:"missed"`    // neither it nor anything later arrived before the end
	ChatMissed int64 `json:"chat_missed"`
	Errors     int64 `json:"errors"`
	// Aborted counts requests that ended without an answer: timed out, or
	// cut off by the end of the run (the server counts the same as aborted).
	Aborted    int64 `json:"aborted,omitempty"`
	Reconnects int64 `json:"reconnects,omitempty"`

	BytesUp        int64   `json:"bytes_up"`         // written by the clients, on the wire
	BytesDown      int64   `json:"bytes_down"`       // read by the clients, on the wire
	PayloadBytes   int64   `json:"payload_bytes"`    // bytes of update JSON inside bytes_down
	BodyBytesUp    int64   `json:"body_bytes_up"`    // request bodies and WS message payloads inside bytes_up
	BodyBytesDown  int64   `json:"body_bytes_down"`  // response bodies (de-chunked) and WS message payloads inside bytes_down
	BytesPerUpdate float64 `json:"bytes_per_update"` // (up+down) / received

	// Overheads measured on the wire in this run, for the header-overhead table.
	RequestHeaderBytes  float64 `json:"request_header_bytes,omitempty"`  // mean request line + headers per HTTP request
	ResponseHeaderBytes float64 `json:"response_header_bytes,omitempty"` // mean status line + headers per HTTP response
	FrameOverheadBytes  float64 `json:"frame_overhead_bytes,omitempty"`  // mean framing per pushed update (WS frame header, SSE "id:/data:" lines)

	Latency    Latency      `json:"latency_us"`
	LatencyCDF [][2]float64 `json:"latency_cdf,omitempty"` // (latency µs, fraction of samples at or below)

	ServerCPU      float64 `json:"server_cpu_s"`
	ServerRSS      int64   `json:"server_rss_bytes"`
	ServerHeap     int64   `json:"server_heap_bytes,omitempty"`
	ServerBytesIn  int64   `json:"server_bytes_in,omitempty"`  // from /api/stats, to check against bytes_up
	ServerBytesOut int64   `json:"server_bytes_out,omitempty"` // from /api/stats, to check against bytes_down
	HarnessCPU     float64 `json:"harness_cpu_s,omitempty"`
	HarnessRSS     int64   `json:"harness_rss_bytes,omitempty"`

	// Runs holds each run of a --repeat, in the order they ran; every
	// figure above is then the median of its runs, and Spread holds each
	// figure's range over them (repeat.go).
	Runs   []TransportResult     `json:"runs,omitempty"`
	Spread map[string][2]float64 `json:"spread,omitempty"`
	// MachineCPU is what every process on the machine spent over the
	// window (CPU seconds, all cores): beyond the server's and the
	// harness's, the other work that shared the machine.
	MachineCPU float64 `json:"machine_cpu_s,omitempty"`

	// Capacity is what a --capacity search found (capacity.go); nil for
	// an ordinary run.
	Capacity *Capacity `json:"capacity,omitempty"`

	// VsFloor is this transport against the raw-TCP floor measured at the
	// same point (Point.CompareWithFloor); nil when the point has no floor,
	// and for the floor itself.
	VsFloor *FloorRatios `json:"vs_floor,omitempty"`
}

// Latency holds percentiles of publish-to-seen latency in microseconds.
type Latency struct {
	P50  int64   `json:"p50"`
	P90  int64   `json:"p90"`
	P99  int64   `json:"p99"`
	P999 int64   `json:"p999"`
	Max  int64   `json:"max"`
	Mean float64 `json:"mean,omitempty"`
	N    int64   `json:"n,omitempty"` // samples
}

// ReadResults loads a results.json file. Its error is an *InputError of
// one line that names the file and, when the file is readable but wrong,
// the field or byte at fault.
func ReadResults(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, inputErrorf("%s: no such file", path)
	}
	if err != nil {
		return nil, inputErrorf("%s", oneLine(err))
	}
	var (
		r   Results
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	err = json.Unmarshal(b, &r)
	switch {
	case errors.As(err, &syn):
		return nil, inputErrorf("%s: not valid JSON at byte %d: %v", path, syn.Offset, syn)
	case errors.As(err, &typ):
		return nil, inputErrorf("%s: field %s: %s is not a %s", path, typ.Field, typ.Value, typ.Type)
	case err != nil:
		return nil, inputErrorf("%s: %s", path, oneLine(err))
	}
	if err := r.Validate(); err != nil {
		return nil, inputErrorf("%s: %s", path, oneLine(err))
	}
	return &r, nil
}

// oneLine keeps an error message to one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// Validate checks that the results carry what charts and reports need.
func (r *Results) Validate() error {
	if len(r.Points) == 0 {
		return fmt.Errorf("field points: empty")
	}
	for i, p := range r.Points {
		if len(p.Transports) == 0 {
			return fmt.Errorf("field points[%d].transports: empty", i)
		}
		for j, t := range p.Transports {
			if !transport.Known(t.Transport) {
				return fmt.Errorf("field points[%d].transports[%d].transport: unknown %q", i, j, t.Transport)
			}
			if t.Clients <= 0 {
				return fmt.Errorf("field points[%d].transports[%d].clients: must be > 0", i, j)
			}
		}
	}
	return nil
}
