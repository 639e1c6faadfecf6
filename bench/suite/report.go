package suite

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/proc"
	"github.com/pushlab/pushlab/bench/run"
	"github.com/pushlab/pushlab/charts/report"
)

// Options are what `pushlab report` was asked for.
type Options struct {
	OutDir   string    // report.md goes here; charts and data in its report/ subdirectory
	From     string    // comma-separated results files or directories: render these instead of running the suite
	Machine  string    // the machine in words; empty: described from /proc and the results
	Command  string    // the command line, quoted in the report
	Broker   string    // NATS URL(s) for the run across two instances; empty: that run is skipped
	Progress io.Writer // where the suite's progress goes; nil: quiet
}

// Report runs the suite (or reads saved results, with From) and writes
// OutDir/report.md with its charts in OutDir/report/, and
// OutDir/literature.md beside it. It returns the files it wrote, report.md
// first. A mistake in what was asked for, or in saved
// results, is a *bench.InputError.
func Report(ctx context.Context, o Options) ([]string, error) {
	figDir := filepath.Join(o.OutDir, "report")
	var (
		runs    []report.Run
		notes   []string
		skipped string // why the run across instances is not there
		err     error
	)
	if o.Broker != "" {
		if o.From != "" {
			return nil, bench.InputErrorf("--broker runs the two-instance run; with --from nothing runs")
		}
		if err := CheckBroker(o.Broker); err != nil {
			return nil, err
		}
	}
	if o.From != "" {
		runs, err = Load(o.From, o.OutDir)
	} else {
		if n := loadNote(); n != "" {
			notes = append(notes, n)
		}
		start := time.Now()
		runs, err = Run(ctx, figDir, o.OutDir, o.Progress)
		if err == nil {
			var r *report.Run
			if r, skipped, err = RunInstances(ctx, o.Broker, figDir, o.OutDir, o.Progress); r != nil {
				runs = append(runs, *r)
			}
		}
		notes = append(notes, fmt.Sprintf("The whole suite took %s.", time.Since(start).Round(time.Second)))
	}
	if err != nil {
		return nil, err
	}
	if o.Machine == "" {
		o.Machine = describeMachine(runs[0].Results.Environment)
	}
	if err := os.MkdirAll(figDir, 0o755); err != nil {
		return nil, err
	}
	in := report.Input{
		Machine:   o.Machine,
		Generated: time.Now().UTC().Format(time.RFC3339),
		Command:   o.Command,
		Rerender:  rerender(o.From, o.OutDir, figDir),
		Notes:     notes,
		Runs:      runs,
		FigDir:    figDir,
		FigLink:   "report",

		InstancesSkipped: skipped,
	}
	var md, lit bytes.Buffer
	files, err := report.Write(&md, in)
	if err == nil {
		err = report.WriteLiterature(&lit, in)
	}
	if err != nil {
		return nil, bench.InputErrorf("%v", err) // the results hold what cannot be drawn
	}
	mdPath := filepath.Join(o.OutDir, "report.md")
	litPath := filepath.Join(o.OutDir, "literature.md")
	for path, b := range map[string][]byte{mdPath: md.Bytes(), litPath: lit.Bytes()} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return nil, err
		}
	}
	return append([]string{mdPath, litPath}, files...), nil
}

// Run runs the suite in order and saves each run's results under
// figDir/data/NAME, so the report can later be redrawn from them.
func Run(ctx context.Context, figDir, outDir string, progress io.Writer) ([]report.Run, error) {
	entries := Entries()
	var runs []report.Run
	for i, e := range entries {
		if progress != nil {
			fmt.Fprintf(progress, "report: run %d/%d: %s\n", i+1, len(entries), e.Scenario.Command())
		}
		r, err := run.Run(ctx, e.Scenario, run.Options{Progress: progress})
		if err != nil {
			return nil, fmt.Errorf("%s run: %w", e.Name, err)
		}
		dir := filepath.Join(figDir, "data", e.Name)
		if err := bench.WriteResults(dir, r); err != nil {
			return nil, fmt.Errorf("%s run: %w", e.Name, err)
		}
		runs = append(runs, newRun(e.Name, filepath.Join(dir, "results.json"), outDir, r))
	}
	return runs, nil
}

