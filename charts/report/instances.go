package report

import (
	"slices"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/charts"
	"github.com/pushlab/pushlab/transport"
)

// instances writes the run whose clients were spread over several
// instances sharing one live state through a broker, beside the one-instance
// comparison (base) when that ran the same scenario; or, when the suite ran
// without it, says why.
func (m *md) instances(run, base *Run, skipped string) {
	m.printf("## Two instances through NATS\n\n")
	if run == nil {
		m.printf("Skipped: %s. `pushlab report --broker nats://HOST:PORT` adds this run when a NATS server with JetStream answers there; [scale.md](scale.md) says how to start one.\n\n", skipped)
		return
	}
	r := run.Results
	n := r.Instances()
	m.printf("`%s` — %s.\n\n", run.Command, charts.Caption(r))
	m.printf("Each transport's clients were spread round-robin over %d `pushlab serve --broker` instances sharing %s: ", n, cellOr(r.Environment.Broker, "one broker"))
	m.printf("the first instance generates the ticks and its clients publish the chat, so every update reached the other instances' clients through the broker. ")
	m.printf("Latency runs from the update's publish time, stamped by the instance that published it and carried in the stream (the same on every instance), to the moment a client holds it, on this machine's clock")
	if r.Environment.Remote {
		m.printf(": the instances ran on other hosts, so the figure is only as good as the clocks' synchronisation. ")
	} else {
		m.printf(": every instance ran on this host, so it is one clock. ")
	}
	m.printf("Server bytes, CPU and memory are sums over the instances (memory: each instance's peak, added).\n\n")

	one := comparable(base, r)
	m.printf("| transport | clients | delivered | missed | chat missed | errors | p50 (ms) | p99 (ms) |")
	sep := "|---|--:|--:|--:|--:|--:|--:|--:|"
	if one != nil {
		m.printf(" one instance p50 (ms) | one instance p99 (ms) |")
		sep += "--:|--:|"
	}
	m.printf(" server/client bytes (%%) | server CPU (s) | server RSS (MiB) |\n%s--:|--:|--:|\n", sep)
	for _, t := range r.Points[0].InTableOrder() {
		l := t.Latency
		m.printf("| %s | %d | %s | %s | %s | %s | %s | %s |", label(t.Transport), t.Clients, count(t.Delivered), count(t.Missed),
			count(t.ChatMissed), count(t.Errors), ms(l.P50), ms(l.P99))
		if one != nil {
			if o, ok := find(one.Points[0], t.Transport); ok {
				m.printf(" %s | %s |", ms(o.Latency.P50), ms(o.Latency.P99))
			} else {
				m.printf(" — | — |")
			}
		}
		m.printf(" %s | %s | %s |\n", agreement(t), sig3(t.ServerCPU), mib(t.ServerRSS))
	}
	m.printf("\n")
	m.problems(r)
	if one == nil {
		return
	}
	ws, ok1 := find(r.Points[0], transport.WS)
	o, ok2 := find(one.Points[0], transport.WS)
	if ok1 && ok2 && ws.Latency.N > 0 && o.Latency.N > 0 {
		m.printf("Against the default comparison above (the same scenario on one instance without a broker, a separate run), the broker hop moved WebSocket's median from %s to %s ms and its p99 from %s to %s ms. ",
			ms(o.Latency.P50), ms(ws.Latency.P50), ms(o.Latency.P99), ms(ws.Latency.P99))
	}
	if r.Scenario.ChatRate > 0 {
		m.printf("There every client published chat; here only the first instance's clients do, so fewer chat updates flow.")
	}
	m.printf("\n\n")
}

// comparable is base when it ran the scenario r ran, on one instance: its
// latency is then what the broker hop is measured against; nil otherwise.
func comparable(base *Run, r *bench.Results) *bench.Results {
	if base == nil || base.Results.Instances() != 1 {
		return nil
	}
	a, b := base.Results.Scenario, r.Scenario
	if !slices.Equal(a.Transports, b.Transports) || a.Clients != b.Clients || a.Rate != b.Rate || a.Payload != b.Payload ||
		a.Interval != b.Interval || a.Wait != b.Wait || a.ChatRate != b.ChatRate || a.Duration != b.Duration || a.RTT != b.RTT {
		return nil
	}
	return base.Results
}

// cellOr is s in backticks, or the words instead when it is empty.
func cellOr(s, instead string) string {
	if s == "" {
		return instead
	}
	return "`" + s + "`"
}
