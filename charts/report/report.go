package report

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
)

// Run is one bench run of the suite as the report shows it.
type Run struct {
	Name    string         // short name: default, clients, interval, rtt
	Command string         // the pushlab bench command that reproduces it
	Data    string         // its results.json, as a path the reader of report.md can follow
	Source  string         // its results.json as the caller named it, for errors
	Results *bench.Results // what it measured
}

// Input is everything the report is written from.
type Input struct {
	Machine   string   // the machine in words, e.g. "2-core VM, AMD EPYC 7B13"
	Generated string   // when, RFC 3339
	Command   string   // the command that produced this report
	Rerender  string   // the command that redraws it from the saved results
	Notes     []string // said under the environment, e.g. the load when the suite started
	Runs      []Run
	FigDir    string // directory the charts are written to
	FigLink   string // the same directory as report.md links it, e.g. "report"
	// InstancesSkipped, when the suite ran without its run across
	// instances sharing a broker, says why; the report says so in that
	// run's section. Empty when the run is there, or when the report is
	// drawn from saved results that never had one.
	InstancesSkipped string
}

// Write draws every chart into in.FigDir and writes the markdown to w. It
// returns the chart files it wrote.
func Write(w io.Writer, in Input) ([]string, error) {
	var (
		files           []string
		plain, variants []*Run // runs without a sweep; variants have other clients (clients.go)
		instances       *Run   // the run across instances sharing a broker
		sweep           = map[string]*Run{}
	)
	for i := range in.Runs {
		r := &in.Runs[i]
		switch name := r.Results.SweepName(); {
		case name != "":
			sweep[name] = r
		case r.Results.Instances() > 1:
			instances = r
		case isVariant(r.Results.Scenario):
			variants = append(variants, r)
		default:
			plain = append(plain, r)
		}
	}
	base, reference, variants := chooseRuns(plain, variants)
	b := bufio.NewWriter(w)
	m := &md{w: b, in: in}
	m.header()
	if base != nil {
		fs, err := m.comparison(base)
		if err != nil {
			return files, base.wrap(err)
		}
		files = append(files, fs...)
		m.overhead(base.Results)
		m.clients(reference, variants)
	}
	for _, s := range []struct{ name, title string }{
		{"clients", "Clients sweep"},
		{"interval", "Short-poll interval sweep"},
		{"rtt", "Round-trip-time sweep"},
	} {
		if r := sweep[s.name]; r != nil {
			fs, err := m.sweep(s.title, r)
			if err != nil {
				return files, r.wrap(err)
			}
			files = append(files, fs...)
		}
	}
	if instances != nil || in.InstancesSkipped != "" {
		m.instances(instances, base, in.InstancesSkipped)
	}
	m.caveats()
	if m.err != nil {
		return files, m.err
	}
	return files, b.Flush()
}

// wrap names the run's results file in an error about its data.
func (r *Run) wrap(err error) error {
	src := r.Source
	if src == "" {
		src = r.Data
	}
	return fmt.Errorf("%s: %w", src, err)
}

// md accumulates the markdown; the first write error sticks.
type md struct {
	w   io.Writer
	in  Input
	err error
}

func (m *md) printf(format string, a ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, a...)
	}
}

func (m *md) header() {
	in := m.in
	m.printf("# pushlab report\n\n")
	m.printf("Generated %s on **%s** by `%s`. Every number below comes from the results files listed under Commands; nothing is copied from elsewhere except the historical columns of the header-overhead table, which are labelled as such.\n\n", in.Generated, in.Machine, in.Command)
	if len(in.Runs) == 0 {
		return
	}
	env := in.Runs[0].Results.Environment
	m.printf("## Environment\n\n| | |\n|---|---|\n")
	m.printf("| machine | %s |\n| CPU | %s |\n| cores | %d |\n| OS | %s |\n| Go | %s |\n", in.Machine, cell(env.CPU), env.Cores, cell(env.OS), cell(env.Go))
	if env.Target != "" {
		m.printf("| server under test | %s |\n", cell(env.Target))
	}
	if env.ClockNote != "" {
		m.printf("| clock note | %s |\n", cell(env.ClockNote))
	}
	m.printf("\nClients and server share the machine, so the harness's own CPU competes with the server's; the loopback network adds no delay unless a run says it adds RTT.")
	for _, n := range in.Notes {
		m.printf(" %s", n)
	}
	m.printf("\n\n")
	m.printf("## Commands\n\nThe whole report:\n\n```\n%s\n```\n\nEach run on its own, with its results file:\n\n| run | command | results |\n|---|---|---|\n", in.Command)
	for _, r := range in.Runs {
		m.printf("| %s | `%s` | [%s](%s) |\n", r.Name, r.Command, path.Base(path.Dir(r.Data))+"/"+path.Base(r.Data), r.Data)
	}
	m.printf("\nFrom a checkout, `go run ./cmd/pushlab` takes the same arguments as `pushlab`. ")
	if in.Rerender != "" {
		m.printf("This report again from these results, without running anything: `%s`; ", in.Rerender)
	}
	m.printf("the charts of one results file: `pushlab chart --in RESULTS.json --out DIR`.\n\n")
}

// figure writes a chart's files and its markdown image line.
func (m *md) figure(f *charts.Figure) ([]string, error) {
	files, err := f.Save(m.in.FigDir)
	if err != nil {
		return files, err
	}
	m.printf("![%s](%s/%s.png)\n\n", f.Title, m.in.FigLink, f.Name)
	m.printf("*%s* ([SVG](%s/%s.svg))\n\n", f.Title, m.in.FigLink, f.Name)
	return files, nil
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}