// Load reads the results files named in list: files, or directories
// holding results.json directly or one level down (as report/data/ does).
func Load(list, outDir string) ([]report.Run, error) {
	var paths []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, bench.InputErrorf("%s: no such file or directory", p)
		}
		if !st.IsDir() {
			paths = append(paths, p)
			continue
		}
		found, _ := filepath.Glob(filepath.Join(p, "results.json"))
		more, _ := filepath.Glob(filepath.Join(p, "*", "results.json"))
		if found = append(found, more...); len(found) == 0 {
			return nil, bench.InputErrorf("%s: no results.json in it or its subdirectories", p)
		}
		paths = append(paths, found...)
	}
	if len(paths) == 0 {
		return nil, bench.InputErrorf("--from: no results files given")
	}
	var runs []report.Run
	for _, p := range paths {
		r, err := bench.ReadResults(p)
		if err != nil {
			return nil, err
		}
		runs = append(runs, newRun(runName(r), p, outDir, r))
	}
	// In the suite's order, as a run of the suite writes them: a directory
	// lists its runs alphabetically, and the report's order (and which of
	// two sweeps of one parameter draws its charts under the plain names)
	// must not depend on how the results were found.
	order := map[string]int{}
	for i, e := range Entries() {
		order[e.Name] = i + 1
	}
	slices.SortStableFunc(runs, func(a, b report.Run) int {
		ia, ib := order[a.Name], order[b.Name]
		if ia == 0 {
			ia = len(order) + 1
		}
		if ib == 0 {
			ib = len(order) + 1
		}
		return ia - ib
	})
	return runs, nil
}

// runName is what saved results are called in the report: the scenario's
// name (the suite names each run), else what they sweep.
func runName(r *bench.Results) string {
	switch {
	case r.Instances() > 1:
		return InstancesName
	case r.Scenario.Name != "" && r.Scenario.Name != "custom":
		return r.Scenario.Name // the suite names its runs and client variants
	case r.SweepName() != "":
		return r.SweepName()
	}
	return "default"
}

// newRun is a run as the report shows it, its results file linked from
// outDir, where report.md is.
func newRun(name, path, outDir string, r *bench.Results) report.Run {
	return report.Run{Name: name, Command: r.Scenario.Command(), Data: link(outDir, path), Source: path, Results: r}
}

// link is how a file is linked from a markdown file in outDir: relative when
// it lies below, absolute otherwise.
func link(outDir, path string) string {
	if rel, err := filepath.Rel(outDir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	if abs, err := filepath.Abs(path); err == nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(path)
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

// describeMachine says in words what produced the results: cores and CPU
// model from the results, and "VM" when this machine is the one that ran
// them and it runs under a hypervisor.
func describeMachine(env bench.Environment) string {
	kind := "machine"
	if m := proc.ThisMachine(); m.Hypervisor && m.CPU == env.CPU && env.Cores == runtime.NumCPU() {
		kind = "VM"
	}
	cpu := env.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	return fmt.Sprintf("%d-core %s, %s, %s", env.Cores, kind, cpu, env.OS)
}

// loadNote says how busy the machine was when the suite started.
func loadNote() string {
	m := proc.ThisMachine()
	if !m.LoadKnown {
		return ""
	}
	note := fmt.Sprintf("The 1-minute load average when the suite started was %.2f on %d cores", m.Load1, runtime.NumCPU())
	if m.Load1 < 0.5 {
		return note + ": nothing else of note was running."
	}
	return note + "; other work on the machine shows in latency tails and CPU figures."
}
