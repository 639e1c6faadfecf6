package bench

// Capacity is what a --capacity search found for one transport: the most
// clients for which Quantile of the updates arrived within MAL, the steps
// that found it, and what stopped it. results.json writes it under the
// transport as "capacity"; the transport's other figures are those of the
// step at that count (or, when none met the bound, of the smallest step).
type Capacity struct {
	Clients   int      `json:"clients"` // 0: not even the smallest step met the bound
	MAL       Duration `json:"mal"`
	Quantile  float64  `json:"quantile"`
	LimitedBy string   `json:"limited_by"` // LimitedByMAL, LimitedByHarness or LimitedByMaxClients
	Reason    string   `json:"reason"`     // in words, with the step's figures
	// ServerCores is the server's CPU use at the capacity step, in cores
	// (CPU seconds per second of window).
	ServerCores float64        `json:"server_cores,omitempty"`
	Steps       []CapacityStep `json:"steps"`
}

// What stopped a capacity search.
const (
	// LimitedByMAL: the next count tried missed the latency bound.
	LimitedByMAL = "mal"
	// LimitedByHarness: the harness could not go further: the open files
	// one process may hold, or its own CPU saturating the machine before
	// the server's did.
	LimitedByHarness = "harness"
	// LimitedByMaxClients: the most clients asked for met the bound.
	LimitedByMaxClients = "max-clients"
)

// Whose work saturated the machine at a capacity step.
const (
	SaturatedByHarness = "harness"
	SaturatedByServer  = "server"
	SaturatedByOthers  = "other work"
)

// CapacityStep is one short measured run of the search.
type CapacityStep struct {
	Clients int `json:"clients"`
	// Within is the share of (update, client) pairs of the window seen
	// within the MAL; a missed update counts as not within.
	Within float64 `json:"within"`
	// AtQuantile is the latency at the asked quantile, µs, counting
	// missed updates as later than any (0 when they alone exceed it).
	AtQuantile int64   `json:"latency_at_quantile_us"`
	Met        bool    `json:"met"`
	Seconds    float64 `json:"duration_s"` // measured window
	ServerCPU  float64 `json:"server_cpu_s"`
	HarnessCPU float64 `json:"harness_cpu_s"`
	MachineCPU float64 `json:"machine_cpu_s,omitempty"` // every process on the machine, ours and others'
	Missed     int64   `json:"missed,omitempty"`
	Errors     int64   `json:"errors,omitempty"`
	// Saturated says the machine's cores were busy at this step, and with
	// whose work most: SaturatedByHarness, SaturatedByServer or
	// SaturatedByOthers.
	Saturated string `json:"saturated,omitempty"`
	Failed    string `json:"failed,omitempty"` // the step could not be measured, and why
}

// ClientsPerCore is the capacity per core of server CPU: the clients
// served at the capacity step over the cores' worth of CPU the server
// spent there (a linear reading of "how many clients can one core
// serve"); 0 when the capacity is 0 or the server's CPU was not measured.
func (c Capacity) ClientsPerCore() float64 {
	if c.Clients == 0 || c.ServerCores <= 0 {
		return 0
	}
	return float64(c.Clients) / c.ServerCores
}

// Step returns the step at n clients, if the search ran one.
func (c Capacity) Step(n int) (CapacityStep, bool) {
	for _, s := range c.Steps {
		if s.Clients == n {
			return s, true
		}
	}
	return CapacityStep{}, false
}
