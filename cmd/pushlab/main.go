// Command pushlab is the lab's one binary: it serves the live state over four
// transports (serve, the default), drives a server with simulated clients
// (bench), draws charts from results (chart) and regenerates the report
// (report).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// command is one subcommand: it parses its own flags from args and returns
// the process exit status.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "serve the live state over short poll, long poll, WebSocket and SSE (default)", runServe},
		{"bench", "drive a server with simulated clients and measure latency, bytes and requests", runBench},
		{"chart", "render charts from a results.json", runChart},
		{"report", "run the fixed bench suite and write docs/report.md with its charts", runReport},
	}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch picks the subcommand; with none, or with flags first, it serves.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		usage(stdout)
		return 0
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		for _, c := range commands() {
			if c.name == args[0] {
				return c.run(args[1:], stdout, stderr)
			}
		}
		fmt.Fprintf(stderr, "pushlab: unknown command %q (try pushlab help)\n", args[0])
		return 2
	}
	return runServe(args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: pushlab [command] [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "pushlab COMMAND -h explains each command's flags.")
}

// parseFlags parses a subcommand's flags. When the command should not go
// on it returns false with the exit status: 0 after -h (which prints the
// usage), 2 for a bad flag or value, or a stray argument, each said in one
// line.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {} // the flag package would print it after every mistake
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp) && usage != nil:
		usage()
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		fs.PrintDefaults()
		return 0, false
	case err != nil:
		fmt.Fprintf(stderr, "pushlab %s: %v\n", fs.Name(), err)
		return 2, false
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "pushlab %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	return 0, true
}
