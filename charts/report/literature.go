package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// WriteLiterature writes docs/literature.md: three studies everyone quotes,
// each with its setting, its claim, the lab command that reproduces the
// setting here, the lab's figure, and whether the claim holds today. Its
// figures come from the same runs as the report.
func WriteLiterature(w io.Writer, in Input) error {
	b := bufio.NewWriter(w)
	m := &md{w: b, in: in}
	rs := sortRuns(in.Runs)
	m.printf("# The classic studies, replayed\n\n")
	m.printf("Generated %s on **%s** by `%s`, from the same results as [report.md](report.md). ", in.Generated, in.Machine, in.Command)
	m.printf("The claims that every push-versus-poll discussion repeats come from a few studies. For each: its setting, its claim (in our words, from the source listed under References), the `pushlab bench` command that sets the lab up the same way, what the lab measured on today's stack, and whether the claim holds and why. ")
	m.printf("Every lab figure below names the results file and point it comes from. The simulated clients send the lean Go client's request headers, not yet a browser's (which are about five times larger): that favours polling in every comparison of bytes.\n\n")
	m.lubbers(rs)
	m.pimentel(rs)
	m.bozdag(rs)
	m.references()
	if m.err != nil {
		return m.err
	}
	return b.Flush()
}

// Verdict words, from the measured ratio against the claimed one.
func holds(measured, claimed float64) string {
	switch {
	case measured >= claimed/2:
		return "holds"
	case measured > 1.1:
		return "holds in direction, not in size"
	}
	return "does not hold"
}

// transportAt finds transport t at the point of r labelled l.
func transportAt(r *Run, l, t string) (bench.TransportResult, float64, bool) {
	i := pointAt(r.Results, l)
	if i < 0 {
		return bench.TransportResult{}, 0, false
	}
	tr, ok := find(r.Results.Points[i], t)
	return tr, r.Results.Seconds(i), ok
}

// ratio is a/b written as "N:1", or "1:N" when a is the smaller, with
// three significant digits.
func ratio(a, b float64) string {
	switch {
	case a <= 0 || b <= 0:
		return "—"
	case a < b:
		return "1:" + sig3(b/a)
	}
	return sig3(a/b) + ":1"
}

// times is a/b in prose: "3.91 times", or "0.443 times".
func times(a, b float64) string {
	if b <= 0 {
		return "—"
	}
	return sig3(a/b) + " times"
}

