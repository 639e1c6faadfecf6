package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// The types of the parameters --sweep cannot vary: a choice of words, a
// fraction, a switch. Each reads and writes the flag syntax.

// PollSchedule is when the short poller asks: every interval whatever the
// answer said ("fixed", the default), or when the last answer's
// Cache-Control and Expires say the next update is due ("cache").
type PollSchedule string

// The poll schedules.
const (
	PollFixed PollSchedule = "fixed"
	PollCache PollSchedule = "cache"
)

// Set reads fixed or cache.
func (p *PollSchedule) Set(s string) error {
	switch v := PollSchedule(strings.TrimSpace(s)); v {
	case PollFixed, PollCache:
		*p = v
		return nil
	}
	return fmt.Errorf("want fixed or cache, got %q", s)
}

func (p PollSchedule) String() string { return string(p) }

// FollowsCache reports whether short polls are timed by the answers' cache
// headers. Results written before the schedule was recorded polled fixed.
func (p PollSchedule) FollowsCache() bool { return p == PollCache }

// Fraction is a share between 0 and 1: the quantile of updates a latency
// bound must hold for.
type Fraction float64

// Set reads a number; Validate says whether it is in range.
func (f *Fraction) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return fmt.Errorf("want a fraction like 0.95, got %q", s)
	}
	*f = Fraction(v)
	return nil
}

func (f Fraction) String() string { return strconv.FormatFloat(float64(f), 'g', -1, 64) }
