package run

import "github.com/pushlab/pushlab/bench"

// row is the transport's result: what its clients counted over the window,
// what they received of the versions published in it, and what the server
// and the harness spent.
func (r *transportRun) row(m measured, d delivery) bench.TransportResult {
	t := m.end.counts.Minus(m.start.counts).Row(r.transport, int(r.sc.Clients))
	t.Delivered, t.Coalesced, t.Missed, t.ChatMissed = d.delivered, d.coalesced, d.missed, d.chatMissed
	t.Latency, t.LatencyCDF = latencyFigures(d.latency)

	// The server's own count of the same bytes, to hold the clients' against.
	in, out := m.start.stats.Transports[r.transport], m.end.stats.Transports[r.transport]
	t.ServerBytesIn, t.ServerBytesOut = out.BytesIn-in.BytesIn, out.BytesOut-in.BytesOut
	switch {
	case r.child != nil:
		t.ServerCPU = m.end.server.CPU - m.start.server.CPU
		t.ServerRSS = m.serverPeak
	case m.start.serverKnown && m.end.serverKnown:
		t.ServerCPU = m.end.server.CPU - m.start.server.CPU
		t.ServerRSS = m.end.server.RSS
	}
	t.ServerHeap = m.heap
	t.HarnessCPU = m.end.harness.CPU - m.start.harness.CPU
	t.HarnessRSS = m.harnessPeak
	if m.start.machineKnown && m.end.machineKnown {
		t.MachineCPU = m.end.machine - m.start.machine
	}
	return t
}