func (m *md) lubbers(rs runs) {
	m.printf("## 1. Lubbers and Greco (Kaazing, 2010): headers against frames\n\n")
	m.printf("**Setting.** Arithmetic, not a measurement: N clients each polling once a second and finding one update each time, where every poll carries an example exchange of 871 bytes of HTTP request and response headers, against the same updates pushed as WebSocket frames with 2 bytes of framing each, for 1,000, 10,000 and 100,000 clients [1].\n\n")
	m.printf("**Claim.** WebSocket cuts the header traffic of polling by 500:1, or 1000:1 with larger headers, and latency by 3:1 (a poll needs a request's round trip, about 150 ms in their example, where a pushed message needs one way, about 50 ms) [1].\n\n")
	base := rs.base
	if base == nil {
		m.printf("*Not measured in these results: the default comparison (`pushlab bench`) gives the header and frame sizes.*\n\n")
		return
	}
	short, okS := find(base.Results.Points[0], transport.Short)
	ws, okW := find(base.Results.Points[0], transport.WS)
	if !okS || !okW || ws.FrameOverheadBytes <= 0 {
		m.printf("*Not measured in these results: the default comparison lacks short polling or WebSocket.*\n\n")
		return
	}
	m.printf("**Here.** The header and frame sizes come from the default comparison, `%s` (%s, short poll and WebSocket rows); the whole traffic at their one update a second from the update-rate sweep", base.Command, m.link(base))
	if rs.rate != nil {
		m.printf(", `%s` (%s, point `rate=1`)", rs.rate.Command, m.link(rs.rate))
	}
	m.printf("; latency over a round trip from the RTT sweep.\n\n")
	m.printf("**Measured.**\n\n| figure | Lubbers and Greco | this lab | source |\n|---|--:|--:|---|\n")
	hdr := short.HeaderBytes()
	m.printf("| request + response headers per poll (B) | 871 | %s | %s, short |\n", bytesf(hdr), base.Data)
	m.printf("| framing per pushed update (B) | 2 | %s | %s, ws |\n", bytesf(ws.FrameOverheadBytes), base.Data)
	m.printf("| header traffic, polling : WebSocket | 435:1 (500:1 quoted) | %s | the two rows above |\n", ratio(hdr, ws.FrameOverheadBytes))
	var wholeRatio float64
	if rs.rate != nil {
		if s, secs, ok := transportAt(rs.rate, "rate=1", transport.Short); ok {
			if w, wsecs, ok := transportAt(rs.rate, "rate=1", transport.WS); ok && w.BytesPerClientSecond(wsecs) > 0 {
				wholeRatio = s.BytesPerClientSecond(secs) / w.BytesPerClientSecond(wsecs)
				m.printf("| all traffic at 1 update/s, polling once a second : WebSocket (B/s per client) | not given | %s (%s against %s) | %s at rate=1 |\n",
					ratio(s.BytesPerClientSecond(secs), w.BytesPerClientSecond(wsecs)), sig3(s.BytesPerClientSecond(secs)), sig3(w.BytesPerClientSecond(wsecs)), rs.rate.Data)
			}
		}
	}
	lat := m.latencyAtRTT(rs, 100*time.Millisecond)
	m.printf("\n")
	headerRatio := hdr / ws.FrameOverheadBytes
	m.printf("**Does it hold?** For headers, it %s: a poll still pays %s× the bytes of a frame for each update it carries, though the lean Go client's %s B of headers are a fraction of the 871 B a 2010 browser and server exchanged (a browser today sends about five times the lean client's). ",
		holds(headerRatio, 500), sig3(headerRatio), bytesf(hdr))
	if wholeRatio > 0 {
		m.printf("For bandwidth, the 500:1 was never about whole traffic: counting the updates themselves (%s B of data each here), polling once a second for one update a second costs %s the bytes of WebSocket, so a claim of 500:1 less bandwidth %s. ",
			sigPayload(rs.rate), times(wholeRatio, 1), holds(wholeRatio, 500))
	}
	if lat != "" {
		m.printf("%s", lat)
	}
	m.printf("\n\n")
}

// rateWords writes an update rate in prose: "1 update a second".
func rateWords(r float64) string {
	if r == 1 {
		return "1 update a second"
	}
	return fmt.Sprintf("%g updates a second", r)
}

// sigPayload is the update data size of a run.
func sigPayload(r *Run) string { return fmt.Sprint(r.Results.Scenario.Payload) }

