package bench

import "testing"

// clientWith returns a client that received the given (from, v) steps.
func clientWith(held uint64, steps ...arrival) *simClient {
	c := &simClient{}
	c.track.held = held
	c.track.arrivals = steps
	return c
}

func TestEvaluateAppliesTheDefinitions(t *testing.T) {
	// Window: versions 11..15; 13 is a chat. Published at 1 ms intervals.
	vt := newVersionTable(10, 15)
	for v := uint64(11); v <= 15; v++ {
		vt.note(v, int64(v)*1e6, v == 13)
	}
	ms := func(v uint64, plus int64) int64 { return int64(v)*1e6 + plus*1e6 }
	clients := []*simClient{
		// every version, each 2 ms after publish
		clientWith(15, arrival{10, 11, ms(11, 2), ms(11, 0), false}, arrival{11, 12, ms(12, 2), ms(12, 0), false},
			arrival{12, 13, ms(13, 2), ms(13, 0), true}, arrival{13, 14, ms(14, 2), ms(14, 0), false},
			arrival{14, 15, ms(15, 2), ms(15, 0), false}),
		// jumped from 10 to 15 (a snapshot): 11..14 coalesced, the chat among them
		clientWith(15, arrival{10, 15, ms(15, 1), ms(15, 0), false}),
		// got 11 and 12, then nothing: 13..15 missed
		clientWith(12, arrival{9, 11, ms(11, 1), ms(11, 0), false}, arrival{11, 12, ms(12, 1), ms(12, 0), false}),
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
