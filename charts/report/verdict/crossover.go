package verdict

import (
	"math"
	"slices"
)

// Crossover is an update rate at which two options' costs are equal: below
// it one is cheaper, above it the other.
type Crossover struct {
	Rate         float64 // interpolated, updates per second
	CheaperBelow string  // option name
	CheaperAbove string
	// Below is the cheaper-below option at the highest measured rate under
	// the crossover: the figures a reader pays on that side.
	Below Option
}

// Crossovers finds where a's and b's cost lines cross between the rates both
// were measured at. Between two neighbouring rates whose cost difference
// changes sign, the crossing is interpolated on log-log axes (costs and
// rates span decades, and per-update overheads make the lines straight
// there). Costs not measured for an option leave it out.
func Crossovers(opts []Option, a, b string, c Cost) []Crossover {
	as, bs, rates := paired(opts, a, b, func(o Option) bool { return (c.Known == nil || c.Known(o)) && c.Of(o) > 0 && o.Rate > 0 })
	// diff > 0: a costs more than b.
	diff := func(r float64) float64 { return math.Log(c.Of(as[r])) - math.Log(c.Of(bs[r])) }
	var out []Crossover
	for i := 1; i < len(rates); i++ {
		r0, r1 := rates[i-1], rates[i]
		d0, d1 := diff(r0), diff(r1)
		if d0 == 0 || d0*d1 >= 0 {
			continue
		}
		// log r at which the difference is zero.
		f := d0 / (d0 - d1)
		r := math.Exp(math.Log(r0) + f*(math.Log(r1)-math.Log(r0)))
		x := Crossover{Rate: r}
		if d0 < 0 { // a is cheaper below
			x.CheaperBelow, x.CheaperAbove, x.Below = a, b, as[r0]
		} else {
			x.CheaperBelow, x.CheaperAbove, x.Below = b, a, bs[r0]
		}
		out = append(out, x)
	}
	return out
}

// paired is a's and b's options by rate, those keep accepts, and the rates
// at which both have one, in order.
func paired(opts []Option, a, b string, keep func(Option) bool) (as, bs map[float64]Option, rates []float64) {
	as, bs = map[float64]Option{}, map[float64]Option{}
	for _, o := range opts {
		if !keep(o) {
			continue
		}
		switch o.Name {
		case a:
			as[o.Rate] = o
		case b:
			bs[o.Rate] = o
		}
	}
	for r := range as {
		if _, ok := bs[r]; ok {
			rates = append(rates, r)
		}
	}
	slices.Sort(rates)
	return as, bs, rates
}
