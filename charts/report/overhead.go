package report

import (
	"strconv"

	"github.com/pushlab/pushlab/bench"
)

// The classic estimate (websocket.org, Kaazing, 2010): an HTTP poll carries
// about 871 bytes of request and response headers, a WebSocket message 2
// bytes of framing; for N clients once a second that is N*871*8 bit/s
// against N*2*8. Its Mbit is 2^20 bits (871,000 B/s -> 6.6), so the
// measured columns use the same unit to be comparable.
const (
	historicalPollBytes  = 871
	historicalFrameBytes = 2
	mbitBinary           = 1 << 20
)

// historical are the published figures, quoted as printed.
var historical = []struct {
	clients  int64
	poll, ws string
}{
	{1000, "6.6", "0.015"},
	{10000, "66", "0.153"},
	{100000, "665", "1.526"},
}

// Overhead is the measured header and framing cost behind the table.
type Overhead struct {
	PollBytes  float64 // mean request + response header bytes per short poll
	FrameBytes float64 // mean WS framing per pushed update
	SSEBytes   float64 // mean SSE framing per pushed update
}

// MeasuredOverhead reads the overheads from the comparison's first point.
func MeasuredOverhead(r *bench.Results) Overhead {
	var o Overhead
	p := r.Points[0]
	if t, ok := find(p, "short"); ok {
		o.PollBytes = t.HeaderBytes()
	}
	if t, ok := find(p, "ws"); ok {
		o.FrameBytes = t.FrameOverheadBytes
	}
	if t, ok := find(p, "sse"); ok {
		o.SSEBytes = t.FrameOverheadBytes
	}
	return o
}

// Mbits is the header traffic of n clients sending b bytes each per second,
// in the table's binary Mbit/s.
func Mbits(n int64, b float64) float64 { return float64(n) * b * 8 / mbitBinary }

func (m *md) overhead(r *bench.Results) {
	o := MeasuredOverhead(r)
	m.printf("## Header overhead at scale\n\n")
	m.printf("The classic estimate compares the header traffic of N clients polling once a second with N clients receiving one WebSocket message a second. ")
	m.printf("The historical columns quote it (%d B of headers per poll, %d B per WebSocket frame); the measured columns redo the arithmetic with the sizes measured in this run: ", historicalPollBytes, historicalFrameBytes)
	m.printf("**%s B** of request + response headers per short poll, **%s B** of framing per WebSocket message and **%s B** per SSE event. ", measured(o.PollBytes), measured(o.FrameBytes), measured(o.SSEBytes))
	m.printf("Mbit/s here is 2^20 bit/s, the unit of the historical figures; payload bytes are left out on both sides.\n\n")
	m.printf("| clients, 1 update/s each | polling, historical (Mbit/s) | polling, measured (Mbit/s) | WebSocket, historical (Mbit/s) | WebSocket, measured (Mbit/s) | SSE, measured (Mbit/s) |\n")
	m.printf("|--:|--:|--:|--:|--:|--:|\n")
	for _, h := range historical {
		m.printf("| %s | %s | %s | %s | %s | %s |\n", count(h.clients), h.poll, scaled(h.clients, o.PollBytes), h.ws, scaled(h.clients, o.FrameBytes), scaled(h.clients, o.SSEBytes))
	}
	m.printf("\n")
	if o.FrameBytes > historicalFrameBytes {
		m.printf("A server-to-client WebSocket frame header is 2 bytes for payloads under 126 bytes and 4 bytes up to 64 KiB; this run's ticks carry %d B of data, so their frames take 4 bytes and the mean is %s B", r.Scenario.Payload, bytesf(o.FrameBytes))
		if r.Scenario.ChatRate > 0 {
			m.printf(" (chat messages are small and take 2)")
		}
		m.printf(". ")
	}
	if o.PollBytes > 0 && o.PollBytes < historicalPollBytes {
		why := "no cookies, few headers"
		if r.Scenario.Profile == bench.ProfileBrowser {
			why = "a current Chromium's headers, but no cookie"
		}
		m.printf("Our polls carry fewer header bytes than 2010's browsers sent (%s), which narrows the gap without closing it: per message, polling still pays %s× the WebSocket framing.", why, sig3(o.PollBytes/max(o.FrameBytes, 1)))
	}
	m.printf("\n\n")
}

func measured(b float64) string {
	if b <= 0 {
		return "not measured"
	}
	return bytesf(b)
}

func scaled(n int64, b float64) string {
	if b <= 0 {
		return "not measured"
	}
	return mbit3(Mbits(n, b))
}

// mbit3 writes binary Mbit/s with three decimals below 1 and three
// significant digits above, like the historical figures.
func mbit3(v float64) string {
	if v < 1 {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return sig3(v)
}
