package bench

import (
	"errors"
	"strings"
	"testing"
)

func TestInstancesNeedABrokerAndNoTarget(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--instances", "2"}, "needs --broker"},
		{[]string{"--instances", "2", "--target", "http://127.0.0.1:1"}, "not with --target"},
		{[]string{"--instances", "2", "--broker", "nats://127.0.0.1:4222", "--target", "http://127.0.0.1:1"}, "not with --target"},
		{[]string{"--broker", "nats://127.0.0.1:4222"}, "needs --instances"},
		{[]string{"--broker", "nats://127.0.0.1:4222", "--target", "http://127.0.0.1:1"}, "--target"},
		{[]string{"--instances", "2", "--broker", "http://127.0.0.1:4222"}, "broker"},
		{[]string{"--instances", "2", "--broker", "nats://127.0.0.1:99999"}, "port"},
		{[]string{"--instances", "-1", "--broker", "nats://127.0.0.1:4222"}, "instances"},
		{[]string{"--instances", "99", "--broker", "nats://127.0.0.1:4222"}, "at most"},
		{[]string{"--sweep", "instances=1,2"}, "needs --broker"},
		{[]string{"--target", "http://127.0.0.1:1,http://127.0.0.1:1"}, "twice"},
		{[]string{"--target", "http://127.0.0.1:1,"}, "empty"},
		{[]string{"--target", "http://127.0.0.1:1,nats://127.0.0.1:2"}, "http"},
	} {
		sc, err := ParseArgs(c.args...)
		if err == nil {
			err = sc.Validate()
		}
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an input error about %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// Clients are spread over the instances and the first instance's publish:
// the updates each client expects count only those publishers' chat.
func TestInstancesSpreadTheClientsAndTheirChat(t *testing.T) {
	for _, c := range []struct {
		args             []string
		instances, chats int // of 5 clients
	}{
		{nil, 1, 5},
		{[]string{"--target", "http://127.0.0.1:1"}, 1, 5},
		{[]string{"--target", "http://127.0.0.1:1,http://127.0.0.1:2"}, 2, 3},
		{[]string{"--instances", "3", "--broker", "nats://127.0.0.1:4222"}, 3, 2},
	} {
		sc, err := ParseArgs(append(c.args, "--rate", "10", "--chat-rate", "1")...)
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got := sc.InstanceCount(); got != c.instances {
			t.Errorf("%v: %d instances, want %d", c.args, got, c.instances)
		}
		if got := sc.UpdatesPerSecond(5); got != 10+float64(c.chats) {
			t.Errorf("%v: %g updates/s for 5 clients, want 10 ticks + %d publishers' chat", c.args, got, c.chats)
		}
	}
	// A sweep of instances needs no --instances of its own, and writes
	// itself back.
	sc, err := ParseArgs("--broker", "nats://127.0.0.1:4222", "--sweep", "instances=1,2")
	if err != nil || sc.Validate() != nil {
		t.Fatalf("instances sweep: %v %v", err, sc.Validate())
	}
	if ps := sc.Points(); len(ps) != 2 || ps[1].Scenario.InstanceCount() != 2 || ps[1].Swept.Value.Axis() != 2 {
		t.Errorf("points %+v", ps)
	}
	if cmd := sc.Command(); !strings.Contains(cmd, "--broker nats://127.0.0.1:4222 --sweep instances=1,2") {
		t.Errorf("command %s", cmd)
	}
}

func TestResultsKeepNoBrokerPassword(t *testing.T) {
	if got := BrokerForResults("nats://me:secret@127.0.0.1:4222,nats://10.0.0.2:4222"); got != "nats://127.0.0.1:4222,nats://10.0.0.2:4222" {
		t.Errorf("got %s", got)
	}
}
