package run

import "github.com/pushlab/pushlab/bench"

// row is the transport's result: what its clients counted over the window,
// what they received of the versions published in it, and what the server
// and the harness spent.
func (r *transportRun) row(m measured, d delivery) bench.TransportResult {
	t := m.end.counts.Minus(m.start.counts).Row(r.transport, int(r.sc.Clients))
	t.Delivered, t.Coalesced, t.Missed, t.ChatMissed = d.delivered, d.coalesced, d.missed, d.chatMissed
	t.Latency, t.LatencyCDF = latencyFigures(d.latency)

	// The servers' own count of the same bytes, to hold the clients'
	// against: each instance counts its own clients, so theirs add up.
	for i := range r.instances {
		in, out := m.start.stats[i].Transports[r.transport], m.end.stats[i].Transports[r.transport]
		t.ServerBytesIn += out.BytesIn - in.BytesIn
		t.ServerBytesOut += out.BytesOut - in.BytesOut
	}
	// Every instance's CPU and memory, summed.
	switch {
	case r.targets == nil:
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

	// How the clients talked, over the whole run.
	n := r.clients.Negotiated()
	t.Protocol, t.TLS, t.Compressed = n.Protocol(), r.instances[0].server.URL.Scheme == "https", n.Compressed > 0
	if t.Compressed {
		// The update JSON is counted inflated and the wire carries it
		// deflated: what is left is no measure of framing.
		t.FrameOverheadBytes = 0
	}
	return t
}
