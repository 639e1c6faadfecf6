package report

import (
	"fmt"
	"strings"

	"github.com/pushlab/pushlab/bench"
)

// The readings say in words what a chart shows. Every number in them comes
// from the results; the explanations say what the mechanism predicts, so a
// reader can check the prediction against the number next to it.

// list joins "a, b and c".
func list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func readCDF(r *bench.Results, i int) string {
	p := r.Points[i]
	var med []string
	for _, t := range p.InTableOrder() {
		med = append(med, fmt.Sprintf("%s %s ms (p99 %s ms)", label(t.Transport), ms(t.Latency.P50), ms(t.Latency.P99)))
	}
	s := fmt.Sprintf("**Reading.** Median publish-to-seen latency: %s.", list(med))
	short, hasShort := find(p, "short")
	if hasShort && r.Scenario.Interval > 0 {
		half := r.Scenario.Interval.D().Seconds() * 1000 / 2
		s += fmt.Sprintf(" A short poller learns of an update only at its next poll, so its median is expected near half the %s interval (%s ms); it measured %s ms.",
			r.Scenario.Interval, sig3(half), ms(short.Latency.P50))
		if push, ok := fastest(p, "ws", "sse"); ok && push.Latency.P50 > 0 {
			s += fmt.Sprintf(" That is %s× the median of %s, which sends each update the moment it is published.",
				sig3(float64(short.Latency.P50)/float64(push.Latency.P50)), label(push.Transport))
		}
	}
	if long, ok := find(p, "long"); ok {
		s += fmt.Sprintf(" Long polling also answers at once (median %s ms), but each answer ends the request, and an update published while the client re-polls waits for the new request, which is expected to widen its tail (p99 %s ms).",
			ms(long.Latency.P50), ms(long.Latency.P99))
	}
	return s
}

// fastest returns, of the named transports, the one with the lowest p50.
func fastest(p bench.Point, names ...string) (bench.TransportResult, bool) {
	var best bench.TransportResult
	found := false
	for _, n := range names {
		if t, ok := find(p, n); ok && t.Delivered > 0 && (!found || t.Latency.P50 < best.Latency.P50) {
			best, found = t, true
		}
	}
	return best, found
}

func readBytes(r *bench.Results, i int) string {
	p := r.Points[i]
	var parts []string
	for _, t := range p.InTableOrder() {
		if t.Updates() == 0 || t.BytesPerUpdate == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s B (%s%% headers and framing)",
			label(t.Transport), sig3(t.BytesPerUpdate), pct(t.OverheadPerUpdate()/t.BytesPerUpdate)))
	}
	s := fmt.Sprintf("**Reading.** Wire bytes per update received: %s.", list(parts))
	s += fmt.Sprintf(" The dark part is the update JSON itself (the same bytes on every transport, here about %s B); the light part is the price of the transport.", sig3(p.MeanPayloadPerUpdate()))
	if t, ok := find(p, "short"); ok && t.Updates() > 0 && t.HeaderBytes() > 0 {
		s += fmt.Sprintf(" A short poll pays a request and a response header (%s B measured) on every poll, empty or not: %s requests for %s updates received is %s B of headers per update.",
			bytesf(t.HeaderBytes()), count(t.Requests), count(t.Updates()), sig3(t.HeaderBytesPerUpdate()))
		if u := r.Scenario.UpdatesPerSecond(t.Clients); u > 0 && r.Scenario.Interval > 0 {
			s += fmt.Sprintf(" At %s and a poll every %s, a poll finds about %s updates, and the fewer it finds the more each one costs.",
				describeRate(r.Scenario, t.Clients), r.Scenario.Interval, sig3(u*r.Scenario.Interval.D().Seconds()))
		}
	}
	if t, ok := find(p, "long"); ok && t.Updates() > 0 && t.HeaderBytes() > 0 {
		s += fmt.Sprintf(" A long poll pays its own request and response header (%s B) for about every update, because each answer ends its request.",
			bytesf(t.HeaderBytes()))
	}
	var frames []string
	for _, name := range []string{"ws", "sse"} {
		if t, ok := find(p, name); ok && t.FrameOverheadBytes > 0 {
			frames = append(frames, fmt.Sprintf("%s %s B", label(name), bytesf(t.FrameOverheadBytes)))
		}
	}
	if len(frames) > 0 {
		s += " Once connected, the push transports pay only their framing per update: " + list(frames) + "."
	}
	return s
}

func readRequests(r *bench.Results, i int) string {
	p := r.Points[i]
	secs := r.Seconds(i)
	var parts []string
	for _, t := range p.InTableOrder() {
		parts = append(parts, fmt.Sprintf("%s %s/s (%s%% empty)", label(t.Transport), sig3(t.RequestsPerSecond(secs)), pct(t.EmptyShare())))
	}
	s := fmt.Sprintf("**Reading.** HTTP requests: %s.", list(parts))
	if short, ok := find(p, "short"); ok && r.Scenario.Interval > 0 && r.Scenario.UpdatesPerSecond(short.Clients) > 0 {
		perPoll := r.Scenario.UpdatesPerSecond(short.Clients) * r.Scenario.Interval.D().Seconds()
		s += fmt.Sprintf(" With %s and a poll every %s, a poll finds on average %s new updates", describeRate(r.Scenario, short.Clients), r.Scenario.Interval, sig3(perPoll))
		if perPoll < 1 {
			s += fmt.Sprintf(", so many polls come back empty (%s%% measured): requests that cost headers and server work and carry nothing.", pct(short.EmptyShare()))
		} else {
			s += fmt.Sprintf("; empty polls are rare here (%s%%), but every update still waits for a poll.", pct(short.EmptyShare()))
		}
	}
	if long, ok := find(p, "long"); ok && long.Updates() > 0 {
		s += fmt.Sprintf(" A long poll returns as soon as something is new, so it makes about one request per update received (%s requests for %s updates).",
			count(long.Requests), count(long.Updates()))
	}
	var quiet []string
	for _, name := range []string{"ws", "sse"} {
		if t, ok := find(p, name); ok && t.Requests == 0 {
			quiet = append(quiet, label(name))
		}
	}
	switch len(quiet) {
	case 0:
		s += " WebSocket and SSE make one request per connection and then only receive."
	case 1:
		s += fmt.Sprintf(" %s made no request inside the measured window: its one request per connection came before it, and since then it has only received.", quiet[0])
	default:
		s += fmt.Sprintf(" %s made no request inside the measured window: their one request per connection (the upgrade, the event-stream GET) came before it, and since then they have only received.", list(quiet))
	}
	if sse, ok := find(p, "sse"); ok && sse.Requests > 0 && r.Scenario.ChatRate > 0 {
		s += fmt.Sprintf(" SSE is one-way, so its clients send each chat message as a POST: %s/s expected (%d clients × %g/s), %s/s measured; the polling transports' counts include the same POSTs.",
			sig3(float64(r.Scenario.ChatRate)*float64(sse.Clients)), sse.Clients, r.Scenario.ChatRate, sig3(sse.RequestsPerSecond(secs)))
	}
	return s
}

// describeRate says where the scenario's updates per second come from.
func describeRate(sc bench.Scenario, clients int) string {
	if sc.ChatRate == 0 {
		return fmt.Sprintf("%g updates/s", sc.Rate)
	}
	return fmt.Sprintf("%s updates/s (%g ticks/s plus %d clients × %g chat/s)", sig3(sc.UpdatesPerSecond(clients)), sc.Rate, clients, sc.ChatRate)
}
