package bench

import (
	"flag"
	"io"
	"strings"

	"github.com/pushlab/pushlab/transport"
)

// param is one parameter of a scenario: the flag of `pushlab bench` bound to
// its field, and, for the sweepable ones, the axis --sweep varies. The table
// below is the only list of them: flags, sweeps, overrides of a scenario
// file and the command line that reproduces a scenario all read it.
type param struct {
	name  string // flag and sweep name, e.g. "chat-rate"
	usage string // flag help; a `WORD` in it names the value
	sweep bool   // --sweep can vary it; its field is a Value
	// always: the reproducing command line writes it even when it has its
	// default value (the figures a reader needs to see).
	always bool
	// newer: results written before the parameter existed hold its zero
	// value, which the reproducing command line then leaves out (those
	// files' commands stay as they were written).
	newer bool

	field  func(*Scenario) flag.Value       // the field, as a flag sees it
	fresh  func() flag.Value                // a new zero value of the field's type
	assign func(sc *Scenario, v flag.Value) // sets the field to v: from fresh, or another scenario's field
}

// field binds a flag to the scenario field f returns: its type P (a
// pointer to T) reads and writes the flag syntax.
func field[T any, P interface {
	*T
	flag.Value
}](name, usage string, f func(*Scenario) P) param {
	return param{
		name: name, usage: usage,
		field:  func(sc *Scenario) flag.Value { return f(sc) },
		fresh:  func() flag.Value { return P(new(T)) },
		assign: func(sc *Scenario, v flag.Value) { *f(sc) = *v.(P) },
	}
}

// axis is a field that --sweep can vary too.
func axis[T any, P interface {
	*T
	Value
}](name, usage string, f func(*Scenario) P) param {
	p := field(name, usage, f)
	p.sweep = true
	return p
}

// written marks a parameter the reproducing command line always writes.
func (p param) written() param { p.always = true; return p }

// since marks a parameter older results files do not record.
func (p param) since() param { p.newer = true; return p }

// params are in the order the reproducing command line writes them.
var params = []param{
	field("transports", "comma-separated `LIST` of transports to compare: "+strings.Join(transport.Names(), ","),
		func(sc *Scenario) *list { return (*list)(&sc.Transports) }).written(),
	axis("clients", "`N` simulated clients per transport", func(sc *Scenario) *Count { return &sc.Clients }).written(),
	axis("rate", "server generator ticks per second, `HZ` (child server only)", func(sc *Scenario) *Rate { return &sc.Rate }).written(),
	axis("payload", "`BYTES` of data in each tick (child server only)", func(sc *Scenario) *Bytes { return &sc.Payload }).written(),
	axis("interval", "short-poll interval (a `DURATION`)", func(sc *Scenario) *Duration { return &sc.Interval }).written(),
	field("poll-schedule", "when short polls ask: `fixed` (every --interval) or cache (when the last answer's Cache-Control/Expires say the next update is due)",
		func(sc *Scenario) *PollSchedule { return &sc.PollSchedule }),
	axis("wait", "long-poll wait, a `DURATION` of at most 60s", func(sc *Scenario) *Duration { return &sc.Wait }).written(),
	axis("chat-rate", "chat messages per second per client (`HZ`), each over the client's own transport",
		func(sc *Scenario) *Rate { return &sc.ChatRate }).written(),
	field("chatters", "how many of each transport's clients chat, `N` (0: every one): a little chat among many clients without a publishing connection each",
		func(sc *Scenario) *Count { return &sc.Chatters }),
	field("warmup", "time after ramp-up before measuring (a `DURATION`)", func(sc *Scenario) *Duration { return &sc.Warmup }).written(),
	field("duration", "measured window per transport (a `DURATION`)", func(sc *Scenario) *Duration { return &sc.Duration }).written(),
	field("ramp-up", "time over which the clients are started (a `DURATION`)", func(sc *Scenario) *Duration { return &sc.RampUp }),
	field("target", "`URL` of a running server to drive instead of starting one (http://host:port); several, comma-separated, "+
		"are instances sharing one state through a broker: each transport's clients are spread over them",
		func(sc *Scenario) *text { return (*text)(&sc.Target) }),
	axis("instances", "start `N` child servers sharing --broker, the clients spread over them (the first one ticks at --rate)",
		func(sc *Scenario) *Count { return &sc.Instances }),
	field("broker", "NATS `URL` (nats://host:port[,...]) the --instances share their live state through (JetStream)",
		func(sc *Scenario) *text { return (*text)(&sc.Broker) }),
	axis("rtt", "round trip added to every client connection through toxiproxy (a `DURATION`, e.g. 100ms)",
		func(sc *Scenario) *Duration { return &sc.RTT }),
	axis("jitter", "random variation of the round trip (a `DURATION`, e.g. 10ms)", func(sc *Scenario) *Duration { return &sc.Jitter }),
	axis("bandwidth", "bandwidth of each client connection each way (a `RATE`, e.g. 1mbit)",
		func(sc *Scenario) *Bandwidth { return &sc.Bandwidth }),
	field("profile", "whose request headers the clients send: `browser` (Chromium's, recorded in bench/profile) or lean (Go's minimal ones)",
		func(sc *Scenario) *ProfileName { return &sc.Profile }).since(),
	field("cookie-bytes", "add a cookie of `N` bytes to every request, as a logged-in site would",
		func(sc *Scenario) *Bytes { return &sc.CookieBytes }),
	field("tls", "serve the child over TLS with a certificate the clients trust: HTTPS (h2 via ALPN) and WSS",
		func(sc *Scenario) *Switch { return (*Switch)(&sc.TLS) }),
	field("http1", "over TLS, keep HTTP on HTTP/1.1 instead of h2", func(sc *Scenario) *Switch { return (*Switch)(&sc.HTTP1) }),
	field("compress", "start the child with --compress (gzip bodies, permessage-deflate); lean clients offer both too (browser ones always do)",
		func(sc *Scenario) *Switch { return (*Switch)(&sc.Compress) }),
	field("repeat", "run every sweep point `N` times, rotating the transports' order; figures are the medians",
		func(sc *Scenario) *Count { return &sc.Repeat }).since(),
	field("capacity", "find per transport the most clients whose updates arrive within --mal: a bounded search, each step a short run",
		func(sc *Scenario) *Switch { return &sc.Capacity }),
	field("mal", "with --capacity: the maximum acceptable latency, a `DURATION` (default 1s)", func(sc *Scenario) *Duration { return &sc.MAL }),
	field("quantile", "with --capacity: the share of updates that must arrive within --mal, a `FRACTION` (default 0.95)",
		func(sc *Scenario) *Fraction { return &sc.Quantile }),
	field("max-clients", "with --capacity: the most clients tried per transport, `N` (default 10000)",
		func(sc *Scenario) *Count { return &sc.MaxClients }),
	field("sweep", "`NAME=V1,V2,...`: run once per value of clients, rate, payload, interval, wait, chat-rate, instances, rtt, jitter or bandwidth",
		func(sc *Scenario) *Sweep { return &sc.Sweep }),
}

