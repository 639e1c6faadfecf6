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
	"syscall"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/run"
)

// runBench is `pushlab bench`: drive a server with simulated clients of each
// transport, print a summary and write results.json and results.csv.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := bench.BindFlags(fs)
	out := fs.String("out", ".", "`DIR` for results.json and results.csv (pushlab chart reads ./results.json by default)")
	server := fs.String("server", "", "pushlab binary to start as the child server, a `PATH` (default: this one)")
	cert := fs.String("cert", "", "PEM certificate `FILE` a --tls child serves and the clients trust (default: one made for the run); needs --key, implies --tls")
	key := fs.String("key", "", "PEM private key `FILE` of --cert")
	ca := fs.String("ca", "", "PEM certificates `FILE` an https:// --target is trusted by (default: the system's roots)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pushlab bench [flags]")
		fmt.Fprintln(stderr, "Runs each transport in turn against a fresh child server (or --target, or --instances N --broker URL), prints a summary")
		fmt.Fprintln(stderr, "and writes results.json and results.csv. See docs/bench.md.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	sc, err := scenario.Scenario()
	if err != nil {
		fmt.Fprintln(stderr, "pushlab bench:", err)
		return 2
	}
	if *cert != "" || *key != "" {
		sc.TLS = true // as serve's --cert does
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run.Run(ctx, sc, run.Options{Progress: stderr, ServerBinary: *server, CertFile: *cert, KeyFile: *key, CAFile: *ca})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "pushlab bench: interrupted; no results written")
			return 1
		}
		fmt.Fprintln(stderr, "pushlab bench:", err)
		return exitStatus(err)
	}
	bench.WriteSummary(stdout, res)
	if err := bench.WriteResults(*out, res); err != nil {
		fmt.Fprintln(stderr, "pushlab bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "\nwrote %s and %s\n", filepath.Join(*out, "results.json"), filepath.Join(*out, "results.csv"))
	return 0
}

// exitStatus is 2 for a mistake in what the user asked for, 1 otherwise.
func exitStatus(err error) int {
	var ie *bench.InputError
	if errors.As(err, &ie) {
		return 2
	}
	return 1
}
