package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/run"
	"github.com/pushlab/pushlab/charts/report"
	"github.com/pushlab/pushlab/state/broker"
)

// Broker reachability, before the run across instances is tried.
const (
	brokerDialTimeout = 2 * time.Second // per URL
	natsDefaultPort   = "4222"          // a nats:// URL without a port means this one
)

// InstancesName is the run across instances: its name in the report and
// its data directory under report/data.
const InstancesName = "nats"

// InstancesEntry is the suite's run across two instances sharing the
// broker at urls: the default comparison's scenario, each transport's
// clients spread over two child servers, so the report can set the two
// side by side.
func InstancesEntry(urls string) Entry {
	sc := bench.DefaultScenario()
	sc.Name = InstancesName
	sc.Instances = 2
	sc.Broker = urls
	return Entry{Name: InstancesName, Scenario: sc}
}

// CheckBroker refuses a --broker that is not a list of NATS URLs, before
// anything runs.
func CheckBroker(urls string) error {
	if _, err := broker.ParseURLs(urls); err != nil {
		return bench.InputErrorf("--broker: %v", err)
	}
	return nil
}

// RunInstances runs InstancesEntry and saves its results under
// figDir/data, when a broker answers at urls. Without one, or when the run
// cannot use it (no JetStream, say), it returns no run and why it was
// skipped, for the report to say; only an interruption is an error.
func RunInstances(ctx context.Context, urls, figDir, outDir string, progress io.Writer) (*report.Run, string, error) {
	if urls == "" {
		return nil, "no `--broker` was given", nil
	}
	if err := brokerAnswers(ctx, urls); err != nil {
		return nil, fmt.Sprintf("no NATS server answered at `%s` (%v)", bench.BrokerForResults(urls), err), nil
	}
	e := InstancesEntry(urls)
	if progress != nil {
		fmt.Fprintf(progress, "report: run across instances: %s\n", e.Scenario.Command())
	}
	r, err := run.Run(ctx, e.Scenario, run.Options{Progress: progress})
	if ctx.Err() != nil {
		return nil, "", ctx.Err()
	}
	var ie *bench.InputError
	if errors.As(err, &ie) {
		return nil, fmt.Sprintf("the instances could not use the broker (%s)", oneLine(err)), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s run: %w", e.Name, err)
	}
	dir := filepath.Join(figDir, "data", e.Name)
	if err := bench.WriteResults(dir, r); err != nil {
		return nil, "", fmt.Errorf("%s run: %w", e.Name, err)
	}
	rn := newRun(e.Name, filepath.Join(dir, "results.json"), outDir, r)
	return &rn, "", nil
}

// brokerAnswers reports whether something accepts connections at one of
// the broker URLs at least: the cheap check that the run is worth trying.
func brokerAnswers(ctx context.Context, urls string) error {
	list, err := broker.ParseURLs(urls)
	if err != nil {
		return err
	}
	d := net.Dialer{Timeout: brokerDialTimeout}
	for _, raw := range list {
		u, _ := url.Parse(raw) // ParseURLs read it
		host := u.Host
		if u.Port() == "" {
			host = net.JoinHostPort(u.Hostname(), natsDefaultPort)
		}
		var conn net.Conn
		if conn, err = d.DialContext(ctx, "tcp", host); err == nil {
			conn.Close()
			return nil
		}
	}
	return err
}

// oneLine keeps an error message to one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
