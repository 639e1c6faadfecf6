package report

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
	"github.com/pushlab/pushlab/transport"
)

// capacity writes the capacity searches: one table row per bound and
// transport, the chart of capacity against the bound, and the bound from
// which polling serves as many clients as push.
func (m *md) capacity(runs []*Run) ([]string, error) {
	m.printf("## Capacity under a latency bound\n\n")
	m.printf("How many clients can this machine serve if an update may take at most a given time to arrive (the maximum acceptable latency, MAL)? ")
	m.printf("For each bound, `pushlab bench --capacity` searched per transport for the most clients for which 95 of 100 updates arrived within it: the most clients tried first, a small probe, then bisection, each step a short run against a fresh server. ")
	m.printf("A search stops at the bound (*mal*), at the harness's own limits (*harness*: the open-file limit of one process, or the harness's CPU saturating the machine first) or at the most clients asked for (*max-clients*: the true capacity is higher). ")
	m.printf("The client counts are kept to a few thousand, what the 2-core machine holds beside its own harness; *clients per server core* divides the capacity by the cores' worth of CPU the server spent at it.\n\n")
	m.printf("| MAL | transport | clients | clients per server core | limited by | steps | why it stopped | results |\n")
	m.printf("|--:|---|--:|--:|---|--:|---|---|\n")
	var all []*bench.Results
	for _, r := range runs {
		all = append(all, r.Results)
		for _, t := range r.Results.Points[0].InTableOrder() {
			c := t.Capacity
			if c == nil {
				continue
			}
			m.printf("| %s | %s | %s | %s | %s | %d | %s | %s |\n", c.MAL, label(t.Transport), count(int64(c.Clients)), perCore(c),
				c.LimitedBy, len(c.Steps), cell(c.Reason), m.link(r))
		}
	}
	m.printf("\nThe searches, one per bound:\n\n")
	for _, r := range runs {
		m.printf("- `%s`\n", r.Command)
	}
	m.printf("\n")
	points := charts.Capacities(all)
	f, err := charts.CapacityVsMAL(points, charts.CapacityCaption(all))
	var nd *charts.NoDataError
	if errors.As(err, &nd) {
		m.printf("*%s.*\n\n", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	files, err := m.figure(f)
	if err != nil {
		return files, err
	}
	m.printf("**Reading.** %s\n\n", parity(points))
	return files, nil
}

// perCore writes a capacity's clients per server core.
func perCore(c *bench.Capacity) string {
	if pc := c.ClientsPerCore(); pc > 0 {
		return count(int64(pc + 0.5))
	}
	return "—"
}

// parity says from which bound short polling serves as many clients as the
// push transport that served most, or that it never does in the range;
// where both reached the most clients tried, it compares the clients each
// served per core of server CPU instead.
func parity(points []charts.CapacityPoint) string {
	var mals []float64
	for _, p := range points {
		if !slices.Contains(mals, p.MAL) {
			mals = append(mals, p.MAL)
		}
	}
	slices.Sort(mals)
	if len(mals) == 0 {
		return "No capacity was measured."
	}
	at := func(name string, mal float64) (charts.CapacityPoint, bool) {
		for _, p := range points {
			if p.Transport == name && p.MAL == mal {
				return p, true
			}
		}
		return charts.CapacityPoint{}, false
	}
	// bestPush is the push transport that served most clients at a bound.
	bestPush := func(mal float64) (charts.CapacityPoint, bool) {
		best, found := charts.CapacityPoint{}, false
		for _, name := range transport.Names() {
			if name == transport.Short || name == transport.Long {
				continue
			}
			if p, ok := at(name, mal); ok && (!found || p.Clients > best.Clients) {
				best, found = p, true
			}
		}
		return best, found
	}
	s := ""
	for _, mal := range mals {
		poll, ok1 := at(transport.Short, mal)
		push, ok2 := bestPush(mal)
		if !ok1 || !ok2 || poll.Clients < push.Clients {
			continue
		}
		s = fmt.Sprintf("From a MAL of %s on, short polling (every %s at that bound) served as many clients as %s on this machine: %s against %s.",
			seconds(mal), poll.Poll, label(push.Transport), count(int64(poll.Clients)), count(int64(push.Clients)))
		if poll.Bounded && push.Bounded {
			s += " Both reached the most clients the search tried there, so that says only that both serve at least as many."
		}
		break
	}
	if s == "" {
		s = fmt.Sprintf("Short polling never served as many clients as push in the range measured (a MAL of %s to %s) on this machine.", seconds(mals[0]), seconds(mals[len(mals)-1]))
	}
	// Per core of server CPU, the counts the searches could not tell apart.
	var parts []string
	cheaperFrom := 0.0
	for _, mal := range mals {
		poll, ok1 := at(transport.Short, mal)
		push, ok2 := bestPush(mal)
		if !ok1 || !ok2 || poll.PerCore == 0 || push.PerCore == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s against %s", seconds(mal), count(int64(poll.PerCore+0.5)), count(int64(push.PerCore+0.5))))
		if poll.PerCore >= push.PerCore && cheaperFrom == 0 {
			cheaperFrom = mal
		} else if poll.PerCore < push.PerCore {
			cheaperFrom = 0
		}
	}
	if len(parts) > 0 {
		s += " Per core of server CPU, short polling against the best push transport served: " + list(parts) + "."
		if cheaperFrom > 0 {
			s += fmt.Sprintf(" From a MAL of %s on, polling cost the server less per client than push: its interval grows with the bound while push pays for every update whatever the bound allows.", seconds(cheaperFrom))
		} else {
			s += " At no bound measured did polling cost the server less per client than push."
		}
	}
	return s
}

// seconds writes a bound given in seconds as a duration ("250ms", "30s").
func seconds(s float64) string {
	return bench.Duration(s * 1e9).String()
}
