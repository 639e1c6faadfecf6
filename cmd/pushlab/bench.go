package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// benchFlags are the scenario parameters `pushlab bench` takes as flags,
// with what each means; their defaults come from bench.DefaultScenario.
var benchFlags = []struct{ name, usage string }{
	{"transports", "comma-separated `LIST` of transports to compare: " + strings.Join(transport.Names(), ",")},
	{"clients", "`N` simulated clients per transport"},
	{"rate", "server generator ticks per second, `HZ` (child server only)"},
	{"payload", "`BYTES` of data in each tick (child server only)"},
	{"interval", "short-poll interval (a `DURATION`)"},
	{"wait", "long-poll wait, a `DURATION` of at most 60s"},
	{"chat-rate", "chat messages per second per client (`HZ`), each over the client's own transport"},
	{"duration", "measured window per transport (a `DURATION`)"},
	{"warmup", "time after ramp-up before measuring (a `DURATION`)"},
	{"ramp-up", "time over which the clients are started (a `DURATION`)"},
	{"target", "`URL` of a running server to drive instead of starting one (http://host:port)"},
	{"sweep", "`NAME=V1,V2,...`: run once per value of clients, rate, payload, interval, wait, chat-rate, rtt, jitter or bandwidth"},
	{"rtt", "round trip added to every client connection through toxiproxy (a `DURATION`, e.g. 100ms)"},
	{"jitter", "random variation of the round trip (a `DURATION`, e.g. 10ms)"},
	{"bandwidth", "bandwidth of each client connection each way (a `RATE`, e.g. 1mbit)"},
}

// runBench is `pushlab bench`: drive a server with simulated clients of each
// transport, print a summary and write results.json and results.csv.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := bench.DefaultScenario()
	defaults := map[string]string{
		"transports": joinComma(def.Transports), "clients": fmt.Sprint(def.Clients), "rate": fmt.Sprint(def.Rate),
		"payload": fmt.Sprint(def.Payload), "interval": def.Interval.String(), "wait": def.Wait.String(),
		"chat-rate": fmt.Sprint(def.ChatRate), "duration": def.Duration.String(), "warmup": def.Warmup.String(),
		"ramp-up": def.RampUp.String(),
	}
	for _, f := range benchFlags {
		fs.String(f.name, defaults[f.name], f.usage)
	}
	scenario := fs.String("scenario", "", "scenario `FILE` (YAML or JSON) or built-in name: "+joinComma(bench.BuiltinNames())+"; flags given too override it")
	out := fs.String("out", ".", "`DIR` for results.json and results.csv (pushlab chart reads ./results.json by default)")
	server := fs.String("server", "", "pushlab binary to start as the child server, a `PATH` (default: this one)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pushlab bench [flags]")
		fmt.Fprintln(stderr, "Runs each transport in turn against a fresh child server (or --target), prints a summary")
		fmt.Fprintln(stderr, "and writes results.json and results.csv. See docs/bench.md.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}

	sc := def
	if *scenario != "" {
		var err error
		if sc, err = bench.LoadScenario(*scenario); err != nil {
			fmt.Fprintln(stderr, "pushlab bench:", err)
			return 2
		}
	}
	var setErr error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "scenario", "out", "server":
			return
		}
		if setErr == nil {
			setErr = sc.Set(f.Name, f.Value.String())
		}
	})
	if setErr != nil {
		fmt.Fprintln(stderr, "pushlab bench:", setErr)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, sc, bench.Options{Progress: stderr, ServerBinary: *server})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "pushlab bench: interrupted; no results written")
			return 1
		}
		fmt.Fprintln(stderr, "pushlab bench:", err)
		var ie *bench.InputError
		if errors.As(err, &ie) {
			return 2
		}
		return 1
	}
	bench.WriteSummary(stdout, res)
	if err := bench.WriteResults(*out, res); err != nil {
		fmt.Fprintln(stderr, "pushlab bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "\nwrote %s and %s\n", filepath.Join(*out, "results.json"), filepath.Join(*out, "results.csv"))
	return 0
}

func joinComma(ss []string) string {
	s := ""
	for i, v := range ss {
		if i > 0 {
			s += ","
		}
		s += v
	}
	return s
}
