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

// Switch is a flag without a value (--capacity); in a reproducing command
// line it is written alone when on and left out when off.
type Switch bool

// Set reads true or false (the flag package passes "true" for --capacity).
func (s *Switch) Set(v string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("want true or false, got %q", v)
	}
	*s = Switch(b)
	return nil
}

func (s Switch) String() string { return strconv.FormatBool(bool(s)) }

// IsBoolFlag lets the flag package take --capacity without a value.
func (s *Switch) IsBoolFlag() bool { return true }
