package bench

import (
	"net/url"
	"strings"

	"github.com/pushlab/pushlab/state/broker"
)

// MaxInstances bounds --instances: each is a child process of the bench
// on this machine, and beyond a few they only compete for its cores.
const MaxInstances = 16

// validateInstances checks --instances and --broker: child instances need
// a broker to share the state through, and a target list names servers
// that are already running.
func (sc *Scenario) validateInstances() error {
	switch {
	case sc.Instances < 0:
		return inputErrorf("instances: must be >= 1, got %d", sc.Instances)
	case sc.Instances > MaxInstances:
		return inputErrorf("instances: at most %d child servers, got %d", MaxInstances, sc.Instances)
	case sc.Instances > 0 && sc.Target != "":
		return inputErrorf("instances: the bench starts its own servers, not with --target (list running instances in --target instead)")
	case sc.Broker != "" && sc.Target != "":
		return inputErrorf("broker: for the bench's own instances (--instances); --target servers have their own")
	case sc.Instances > 0 && sc.Broker == "":
		return inputErrorf("instances: needs --broker nats://HOST:PORT (the instances share one live state through it)")
	case sc.Broker != "" && sc.Instances == 0 && sc.Sweep.Name != "instances":
		return inputErrorf("broker: needs --instances N (the bench starts N servers sharing it)")
	}
	if sc.Broker != "" {
		if _, err := broker.ParseURLs(sc.Broker); err != nil {
			return inputErrorf("broker: %v", err)
		}
	}
	return nil
}

// InstanceCount is how many servers each transport's clients are spread
// over: the --target list's length, --instances, or one.
func (sc Scenario) InstanceCount() int {
	if sc.Instances > 0 {
		return int(sc.Instances)
	}
	if sc.Target != "" {
		return max(1, strings.Count(sc.Target, ",")+1)
	}
	return 1
}

// Publishers is how many of a transport's clients publish chat. Clients
// are spread round-robin over the instances, and the ones on the first
// instance publish, so that every chat update crosses to the clients of
// the others; with one instance, all of them; at most Chatters of them.
func (sc Scenario) Publishers(clients int) int {
	n := sc.InstanceCount()
	p := (clients + n - 1) / n
	if sc.Chatters > 0 {
		p = min(p, int(sc.Chatters))
	}
	return p
}

// Chats reports whether client i of a transport (in the order they are
// started, round-robin over the instances) publishes chat.
func (sc Scenario) Chats(i int) bool {
	n := sc.InstanceCount()
	return sc.ChatRate > 0 && i%n == 0 && (sc.Chatters == 0 || i/n < int(sc.Chatters))
}

// BrokerForResults is the --broker URL as results may record it: without
// user information, which a results file committed to a repository must
// not carry.
func BrokerForResults(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			u.User = nil
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}
