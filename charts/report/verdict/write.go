package verdict

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pushlab/pushlab/charts"
)

// Bytes is the cost of wire bytes per client per second.
var Bytes = Cost{
	Name:  "bytes",
	Of:    func(o Option) float64 { return o.BytesPerClientSecond },
	Unit:  func(v float64) string { return sig3(v) + " B/s per client" },
	Known: func(o Option) bool { return o.BytesPerClientSecond > 0 },
}

// CPU is the cost of the server's CPU time per client per second.
var CPU = Cost{
	Name:  "server CPU",
	Of:    func(o Option) float64 { return o.CPUPerClientSecond },
	Unit:  func(v float64) string { return sig3(v*1e6) + " µs CPU/s per client" },
	Known: func(o Option) bool { return o.CPUPerClientSecond > 0 },
}

// verb is how a sentence says an option costs less.
func (c Cost) verb() string {
	if c.Name == "bytes" {
		return "moves fewer bytes than"
	}
	return "uses less " + c.Name + " than"
}

// Cell is a choice in a table cell: the winner and its figure, then the
// runner-up, or why there is none.
func (ch Choice) Cell(c Cost) string {
	if ch.Best == nil {
		return "none meets it"
	}
	s := fmt.Sprintf("**%s** %s", ch.Best.Name, c.Unit(c.Of(*ch.Best)))
	if ch.RunnerUp != nil {
		s += fmt.Sprintf("; then %s %s", ch.RunnerUp.Name, c.Unit(c.Of(*ch.RunnerUp)))
	}
	return s
}

// Sentence says the choice in words.
func (ch Choice) Sentence(c Cost) string {
	if ch.Best == nil {
		return fmt.Sprintf("At %s, no transport measured here shows 99%% of updates %s.", perSecond(ch.Rate), ch.Need.Name)
	}
	s := fmt.Sprintf("At %s, for 99%% of updates %s, %s costs the least %s: %s (p99 %s)",
		perSecond(ch.Rate), ch.Need.Name, ch.Best.Name, c.Name, c.Unit(c.Of(*ch.Best)), millis(ch.Best.P99))
	if ch.RunnerUp != nil {
		s += fmt.Sprintf("; the runner-up is %s at %s (p99 %s)", ch.RunnerUp.Name, c.Unit(c.Of(*ch.RunnerUp)), millis(ch.RunnerUp.P99))
	} else {
		s += "; nothing else meets the need"
	}
	return s + "."
}

// Sentence says the crossover in one sentence.
func (x Crossover) Sentence(c Cost) string {
	return fmt.Sprintf("Below %s, %s %s %s (at %s it costs %s, with a p50 of %s); above it, %s does.",
		perSecond(x.Rate), x.CheaperBelow, c.verb(), x.CheaperAbove, perSecond(x.Below.Rate), c.Unit(c.Of(x.Below)),
		millis(x.Below.P50), x.CheaperAbove)
}

// Table writes one markdown row per rate and one column per need, each cell
// the cheapest option that meets the need and its runner-up.
func Table(w io.Writer, opts []Option, c Cost) error {
	var b strings.Builder
	b.WriteString("| updates/s |")
	for _, n := range Needs {
		fmt.Fprintf(&b, " 99%% %s |", n.Name)
	}
	b.WriteString("\n|--:|" + strings.Repeat("---|", len(Needs)) + "\n")
	for _, r := range Rates(opts) {
		fmt.Fprintf(&b, "| %s |", rate(r))
		for _, n := range Needs {
			fmt.Fprintf(&b, " %s |", Choose(opts, r, n, c).Cell(c))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// rate writes an update rate with two significant digits (0.1, 0.78, 2.5,
// 50) and whole numbers from 100 up.
func rate(r float64) string {
	if r >= 100 {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'g', 2, 64)
}

// perSecond writes a rate with its unit: "1 update/s", "0.1 updates/s".
func perSecond(r float64) string {
	if rate(r) == "1" {
		return "1 update/s"
	}
	return rate(r) + " updates/s"
}

// millis writes a latency in milliseconds with the report's precision.
func millis(d time.Duration) string { return sig3(float64(d)/float64(time.Millisecond)) + " ms" }

// sig3 is the report's precision, the same as the charts' labels.
func sig3(v float64) string { return charts.Sig3(v) }