// latencyAtRTT writes the latency row of the first study and its reading:
// at the RTT sweep's point nearest rtt, long and short polling's median
// over WebSocket's.
func (m *md) latencyAtRTT(rs runs, rtt time.Duration) string {
	r := rttRun(rs, 0)
	if r == nil {
		return "For latency: not measured in these results (no RTT sweep)."
	}
	res := r.Results
	best, bestD := -1, time.Duration(math.MaxInt64)
	for i, p := range res.Points {
		if v, ok := p.Sweep.Value.(*bench.Duration); ok {
			if d := (v.D() - rtt).Abs(); d < bestD && v.D() > 0 {
				best, bestD = i, d
			}
		}
	}
	if best < 0 {
		return ""
	}
	l := res.PointLabel(best)
	ws, _, okW := transportAt(r, l, transport.WS)
	long, _, okL := transportAt(r, l, transport.Long)
	short, _, okS := transportAt(r, l, transport.Short)
	if !okW || ws.Latency.P50 <= 0 {
		return ""
	}
	var s string
	if okL {
		m.printf("| median latency at %s, long poll : WebSocket | 3:1 (a round trip against one way) | %s (%s against %s ms) | %s at %s |\n",
			l, ratio(float64(long.Latency.P50), float64(ws.Latency.P50)), ms(long.Latency.P50), ms(ws.Latency.P50), r.Data, l)
		s = fmt.Sprintf("For latency, the 3:1 compares a poll that must first send its request with a message already on its way; a long poll's request is already waiting at the server, so at %s its median was %s WebSocket's: the claim %s for long polling while the round trip is shorter than the time between updates (the next study). ",
			l, times(float64(long.Latency.P50), float64(ws.Latency.P50)), holds(float64(long.Latency.P50)/float64(ws.Latency.P50), 3))
	}
	if okS {
		m.printf("| median latency at %s, short poll every %s : WebSocket | 3:1 | %s | %s at %s |\n",
			l, res.Scenario.Interval, ratio(float64(short.Latency.P50), float64(ws.Latency.P50)), r.Data, l)
		sr := float64(short.Latency.P50) / float64(ws.Latency.P50)
		s += fmt.Sprintf("A short poll every %s took %s WebSocket's median there, so for it the claim %s; its wait for the next poll, more than the round trip, sets its latency.", res.Scenario.Interval,
			times(float64(short.Latency.P50), float64(ws.Latency.P50)), holds(sr, 3))
	}
	return s
}

// rttRun is the RTT sweep at rate updates a second, or, with rate 0, the
// first RTT sweep.
func rttRun(rs runs, rate float64) *Run {
	for _, r := range rs.sweeps {
		if r.Results.SweepName() == "rtt" && (rate == 0 || float64(r.Results.Scenario.Rate) == rate) {
			return r
		}
	}
	return nil
}

func (m *md) pimentel(rs runs) {
	m.printf("## 2. Pimentel and Nickerson (IEEE Internet Computing, 2012): WebSocket over wide-area links\n\n")
	m.printf("**Setting.** A wind sensor's readings, small messages at 4 Hz, sent from a server to Web clients over wide-area links, measuring one-way latency for WebSocket (a Jetty servlet), HTTP polling and HTTP long polling [2].\n\n")
	m.printf("**Claim.** WebSocket has the lowest latency; polling and long polling keep up only while the one-way network latency stays below half the interval between updates (125 ms at 4 Hz), and beyond it WebSocket wins clearly [2]. (Their abstract notes that polling is a good fit when the data's schedule is known and the client can ask when data is due: the idea behind cache-timed polling in [report.md](report.md).)\n\n")
	r := rttRun(rs, 4)
	if r == nil {
		m.printf("*Not measured in these results: run `pushlab bench --rate 4 --payload 100 --interval 250ms --sweep rtt=0s,100ms,200ms,300ms,500ms`.*\n\n")
		return
	}
	res := r.Results
	interval := time.Duration(float64(time.Second) / float64(res.Scenario.Rate))
	m.printf("**Here.** `%s` (%s): %d B of data per update at %g Hz, short polls every %s, the round trip added by toxiproxy in front of the server, half each way.\n\n",
		r.Command, m.link(r), res.Scenario.Payload, res.Scenario.Rate, res.Scenario.Interval)
	m.printf("**Measured** (median / p99 latency, ms; *timely* = a median within %s of WebSocket's, a tenth of the update interval):\n\n", timelySlack(interval))
	m.printf("| RTT | one-way | short poll | long poll | WebSocket | SSE | long poll timely? | one-way below half the interval? |\n|--:|--:|--:|--:|--:|--:|---|---|\n")
	agree, disagree := 0, 0
	var against []string
	for i, p := range res.Points {
		v, ok := p.Sweep.Value.(*bench.Duration)
		if !ok {
			continue
		}
		oneWay := v.D() / 2
		ws, okW := find(p, transport.WS)
		long, okL := find(p, transport.Long)
		cellOf := func(name string) string {
			if t, ok := find(p, name); ok && t.Latency.N > 0 {
				return ms(t.Latency.P50) + " / " + ms(t.Latency.P99)
			}
			return "—"
		}
		timely, below := "—", "—"
		if okW && okL && long.Latency.N > 0 {
			t := time.Duration(long.Latency.P50-ws.Latency.P50)*time.Microsecond <= timelySlack(interval)
			timely = yes(t)
			if oneWay != interval/2 {
				b := oneWay < interval/2
				below = yes(b)
				if t == b {
					agree++
				} else {
					disagree++
					against = append(against, trimName(res, i))
				}
			}
		}
		m.printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", trimName(res, i), oneWay, cellOf(transport.Short), cellOf(transport.Long),
			cellOf(transport.WS), cellOf(transport.SSE), timely, below)
	}
	m.printf("\n")
	switch {
	case agree+disagree == 0:
		m.printf("**Does it hold?** Not measurable from these results.\n\n")
	case disagree == 0:
		m.printf("**Does it hold?** For long polling, it holds: at every round trip measured, long polling kept within WebSocket's median exactly while the one-way latency was below half the update interval. ")
	default:
		m.printf("**Does it hold?** For long polling, only in part: at %s RTT long polling's timeliness did not follow the half-interval rule. ", list(against))
	}
	if agree+disagree > 0 {
		m.printf("The mechanism is the one the claim implies: after each answer a long poll needs a round trip to be waiting again, and while the round trip is shorter than the time between updates it is back before the next update; once longer, every update waits for the request. ")
		m.printf("A short poll every %s is late by the wait for its next poll at every round trip, half an interval on average on top of the trip, so it is never as timely as push here; it can only keep up by knowing when data is due.\n\n", res.Scenario.Interval)
	}
}

