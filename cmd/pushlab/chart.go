package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
)

// runChart is `pushlab chart`: every chart a results file supports, as PNG
// and SVG, without running anything.
func runChart(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		in  = fs.String("in", "results.json", "results file written by pushlab bench")
		out = fs.String("out", "charts", "directory to write the charts into (created if missing)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pushlab chart [--in results.json] [--out DIR]")
		fmt.Fprintln(stderr, "Draws every chart the results support (latency CDF, bytes per update, request rates; the sweep's line charts) as 800x500 PNG and SVG.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	r, err := bench.ReadResults(*in)
	if err != nil {
		fmt.Fprintf(stderr, "pushlab chart: %v\n", err)
		return 2
	}
	figs, skipped, err := charts.All(r)
	if err != nil {
		fmt.Fprintf(stderr, "pushlab chart: %s: %s\n", *in, oneLine(err))
		return 2
	}
	for _, s := range skipped {
		fmt.Fprintf(stderr, "pushlab chart: %s: %s\n", *in, oneLine(s))
	}
	if len(figs) == 0 {
		fmt.Fprintf(stderr, "pushlab chart: %s: no chart has data to draw\n", *in)
		return 2
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "pushlab chart: %s\n", oneLine(err))
		return 1
	}
	for _, f := range figs {
		paths, err := f.Save(*out)
		if err != nil {
			fmt.Fprintf(stderr, "pushlab chart: %s\n", oneLine(err))
			return 1
		}
		for _, p := range paths {
			fmt.Fprintln(stdout, p)
		}
	}
	return 0
}

// oneLine keeps an error to one line of output.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
