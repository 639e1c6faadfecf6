package verdict

import (
	"fmt"
)

// Standing is how two options compare at every rate both were measured
// at, when their cost lines do not cross: one costs more throughout.
type Standing struct {
	Dearer, Cheaper string
	// Low and High are the dearer option's cost over the cheaper's at the
	// lowest and highest rates both were measured at.
	LowRate, Low, HighRate, High float64
}

// Stand compares a and b over the rates both were measured at (for cost
// c, where ok says the figure at a rate may be compared): ok is false when
// they were measured at fewer than two rates together or their lines
// cross.
func Stand(opts []Option, a, b string, c Cost, ok func(Option) bool) (Standing, bool) {
	as, bs, rates := paired(opts, a, b, func(o Option) bool { return (c.Known == nil || c.Known(o)) && (ok == nil || ok(o)) })
	if len(rates) < 2 {
		return Standing{}, false
	}
	dearer := c.Of(as[rates[0]]) > c.Of(bs[rates[0]])
	for _, r := range rates {
		if (c.Of(as[r]) > c.Of(bs[r])) != dearer || c.Of(as[r]) == c.Of(bs[r]) {
			return Standing{}, false
		}
	}
	lo, hi := rates[0], rates[len(rates)-1]
	s := Standing{Dearer: a, Cheaper: b, LowRate: lo, HighRate: hi,
		Low: c.Of(as[lo]) / c.Of(bs[lo]), High: c.Of(as[hi]) / c.Of(bs[hi])}
	if !dearer {
		s = Standing{Dearer: b, Cheaper: a, LowRate: lo, HighRate: hi,
			Low: c.Of(bs[lo]) / c.Of(as[lo]), High: c.Of(bs[hi]) / c.Of(as[hi])}
	}
	return s, true
}

// Sentence says the standing in one sentence.
func (s Standing) Sentence(c Cost) string {
	return fmt.Sprintf("%s %s %s at every rate measured: %s costs %s× as much at %s and %s× at %s.",
		s.Cheaper, c.verb(), s.Dearer, s.Dearer, sig3(s.Low), perSecond(s.LowRate), sig3(s.High), perSecond(s.HighRate))
}
