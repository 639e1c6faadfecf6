package main

import (
	"encoding/json"
	"errors"
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
	r, err := readResults(*in)
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

// readResults loads a results file; its error is one line naming the file
// and, where the file is readable but wrong, the field or byte at fault.
func readResults(path string) (*bench.Results, error) {
	r, err := bench.ReadResults(path)
	if err == nil {
		return r, nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%s: no such file", path)
	case errors.As(err, &syn):
		return nil, fmt.Errorf("%s: not valid JSON at byte %d: %v", path, syn.Offset, syn)
	case errors.As(err, &typ):
		return nil, fmt.Errorf("%s: field %s: %s is not a %s", path, typ.Field, typ.Value, typ.Type)
	}
	return nil, errors.New(oneLine(err))
}

// oneLine keeps an error to one line of output.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
