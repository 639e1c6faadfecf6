package run

import (
	"testing"

	"github.com/pushlab/pushlab/bench/client"
)

// step is an arrival: from → v at time at, of an update published at t.
func step(from, v uint64, at, t int64, chat bool) client.Arrival {
	return client.Arrival{From: from, V: v, At: at, T: t, Chat: chat}
}

// clientWith is what a client that received the given steps recorded.
func clientWith(held uint64, steps ...client.Arrival) client.Track {
	return client.Track{Held: held, Arrivals: steps}
}

func TestEvaluateAppliesTheDefinitions(t *testing.T) {
	// Window: versions 11..15; 13 is a chat. Published at 1 ms intervals.
	vt := newVersionTable(10, 15)
	for v := uint64(11); v <= 15; v++ {
		vt.note(v, int64(v)*1e6, v == 13)
	}
	ms := func(v uint64, plus int64) int64 { return int64(v)*1e6 + plus*1e6 }
	clients := []client.Track{
		// every version, each 2 ms after publish
		clientWith(15, step(10, 11, ms(11, 2), ms(11, 0), false), step(11, 12, ms(12, 2), ms(12, 0), false),
			step(12, 13, ms(13, 2), ms(13, 0), true), step(13, 14, ms(14, 2), ms(14, 0), false),
			step(14, 15, ms(15, 2), ms(15, 0), false)),
		// jumped from 10 to 15 (a snapshot): 11..14 coalesced, the chat among them
		clientWith(15, step(10, 15, ms(15, 1), ms(15, 0), false)),
		// got 11 and 12, then nothing: 13..15 missed
		clientWith(12, step(9, 11, ms(11, 1), ms(11, 0), false), step(11, 12, ms(12, 1), ms(12, 0), false)),
	}
	d := evaluate(clients, vt)
	if d.delivered != 5+1+2 || d.coalesced != 4 || d.missed != 3 || d.chatMissed != 2 {
		t.Errorf("delivered %d coalesced %d missed %d chat missed %d; want 8 4 3 2", d.delivered, d.coalesced, d.missed, d.chatMissed)
	}
	if n := d.latency.TotalCount(); n != 12 {
		t.Errorf("%d latency samples, want 12 (delivered + coalesced)", n)
	}
	// The coalesced 11 was first held (as part of 15) at 16 ms: 5 ms late.
	if max := d.latency.Max(); max < 4990 || max > 5010 {
		t.Errorf("max latency %d µs, want 5000", max)
	}
	l, cdf := latencyFigures(d.latency)
	if l.P50 < 1990 || l.P50 > 2010 || len(cdf) == 0 || cdf[len(cdf)-1][1] != 1 {
		t.Errorf("p50 %d µs (want 2000), cdf %v", l.P50, cdf)
	}
}

func TestFillTablePrefersUpdatesToSnapshots(t *testing.T) {
	vt := newVersionTable(0, 3)
	snapOnly := clientWith(3, client.Arrival{From: 0, V: 3, At: 50, T: 30, Snapshot: true})
	sawChat := clientWith(3, client.Arrival{From: 2, V: 3, At: 40, T: 30, Chat: true})
	fillTable(vt, []client.Track{snapOnly, sawChat}, []client.Update{{V: 1, T: 10, Kind: "tick"}})
	if got := vt.get(3); !got.chat || got.t != 30 {
		t.Errorf("version 3: %+v, want the chat its update said it was", got)
	}
	if got := vt.get(1); !got.known || got.t != 10 {
		t.Errorf("version 1 from the retained log: %+v", got)
	}
	if got := vt.get(2); got.known {
		t.Errorf("version 2 nobody saw: %+v", got)
	}
}
