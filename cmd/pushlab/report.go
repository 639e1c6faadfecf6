package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
	"github.com/pushlab/pushlab/charts/report"
)

// runReport is `pushlab report`: run the fixed suite (or read saved
// results with --from) and write DIR/report.md with its charts in
// DIR/report/ and the raw results in DIR/report/data/.
func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		outDir  = fs.String("out-dir", "docs", "directory for report.md; charts and data go to its report/ subdirectory")
		from    = fs.String("from", "", "comma-separated results.json files or directories holding them: render the report from these instead of running the bench")
		machine = fs.String("machine", "", `the machine in words for the report, e.g. "2-core VM" (default: read from /proc/cpuinfo and the results)`)
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pushlab report [--out-dir docs] [--from results.json,...]")
		fmt.Fprintln(stderr, "Runs the fixed bench suite (default comparison, clients, short-poll interval and RTT sweeps; about 3 minutes)")
		fmt.Fprintln(stderr, "and writes DIR/report.md with charts in DIR/report/. With --from it only renders saved results.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	figDir := filepath.Join(*outDir, "report")
	command := strings.TrimSpace("pushlab report " + strings.Join(args, " "))

	var (
		runs  []report.Run
		notes []string
		err   error
	)
	if *from != "" {
		runs, err = savedRuns(*from, *outDir)
		if err != nil {
			fmt.Fprintf(stderr, "pushlab report: %v\n", err)
			return 2
		}
	} else {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if load, ok := loadAverage(); ok {
			note := fmt.Sprintf("The 1-minute load average when the suite started was %.2f on %d cores", load, runtime.NumCPU())
			if load < 0.5 {
				note += ": nothing else of note was running."
			} else {
				note += "; other work on the machine shows in latency tails and CPU figures."
			}
			notes = append(notes, note)
		}
		start := time.Now()
		runs, err = runSuite(ctx, figDir, *outDir, stderr)
		notes = append(notes, fmt.Sprintf("The whole suite took %s.", time.Since(start).Round(time.Second)))
		if err != nil {
			fmt.Fprintf(stderr, "pushlab report: %s\n", oneLine(err))
			var in *bench.InputError
			if errors.As(err, &in) {
				return 2
			}
			return 1
		}
	}

	if *machine == "" {
		*machine = describeMachine(runs[0].Results.Environment)
	}
	if err := os.MkdirAll(figDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "pushlab report: %s\n", oneLine(err))
		return 1
	}
	var md bytes.Buffer
	files, err := report.Write(&md, report.Input{
		Machine:   *machine,
		Generated: time.Now().UTC().Format(time.RFC3339),
		Command:   command,
		Rerender:  rerender(*from, *outDir, figDir),
		Notes:     notes,
		Runs:      runs,
		FigDir:    figDir,
		FigLink:   "report",
	})
	if err != nil {
		fmt.Fprintf(stderr, "pushlab report: %s\n", oneLine(err))
		return 2
	}
	mdPath := filepath.Join(*outDir, "report.md")
	if err := os.WriteFile(mdPath, md.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "pushlab report: %s\n", oneLine(err))
		return 1
	}
	fmt.Fprintln(stdout, mdPath)
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	return 0
}

// runSuite runs the fixed suite in order and saves each run's results under
// figDir/data/NAME, so the report can later be redrawn with --from.
func runSuite(ctx context.Context, figDir, outDir string, stderr io.Writer) ([]report.Run, error) {
	suite := reportSuite()
	var runs []report.Run
	for i, s := range suite {
		fmt.Fprintf(stderr, "report: run %d/%d: %s\n", i+1, len(suite), benchCommand(s.scenario))
		r, err := bench.Run(ctx, s.scenario, bench.Options{Progress: stderr})
		if err != nil {
			return nil, fmt.Errorf("%s run: %w", s.name, err)
		}
		dir := filepath.Join(figDir, "data", s.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := bench.WriteResults(dir, r); err != nil {
			return nil, fmt.Errorf("%s run: %w", s.name, err)
		}
		runs = append(runs, report.Run{
			Name:    s.name,
			Command: benchCommand(s.scenario),
			Data:    link(outDir, filepath.Join(dir, "results.json")),
			Source:  filepath.Join(dir, "results.json"),
			Results: r,
		})
	}
	return runs, nil
}

// savedRuns reads results files named on --from: files, or directories
// holding results.json directly or one level down (as report/data/ does).
func savedRuns(list, outDir string) ([]report.Run, error) {
	var paths []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: no such file or directory", p)
		}
		if !st.IsDir() {
			paths = append(paths, p)
			continue
		}
		found, _ := filepath.Glob(filepath.Join(p, "results.json"))
		more, _ := filepath.Glob(filepath.Join(p, "*", "results.json"))
		if found = append(found, more...); len(found) == 0 {
			return nil, fmt.Errorf("%s: no results.json in it or its subdirectories", p)
		}
		paths = append(paths, found...)
	}
	if len(paths) == 0 {
		return nil, errors.New("--from: no results files given")
	}
	var runs []report.Run
	for _, p := range paths {
		r, err := readResults(p)
		if err != nil {
			return nil, err
		}
		name := charts.SweepName(r)
		if name == "" {
			name = "default"
		}
		runs = append(runs, report.Run{Name: name, Command: benchCommand(r.Scenario), Data: link(outDir, p), Source: p, Results: r})
	}
	return runs, nil
}

// rerender is the command that draws the report again from its results:
// from the same --from list, or from the data directory the suite wrote.
func rerender(from, outDir, figDir string) string {
	if from == "" {
		from = filepath.Join(figDir, "data")
	}
	cmd := "pushlab report --from " + from
	if outDir != "docs" {
		cmd += " --out-dir " + outDir
	}
	return cmd
}

// link is path as report.md (in outDir) should link it.
func link(outDir, path string) string {
	if rel, err := filepath.Rel(outDir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	if abs, err := filepath.Abs(path); err == nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(path)
}

// describeMachine says in words what produced the results: cores and CPU
// model from the results, and "VM" when this machine is the one that ran
// them and /proc/cpuinfo says it runs under a hypervisor.
func describeMachine(env bench.Environment) string {
	kind := "machine"
	if local, vm := localCPU(); vm && local == env.CPU && env.Cores == runtime.NumCPU() {
		kind = "VM"
	}
	cpu := env.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	return fmt.Sprintf("%d-core %s, %s, %s", env.Cores, kind, cpu, env.OS)
}

// localCPU reads this machine's CPU model and hypervisor flag.
func localCPU() (model string, vm bool) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		case "flags":
			vm = vm || strings.Contains(" "+v+" ", " hypervisor ")
		}
	}
	return model, vm
}

// loadAverage is the 1-minute load average from /proc/loadavg.
func loadAverage() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	var load float64
	if _, err := fmt.Sscan(string(b), &load); err != nil {
		return 0, false
	}
	return load, true
}
