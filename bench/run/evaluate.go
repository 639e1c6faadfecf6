package run

import (
	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/client"
)

// Latency histogram range: 1 µs to 10 minutes at 3 significant digits.
const (
	latencyMaxUs   = 10 * 60 * 1_000_000
	latencySigFigs = 3
)

// versionInfo is what the harness knows of one version in the window.
type versionInfo struct {
	t     int64 // publish time, Unix ns (0: unknown)
	chat  bool
	known bool
}

// versionTable holds the versions v0+1 .. v1 of the measured window.
type versionTable struct {
	v0, v1 uint64
	info   []versionInfo
}

func newVersionTable(v0, v1 uint64) *versionTable {
	return &versionTable{v0: v0, v1: v1, info: make([]versionInfo, v1-v0)}
}

func (vt *versionTable) in(v uint64) bool { return v > vt.v0 && v <= vt.v1 }

func (vt *versionTable) note(v uint64, t int64, chat bool) {
	if vt.in(v) && !vt.info[v-vt.v0-1].known {
		vt.info[v-vt.v0-1] = versionInfo{t: t, chat: chat, known: true}
	}
}

func (vt *versionTable) get(v uint64) versionInfo { return vt.info[v-vt.v0-1] }

// delivery is the outcome, over one window, of every (version, client) pair.
type delivery struct {
	delivered, coalesced, missed, chatMissed int64
	clockSkew                                int64 // samples below zero (clocks apart), recorded as 0
	latency                                  *hdrhistogram.Histogram
}

// evaluate applies the lab's definitions (docs/bench.md) to every client's
// arrivals for the versions published in the window (v0, v1]:
//   - delivered: the client received v itself;
//   - coalesced: it jumped over v, but received a later version;
//   - missed: it held nothing at or after v by the end;
//   - chat missed: a chat version not delivered (events must not coalesce);
//   - latency: for delivered and coalesced pairs, the time the client first
//     held v or later minus v's publish time.
func evaluate(tracks []client.Track, vt *versionTable) delivery {
	d := delivery{latency: hdrhistogram.New(1, latencyMaxUs, latencySigFigs)}
	record := func(at, t int64) {
		us := (at - t) / 1000
		if us < 0 {
			d.clockSkew++
			us = 0
		}
		d.latency.RecordValue(min(us, latencyMaxUs))
	}
	for _, tr := range tracks {
		for _, a := range tr.Arrivals {
			lo, hi := max(a.From, vt.v0)+1, min(a.V, vt.v1)
			for v := lo; v <= hi; v++ {
				info := vt.get(v)
				if v == a.V {
					d.delivered++
					record(a.At, a.T)
					continue
				}
				// A version jumped over was first held, as part of a later
				// one, when that one arrived.
				d.coalesced++
				if info.chat {
					d.chatMissed++
				}
				if info.known {
					record(a.At, info.t)
				}
			}
		}
		for v := max(tr.Held, vt.v0) + 1; v <= vt.v1; v++ {
			d.missed++
			if vt.get(v).chat {
				d.chatMissed++
			}
		}
	}
	return d
}

// fillTable learns each window version's publish time and kind from what
// the clients received, and from extra (the server's retained log) for
// versions no client received itself.
// A snapshot says what time its version was published but not what kind
// of update it was, so snapshots are asked last.
func fillTable(vt *versionTable, tracks []client.Track, extra []client.Update) {
	for _, tr := range tracks {
		for _, a := range tr.Arrivals {
			if !a.Snapshot {
				vt.note(a.V, a.T, a.Chat)
			}
		}
	}
	for _, u := range extra {
		vt.note(u.V, u.T, u.Kind == "chat")
	}
	for _, tr := range tracks {
		for _, a := range tr.Arrivals {
			vt.note(a.V, a.T, false)
		}
	}
}

// cdfQuantiles are where the latency CDF is sampled: evenly, then densely
// in the tail where transports differ most.
var cdfQuantiles = func() []float64 {
	var q []float64
	for p := 0.0; p < 90; p += 2.5 {
		q = append(q, p)
	}
	return append(q, 90, 92.5, 95, 97.5, 99, 99.5, 99.9, 99.99, 100)
}()

// latencyFigures turns a histogram into the percentiles and CDF of results.
func latencyFigures(h *hdrhistogram.Histogram) (bench.Latency, [][2]float64) {
	if h.TotalCount() == 0 {
		return bench.Latency{}, nil
	}
	l := bench.Latency{
		P50:  h.ValueAtQuantile(50),
		P90:  h.ValueAtQuantile(90),
		P99:  h.ValueAtQuantile(99),
		P999: h.ValueAtQuantile(99.9),
		Max:  h.Max(),
		Mean: h.Mean(),
		N:    h.TotalCount(),
	}
	var cdf [][2]float64
	for _, q := range cdfQuantiles {
		v := float64(h.ValueAtQuantile(q))
		if q == 100 {
			v = float64(h.Max())
		}
		if n := len(cdf); n > 0 && cdf[n-1][0] == v {
			cdf[n-1][1] = q / 100
			continue
		}
		cdf = append(cdf, [2]float64{v, q / 100})
	}
	return l, cdf
}
