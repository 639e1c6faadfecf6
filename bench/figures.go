package bench

// Derived figures: each has its one definition here, used by the summary
// table and the CSV (charts computes the same quantities from the same
// fields). seconds is the measured window.

// RequestsPerSecond is HTTP requests sent per second (a WS or SSE
// connection counts one; HTTP publishes count too).
func (t TransportResult) RequestsPerSecond(seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(t.Requests) / seconds
}

// EmptyShare is the fraction of requests answered with no update (204/304).
func (t TransportResult) EmptyShare() float64 {
	if t.Requests == 0 {
		return 0
	}
	return float64(t.Empty) / float64(t.Requests)
}

// KiBPerSecond is wire bytes per second over all clients, down and up.
func (t TransportResult) KiBPerSecond(seconds float64) (down, up float64) {
	if seconds <= 0 {
		return 0, 0
	}
	return float64(t.BytesDown) / 1024 / seconds, float64(t.BytesUp) / 1024 / seconds
}

// BytesPerClientSecond is wire bytes (both ways) per client per second.
func (t TransportResult) BytesPerClientSecond(seconds float64) float64 {
	if seconds <= 0 || t.Clients == 0 {
		return 0
	}
	return float64(t.BytesUp+t.BytesDown) / float64(t.Clients) / seconds
}

// ServerCPUPerThousand is the server's CPU time (user+sys) in milliseconds
// per 1,000 delivered updates.
func (t TransportResult) ServerCPUPerThousand() float64 {
	if t.Delivered == 0 {
		return 0
	}
	return t.ServerCPU * 1000 / float64(t.Delivered) * 1000
}

// HarnessCPUPerClient is the harness's CPU share per simulated client: CPU
// seconds per client per second of window (1.0 would be a whole core each).
func (t TransportResult) HarnessCPUPerClient(seconds float64) float64 {
	if seconds <= 0 || t.Clients == 0 {
		return 0
	}
	return t.HarnessCPU / seconds / float64(t.Clients)
}

// HarnessRSSPerClient is the harness's peak resident memory per simulated
// client, in bytes (the whole process, divided).
func (t TransportResult) HarnessRSSPerClient() float64 {
	if t.Clients == 0 {
		return 0
	}
	return float64(t.HarnessRSS) / float64(t.Clients)
}

// ByteAgreement is how far the harness's wire byte count is from the
// server's, as a fraction of the server's, per direction (0 when the
// server did not say).
func (t TransportResult) ByteAgreement() (up, down float64) {
	rel := func(ours, theirs int64) float64 {
		if theirs == 0 {
			return 0
		}
		d := float64(ours-theirs) / float64(theirs)
		if d < 0 {
			d = -d
		}
		return d
	}
	return rel(t.BytesUp, t.ServerBytesIn), rel(t.BytesDown, t.ServerBytesOut)
}