// timelySlack is how far a long poll's median may trail WebSocket's and
// still keep up: a tenth of the update interval.
func timelySlack(interval time.Duration) time.Duration { return interval / 10 }

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// bozdagRun is a clients sweep that pulls at the publish interval, as the
// study compared; else any clients sweep.
func bozdagRun(rs runs) *Run {
	var any *Run
	for _, r := range rs.sweeps {
		sc := r.Results.Scenario
		if r.Results.SweepName() != "clients" {
			continue
		}
		if sc.Rate > 0 && sc.Interval.D() == time.Duration(float64(time.Second)/float64(sc.Rate)) {
			return r
		}
		if any == nil {
			any = r
		}
	}
	return any
}

func (m *md) bozdag(rs runs) {
	m.printf("## 3. Bozdag, Mesbah and van Deursen (2007): push costs the server\n\n")
	m.printf("**Setting.** A sample Ajax application built twice: pull, where clients poll at an interval, and push through Comet (the Cometd framework's Bayeux protocol on Jetty, which in 2007 delivered by long polling), driven by simulated users in the hundreds and thousands [3].\n\n")
	m.printf("**Claim.** Push gives better data coherence and network performance, but the server application's CPU use under push is 7 times that under pull, and the server starts to saturate at 350 to 500 users [3].\n\n")
	r := bozdagRun(rs)
	if r == nil {
		m.printf("*Not measured in these results: run `pushlab bench --transports short,long,ws --rate 1 --interval 1s --chat-rate 0 --sweep clients=100,1000,2000`.*\n\n")
		return
	}
	res := r.Results
	m.printf("**Here.** `%s` (%s): pull every %s against push at %s, long polling standing for their Comet push and WebSocket for today's; the Go server in a process of its own, its CPU read from /proc.\n\n",
		r.Command, m.link(r), res.Scenario.Interval, rateWords(float64(res.Scenario.Rate)))
	m.printf("**Measured** (server CPU in cores over the window; p99 latency in ms):\n\n| clients | short poll CPU | long poll CPU | WebSocket CPU | long : short | WebSocket : short | p99 short / long / ws | missed |\n|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var lastLong, lastWS float64
	var lastN int
	var peak float64
	for i, p := range res.Points {
		secs := res.Seconds(i)
		cores := func(name string) (float64, bench.TransportResult, bool) {
			t, ok := find(p, name)
			if !ok || secs <= 0 {
				return 0, t, false
			}
			return t.ServerCPU / secs, t, true
		}
		cs, s, okS := cores(transport.Short)
		cl, l, okL := cores(transport.Long)
		cw, w, okW := cores(transport.WS)
		if !okS {
			continue
		}
		missed := s.Missed + l.Missed + w.Missed
		m.printf("| %s | %s | %s | %s | %s | %s | %s / %s / %s | %s |\n", trimName(res, i), sig3(cs), sig3(cl), sig3(cw),
			ratio(cl, cs), ratio(cw, cs), ms(s.Latency.P99), ms(l.Latency.P99), ms(w.Latency.P99), count(missed))
		if okL && okW && cs > 0 {
			lastLong, lastWS, lastN = cl/cs, cw/cs, s.Clients
		}
		peak = math.Max(peak, math.Max(cs, math.Max(cl, cw)))
	}
	m.printf("\n")
	if lastN == 0 {
		m.printf("**Does it hold?** Not measurable from these results.\n\n")
		return
	}
	m.printf("**Does it hold?** The 7:1 CPU ratio %s: at %s clients long polling cost the server %s the CPU of polling once per update, and WebSocket %s. ",
		holds(lastLong, 7), count(int64(lastN)), times(lastLong, 1), times(lastWS, 1))
	m.printf("A long poll is a whole HTTP exchange per update, as a poll is, so on a server whose waiting requests cost nothing (Go parks each on a goroutine, not a thread) their costs are of the same order; a WebSocket update is a frame written to an open connection, cheaper than either. ")
	m.printf("Saturation at 350 to 500 users does not hold on today's Go server: at %s clients the busiest transport used %s of a core", count(int64(lastN)), sig3(peak))
	if caps := capacityAt(rs, time.Second); caps != "" {
		m.printf(", and the capacity searches found %s", caps)
	}
	m.printf(". Their server was a 2007 Java servlet container on the hardware of the day; the comparison that survives is the relative one.\n\n")
}

// capacityAt says what the capacity search at bound mal found per
// transport, "" without one.
func capacityAt(rs runs, mal time.Duration) string {
	for _, r := range rs.capacity {
		if r.Results.Scenario.MAL.D() != mal {
			continue
		}
		var parts []string
		for _, t := range r.Results.Points[0].InTableOrder() {
			if c := t.Capacity; c != nil {
				more := ""
				if c.LimitedBy != bench.LimitedByMAL {
					more = " or more"
				}
				parts = append(parts, fmt.Sprintf("%s %s clients%s", label(t.Transport), count(int64(c.Clients)), more))
			}
		}
		if len(parts) > 0 {
			return fmt.Sprintf("%s within %s for 95%% of updates (%s)", list(parts), mal, r.Data)
		}
	}
	return ""
}

func (m *md) references() {
	m.printf("## References\n\n")
	m.printf("1. Peter Lubbers and Frank Greco, \"HTML5 Web Sockets: A Quantum Leap in Scalability for the Web\", Kaazing Corporation, 2010. http://www.websocket.org/quantum.html (also SOA World Magazine, 11 March 2010).\n")
	m.printf("2. Victoria Pimentel and Bradford G. Nickerson, \"Communicating and Displaying Real-Time Data with WebSocket\", *IEEE Internet Computing* 16(4), July/August 2012. doi:10.1109/MIC.2012.64.\n")
	m.printf("3. Engin Bozdag, Ali Mesbah and Arie van Deursen, \"A Comparison of Push and Pull Techniques for AJAX\", 9th IEEE International Workshop on Web Site Evolution (WSE 2007); Delft University of Technology report TUD-SERG-2007-016; arXiv:0706.3984.\n\n")
	m.printf("How the claims were checked: the settings and claims above were read from the sources listed: the Kaazing article itself, the IEEE article's abstract and introduction, the Delft report's conclusions. Two details of the second study could not be checked against its full text and are replayed as the study is commonly summarised: messages of about 100 bytes, and the half-interval rule of its conclusions.\n")
}
