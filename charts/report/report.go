package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"path"
	"slices"
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
	var files []string
	rs := sortRuns(in.Runs)
	b := bufio.NewWriter(w)
	m := &md{w: b, in: in}
	m.header()
	if rs.rate != nil {
		m.headline(rs.rate, rs.variants[rs.rate])
	}
	m.verdict(rs)
	if rs.base != nil {
		fs, err := m.comparison(rs.base)
		if err != nil {
			return files, rs.base.wrap(err)
		}
		files = append(files, fs...)
		m.overhead(rs.base.Results)
		m.floor(rs.base)
		m.clients(rs.reference, rs.clientVariants)
	}
	for _, r := range rs.sweeps {
		fs, err := m.sweep(rs.title(r), r, rs.variants[r])
		if err != nil {
			return files, r.wrap(err)
		}
		files = append(files, fs...)
	}
	if rs.instances != nil || in.InstancesSkipped != "" {
		m.instances(rs.instances, rs.base, in.InstancesSkipped)
	}
	if len(rs.capacity) > 0 {
		fs, err := m.capacity(rs.capacity)
		if err != nil {
			return files, err
		}
		files = append(files, fs...)
	}
	m.printf("## The classic studies replayed\n\n")
	m.printf("[literature.md](literature.md) sets three studies that everyone quotes beside these runs: their setting, their claim, the command that reproduces the setting here, what the lab measured and whether the claim holds today.\n\n")
	m.caveats()
	if m.err != nil {
		return files, m.err
	}
	return files, b.Flush()
}

// runs are the report's runs by the part they play.
type runs struct {
	base           *Run   // the default comparison (chooseRuns)
	reference      *Run   // the run the client variants are set against
	clientVariants []*Run // the default comparison with other clients: profile, cookie, TLS, compression
	instances      *Run   // the run across instances sharing a broker
	sweeps         []*Run // in the order given, variants and capacity searches apart
	rate           *Run   // the update-rate sweep, if there is one
	variants       map[*Run][]*Run
	capacity       []*Run // --capacity searches, in the order given
}

// sortRuns sorts the runs by the part they play: a --capacity search; a
// run across instances; a variant of a sweep (cache-timed short polling),
// drawn beside the sweep of the same parameter and values; a sweep; the
// default comparison and its client variants.
func sortRuns(in []Run) runs {
	rs := runs{variants: map[*Run][]*Run{}}
	var variants, plain, clientVariants []*Run
	for i := range in {
		r := &in[i]
		switch res := r.Results; {
		case bool(res.Scenario.Capacity):
			rs.capacity = append(rs.capacity, r)
		case res.Instances() > 1:
			rs.instances = r
		case charts.VariantOf(res) != "" && res.SweepName() != "":
			variants = append(variants, r)
		case res.SweepName() != "":
			rs.sweeps = append(rs.sweeps, r)
			if res.SweepName() == "rate" && rs.rate == nil {
				rs.rate = r
			}
		case isVariant(res.Scenario):
			clientVariants = append(clientVariants, r)
		default:
			plain = append(plain, r)
		}
	}
	rs.base, rs.reference, rs.clientVariants = chooseRuns(plain, clientVariants)
	slices.SortStableFunc(rs.capacity, func(a, b *Run) int {
		return cmp.Compare(a.Results.Scenario.MAL, b.Results.Scenario.MAL)
	})
	for _, v := range variants {
		if s := rs.sweepLike(v); s != nil {
			rs.variants[s] = append(rs.variants[s], v)
		} else {
			rs.sweeps = append(rs.sweeps, v) // nothing to stand beside: a sweep of its own
		}
	}
	return rs
}

// sweepLike finds the sweep a variant run stands beside: the same swept
// parameter and values.
func (rs runs) sweepLike(v *Run) *Run {
	for _, s := range rs.sweeps {
		if s.Results.Scenario.Sweep.String() == v.Results.Scenario.Sweep.String() {
			return s
		}
	}
	return nil
}

// sweepTitles are the sections' titles by swept parameter.
var sweepTitles = map[string]string{
	"clients":  "Clients sweep",
	"interval": "Short-poll interval sweep",
	"rtt":      "Round-trip-time sweep",
	"rate":     "Update-rate sweep",
}

// title is a sweep's section title; when two runs sweep the same
// parameter, each says its update rate and poll interval.
func (rs runs) title(r *Run) string {
	name := r.Results.SweepName()
	t, ok := sweepTitles[name]
	if !ok {
		t = "Sweep of " + name
	}
	for _, o := range rs.sweeps {
		if o != r && o.Results.SweepName() == name {
			sc := r.Results.Scenario
			return fmt.Sprintf("%s at %s, polls every %s", t, perSecond(float64(sc.Rate)), sc.Interval)
		}
	}
	return t
}

// perSecond writes an update rate with its unit: "1 update/s", "0.1 updates/s".
func perSecond(r float64) string {
	if r == 1 {
		return "1 update/s"
	}
	return fmt.Sprintf("%g updates/s", r)
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
	w     io.Writer
	in    Input
	err   error
	drawn map[string]bool // chart file names written so far
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

// figure writes a chart's files and its markdown image line. A second
// chart of the same name (two runs sweeping the same parameter) is saved
// as NAME-2, and so on, rather than over the first.
func (m *md) figure(f *charts.Figure) ([]string, error) {
	if m.drawn == nil {
		m.drawn = map[string]bool{}
	}
	name := f.Name
	for n := 2; m.drawn[f.Name]; n++ {
		f.Name = fmt.Sprintf("%s-%d", name, n)
	}
	m.drawn[f.Name] = true
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
