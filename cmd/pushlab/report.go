package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pushlab/pushlab/bench/suite"
)

// runReport is `pushlab report`: run the fixed suite (or read saved
// results with --from) and write DIR/report.md with its charts in
// DIR/report/ and the raw results in DIR/report/data/, and
// DIR/literature.md beside it.
func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		outDir    = fs.String("out-dir", "docs", "directory for report.md; charts and data go to its report/ subdirectory")
		from      = fs.String("from", "", "comma-separated results.json files or directories holding them: render the report from these instead of running the bench")
		machine   = fs.String("machine", "", `the machine in words for the report, e.g. "2-core VM" (default: read from /proc/cpuinfo and the results)`)
		brokerURL = fs.String("broker", "", "NATS `URL` (nats://host:port, JetStream on): adds a run across two instances sharing it; skipped, and said so, without")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pushlab report [--out-dir docs] [--from results.json,...] [--broker nats://HOST:PORT]")
		fmt.Fprintln(stderr, "Runs the fixed bench suite (default comparison and its client variants; clients, interval, RTT and update-rate sweeps;")
		fmt.Fprintln(stderr, "cache-timed polling; capacity under five latency bounds; two instances through NATS with --broker; about 20 minutes")
		fmt.Fprintln(stderr, "on a 2-core machine) and writes DIR/report.md with charts in DIR/report/ and DIR/literature.md.")
		fmt.Fprintln(stderr, "With --from it only renders saved results.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	files, err := suite.Report(ctx, suite.Options{
		OutDir:   *outDir,
		From:     *from,
		Machine:  *machine,
		Command:  strings.TrimSpace("pushlab report " + strings.Join(args, " ")),
		Broker:   *brokerURL,
		Progress: stderr,
	})
	if err != nil {
		fmt.Fprintf(stderr, "pushlab report: %s\n", oneLine(err))
		return exitStatus(err)
	}
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	return 0
}
