package verdict

import (
	"fmt"
	"strings"
)

// Condition is the options measured under one network condition (a
// round-trip time of an RTT sweep), all at one update rate.
type Condition struct {
	Name string // "100 ms RTT"
	Opts []Option
}

// Across says, for one need, how the cheapest option that meets it changes
// from one condition to the next, in the order given: "At 4 updates/s,
// for 99% of updates under 100 ms, the fewest bytes are WebSocket's from
// 0 ms RTT to 200 ms RTT, and no transport meets the need from 300 ms RTT
// to 500 ms RTT."
func Across(conds []Condition, need Need, c Cost) string {
	if len(conds) == 0 || len(conds[0].Opts) == 0 {
		return ""
	}
	rate := conds[0].Opts[0].Rate
	type span struct {
		best        string // "" for none
		first, last string
		figure      string // the winner's cost at the first condition of the span
	}
	var spans []span
	for _, cd := range conds {
		ch := Choose(cd.Opts, rate, need, c)
		best, figure := "", ""
		if ch.Best != nil {
			best, figure = ch.Best.Name, c.Unit(c.Of(*ch.Best))
		}
		if n := len(spans); n > 0 && spans[n-1].best == best {
			spans[n-1].last = cd.Name
			continue
		}
		spans = append(spans, span{best: best, first: cd.Name, last: cd.Name, figure: figure})
	}
	head := fmt.Sprintf("At %s, for 99%% of updates %s, ", perSecond(rate), need.Name)
	if len(spans) == 1 {
		s := spans[0]
		measured := s.first
		if s.last != s.first {
			measured += " to " + s.last
		}
		if s.best == "" {
			return head + fmt.Sprintf("no transport meets the need at any round trip measured (%s).", measured)
		}
		return head + fmt.Sprintf("the cheapest by %s is %s at every round trip measured (%s; %s at %s): the round trip does not change the answer.",
			c.Name, s.best, measured, s.figure, s.first)
	}
	var parts []string
	for _, s := range spans {
		where := "at " + s.first
		if s.last != s.first {
			where = "from " + s.first + " to " + s.last
		}
		if s.best == "" {
			parts = append(parts, "no transport meets it "+where)
		} else {
			parts = append(parts, fmt.Sprintf("%s is the cheapest by %s %s (%s at %s)", s.best, c.Name, where, s.figure, s.first))
		}
	}
	return head + "the answer changes with the round trip: " + strings.Join(parts, "; ") + "."
}