// paramNamed finds a parameter by its flag name; "chat_rate", as scenario
// files spell keys, is "chat-rate".
func paramNamed(name string) (*param, bool) {
	name = strings.ReplaceAll(strings.TrimSpace(name), "_", "-")
	for i := range params {
		if params[i].name == name {
			return &params[i], true
		}
	}
	return nil, false
}

// sweepable names the parameters --sweep can vary, for error messages.
func sweepable() string {
	var names []string
	for _, p := range params {
		if p.sweep {
			names = append(names, p.name)
		}
	}
	return strings.Join(names, ", ")
}

// Flags are the flags of `pushlab bench` that describe a scenario, bound
// to a scenario's fields, and --scenario, which names a file or built-in
// scenario for the flags to override.
type Flags struct {
	fs      *flag.FlagSet
	flagged Scenario // what the flags say, over the default scenario
	file    string
}

// BindFlags defines the scenario flags on fs.
func BindFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs, flagged: DefaultScenario()}
	for _, p := range params {
		fs.Var(p.field(&f.flagged), p.name, p.usage)
	}
	fs.StringVar(&f.file, "scenario", "", "scenario `FILE` (YAML or JSON) or built-in name: "+strings.Join(BuiltinNames(), ", ")+
		"; flags given too override it")
	return f
}

// ParseArgs is the scenario `pushlab bench ARGS...` asks for (unvalidated);
// args hold scenario flags only.
func ParseArgs(args ...string) (Scenario, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return Scenario{}, err
	}
	return f.Scenario()
}

// Scenario is the scenario the parsed flags ask for: the --scenario file
// or built-in (else the default scenario) with every flag given on the
// command line over it. It is not yet validated.
func (f *Flags) Scenario() (Scenario, error) {
	given := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	sc := f.flagged
	if f.file != "" {
		var err error
		if sc, err = LoadScenario(f.file); err != nil {
			return Scenario{}, err
		}
		for name := range given {
			if p, ok := paramNamed(name); ok {
				p.assign(&sc, p.field(&f.flagged))
			}
		}
	}
	sc.capacityDefaults(given)
	return sc, nil
}

// capacityDefaults fills in the bounds --capacity was not given: a bound
// given as 0 stays 0, for Validate to refuse.
func (sc *Scenario) capacityDefaults(given map[string]bool) {
	if !sc.Capacity {
		return
	}
	if sc.MAL == 0 && !given["mal"] {
		sc.MAL = DefaultMAL
	}
	if sc.Quantile == 0 && !given["quantile"] {
		sc.Quantile = DefaultQuantile
	}
	if sc.MaxClients == 0 && !given["max-clients"] {
		sc.MaxClients = DefaultMaxClients
	}
}

// Command is the `pushlab bench` command line that runs the scenario on
// its own: the main figures always, the others where they differ from the
// default scenario.
func (sc Scenario) Command() string {
	def := DefaultScenario()
	args := []string{"pushlab", "bench"}
	for _, p := range params {
		if p.name == "clients" && sc.Capacity {
			continue // the search chooses the counts
		}
		f := p.field(&sc)
		v := f.String()
		switch {
		case p.newer && v == p.fresh().String():
		case isSwitch(f):
			if v == "true" {
				args = append(args, "--"+p.name)
			}
		case v == "": // nothing given: a default, or a field older results lack
		case p.always || v != p.field(&def).String():
			args = append(args, "--"+p.name, v)
		}
	}
	return strings.Join(args, " ")
}

// isSwitch reports whether a flag stands alone, without a value.
func isSwitch(v flag.Value) bool {
	b, ok := v.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// list is a comma-separated flag value.
type list []string

func (l *list) Set(s string) error {
	*l = nil
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

func (l list) String() string { return strings.Join(l, ",") }

// text is a plain string flag value.
type text string

func (t *text) Set(s string) error { *t = text(s); return nil }
func (t text) String() string      { return string(t) }
