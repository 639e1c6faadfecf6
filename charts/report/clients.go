package report

import (
	"fmt"
	"slices"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/transport"
)

// Client variants: the suite runs the default scenario again with other
// clients (lean Go, a cookie, HTTPS with h2, compression), and the report
// sets them beside the default comparison's browser clients. A run is a
// variant by its scenario, so results named any way (--from) find their
// column.

// variant is one column of the client tables.
type variant struct {
	title string
	run   *Run
}

// isVariant reports whether a run's clients differ from the default
// comparison's: an explicit lean profile, a cookie, TLS or compression.
// Results from before profiles (no profile recorded) are a default run.
func isVariant(sc bench.Scenario) bool {
	return sc.Profile == bench.ProfileLean || sc.CookieBytes > 0 || sc.TLS || sc.Compress
}

// chooseRuns picks, of the runs without a sweep, the default comparison
// (the one named "default", else the first) and the reference column of
// the variants: the run whose scenario is theirs but for the clients (the
// suite runs one, chat-free like them), else the default comparison.
// Without plain runs the first variant is the default comparison.
func chooseRuns(plain, variants []*Run) (base, reference *Run, rest []*Run) {
	for _, r := range plain {
		if base == nil || r.Name == "default" && base.Name != "default" {
			base = r
		}
	}
	if base == nil {
		if len(variants) == 0 {
			return nil, nil, nil
		}
		return variants[0], variants[0], variants[1:]
	}
	reference = base
	if len(variants) > 0 {
		for _, r := range plain {
			if sameButClients(r.Results.Scenario, variants[0].Results.Scenario) {
				reference = r
				break
			}
		}
	}
	return base, reference, variants
}

// sameButClients reports whether two scenarios differ only in their
// clients (profile, cookie, TLS, compression), name and repeats.
func sameButClients(a, b bench.Scenario) bool {
	strip := func(sc bench.Scenario) string {
		sc.Name, sc.Profile, sc.CookieBytes, sc.TLS, sc.HTTP1, sc.Compress, sc.Repeat = "", "", 0, false, false, false, 0
		return sc.Command()
	}
	return strip(a) == strip(b)
}

// variantTitle names a variant's column.
func variantTitle(sc bench.Scenario) string {
	t := string(sc.ClientProfile())
	if sc.CookieBytes > 0 {
		t += fmt.Sprintf(" + %s B cookie", count(int64(sc.CookieBytes)))
	}
	switch {
	case sc.TLS && sc.HTTP1:
		t += ", HTTPS (HTTP/1.1)"
	case sc.TLS:
		t += ", HTTPS (h2)"
	}
	if sc.Compress {
		t += ", compressed"
	}
	return t
}

// columns orders the base run and its variants: lean, the base, a
// cookie, HTTPS, compression (each kind in the order it came).
func columns(base *Run, others []*Run) []variant {
	rank := func(sc bench.Scenario) int {
		switch {
		case sc.Compress:
			return 4
		case sc.TLS:
			return 3
		case sc.CookieBytes > 0:
			return 2
		case sc.Profile == bench.ProfileLean:
			return 0
		}
		return 1
	}
	cols := []variant{{variantTitle(base.Results.Scenario), base}}
	for _, r := range others {
		cols = append(cols, variant{variantTitle(r.Results.Scenario), r})
	}
	slices.SortStableFunc(cols, func(a, b variant) int {
		return rank(a.run.Results.Scenario) - rank(b.run.Results.Scenario)
	})
	return cols
}

// row is a transport's row at the column's run's first point.
func (v variant) row(name string) (bench.TransportResult, bool) {
	return find(v.run.Results.Points[0], name)
}

// clients writes the section that sets the variants beside their
// reference run (base):
// what one poll costs each kind of client, bytes per update per transport,
// the header traffic of polling at scale, and what compression saves and
// costs. Nothing is written without variants.
func (m *md) clients(base *Run, others []*Run) {
	if len(others) == 0 {
		return
	}
	cols := columns(base, others)
	m.printf("## What a browser pays\n\n")
	if p := base.Results.Environment.Profile; p != "" && base.Results.Scenario.ClientProfile() == bench.ProfileBrowser {
		m.printf("Browser clients send, for each kind of request, the header fields that %s sent for the demo page: the same names, order and sizes, kept in `bench/profile/chromium.json`. ", p)
	}
	m.printf("Below, one scenario (`%s`) runs with different clients, each column its own run (commands above): ", base.Command)
	m.printf("*lean* is Go's minimal client; a cookie is added to every request as a logged-in site's would be; over HTTPS the HTTP transports negotiate h2, where HPACK codes repeated headers down to a few bytes, while WebSocket stays on HTTP/1.1 (no RFC 8441 in gorilla); compressed runs offer gzip and permessage-deflate to a server started with `--compress`.\n\n")

	m.printf("**One short poll** (means per request; bytes besides bodies are read off the wire, so under TLS they include TLS records):\n\n")
	m.printf("| |")
	for _, c := range cols {
		m.printf(" %s |", c.title)
	}
	m.printf("\n|---|%s\n", repeatCell("--:|", len(cols)))
	m.cellRow("protocol", cols, transport.Short, func(t bench.TransportResult) string {
		p := t.Protocol
		if p == "" {
			p = "http/1.1"
		}
		if t.TLS {
			p += " over TLS"
		}
		return p
	})
	m.cellRow("request headers (B, as HTTP/1.1 text)", cols, transport.Short, func(t bench.TransportResult) string { return headerCell(t, t.RequestHeaderBytes) })
	m.cellRow("response headers (B)", cols, transport.Short, func(t bench.TransportResult) string { return headerCell(t, t.ResponseHeaderBytes) })
	m.cellRow("wire bytes besides bodies (B)", cols, transport.Short, func(t bench.TransportResult) string { return bytesf(t.WireOverheadPerRequest()) })
	m.printf("\nUnder h2 the header text is not what crosses the wire (HPACK sends most fields as an index into a table the connection has built up), so the header columns are left empty there and the wire bytes besides bodies are the comparable figure.\n\n")

	m.printf("**Wire bytes per update received** (up + down, all clients):\n\n")
	m.printf("| transport |")
	for _, c := range cols {
		m.printf(" %s |", c.title)
	}
	m.printf("\n|---|%s\n", repeatCell("--:|", len(cols)))
	for _, name := range transport.Names() {
		if _, ok := find(base.Results.Points[0], name); !ok {
			continue
		}
		m.cellRow(label(name), cols, name, func(t bench.TransportResult) string { return bytesf(t.BytesPerUpdate) })
	}
	m.printf("\n")
	m.readClients(cols)
	m.pollingAtScale(cols)
	m.compression(base, cols)
}

// cellRow writes one table row: a cell per column from the column's row
// of the transport ("—" where it did not run).
func (m *md) cellRow(head string, cols []variant, name string, cell func(bench.TransportResult) string) {
	m.printf("| %s |", head)
	for _, c := range cols {
		if t, ok := c.row(name); ok {
			m.printf(" %s |", cell(t))
		} else {
			m.printf(" — |")
		}
	}
	m.printf("\n")
}

// headerCell is a header figure, or a dash where it was not tallied (h2).
func headerCell(t bench.TransportResult, b float64) string {
	if t.Protocol == "h2" || b <= 0 {
		return "—"
	}
	return bytesf(b)
}

func repeatCell(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// readClients says what the tables show, with their numbers.
func (m *md) readClients(cols []variant) {
	pick := func(pred func(bench.Scenario) bool) (variant, bool) {
		for _, c := range cols {
			if pred(c.run.Results.Scenario) {
				return c, true
			}
		}
		return variant{}, false
	}
	browser, ok := pick(func(sc bench.Scenario) bool { return !isVariant(sc) })
	if !ok {
		return
	}
	s := "**Reading.**"
	if lean, ok := pick(func(sc bench.Scenario) bool { return sc.Profile == bench.ProfileLean && !sc.TLS && !sc.Compress }); ok {
		if a, ok := lean.row(transport.Long); ok {
			if b, ok := browser.row(transport.Long); ok && a.BytesPerUpdate > 0 {
				s += fmt.Sprintf(" A browser's long poll costs %s B per update against the lean client's %s B (%s×): its request carries %s B of headers where Go sends %s B.",
					sig3(b.BytesPerUpdate), sig3(a.BytesPerUpdate), sig3(b.BytesPerUpdate/a.BytesPerUpdate), bytesf(b.RequestHeaderBytes), bytesf(a.RequestHeaderBytes))
			}
		}
	}
	if h2, ok := pick(func(sc bench.Scenario) bool { return sc.TLS && !sc.HTTP1 && !sc.Compress && sc.CookieBytes == 0 }); ok {
		a, okA := browser.row(transport.Short)
		b, okB := h2.row(transport.Short)
		if okA && okB && a.WireOverheadPerRequest() > 0 {
			s += fmt.Sprintf(" Over HTTPS with h2 a short poll moves %s B besides its body against %s B over plain HTTP/1.1, TLS records included: HPACK removes most of what polling pays per request.",
				bytesf(b.WireOverheadPerRequest()), bytesf(a.WireOverheadPerRequest()))
		}
		if w, ok := h2.row(transport.WS); ok && w.Protocol != "" {
			s += fmt.Sprintf(" WebSocket stays on %s: its handshake pays full header text, once per connection.", w.Protocol)
		}
	}
	if s != "**Reading.**" {
		m.printf("%s\n\n", s)
	}
}

// pollingAtScale redoes the header-overhead arithmetic per kind of client:
// N clients polling once a second, each poll's bytes besides its body.
func (m *md) pollingAtScale(cols []variant) {
	m.printf("**Polling overhead at scale by client**: N clients polling once a second, each poll's wire bytes besides its body from the table above, in the header-overhead table's binary Mbit/s (historical: %d B a poll).\n\n", historicalPollBytes)
	m.printf("| clients, 1 poll/s each | historical |")
	for _, c := range cols {
		m.printf(" %s |", c.title)
	}
	m.printf("\n|--:|--:|%s\n", repeatCell("--:|", len(cols)))
	for _, h := range historical {
		m.printf("| %s | %s |", count(h.clients), h.poll)
		for _, c := range cols {
			if t, ok := c.row(transport.Short); ok {
				m.printf(" %s |", scaled(h.clients, t.WireOverheadPerRequest()))
			} else {
				m.printf(" — |")
			}
		}
		m.printf("\n")
	}
	m.printf("\n")
}

// compression sets the compressed run beside the base: bytes per update
// saved, and the CPU the server and the clients spent for it.
func (m *md) compression(base *Run, cols []variant) {
	var packed *Run
	for _, c := range cols {
		if sc := c.run.Results.Scenario; sc.Compress && !sc.TLS && sc.CookieBytes == 0 && sc.ClientProfile() == base.Results.Scenario.ClientProfile() {
			packed = c.run
			break
		}
	}
	if packed == nil {
		return
	}
	m.printf("**Compression**: the compressed run against the %s column, the same scenario and clients (gzip bodies, permessage-deflate frames; ticks carry %d B of data that compresses as real data would):\n\n", variantTitle(base.Results.Scenario), base.Results.Scenario.Payload)
	m.printf("| transport | B/update | compressed | saved | server CPU ms/1k | compressed | harness CPU ms per client-second | compressed |\n")
	m.printf("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, name := range transport.Names() {
		a, okA := find(base.Results.Points[0], name)
		b, okB := find(packed.Results.Points[0], name)
		if !okA || !okB {
			continue
		}
		saved := "—"
		if a.BytesPerUpdate > 0 {
			saved = pct(1-b.BytesPerUpdate/a.BytesPerUpdate) + "%"
		}
		if !b.Compressed {
			saved += " (not compressed)"
		}
		m.printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", label(name), bytesf(a.BytesPerUpdate), bytesf(b.BytesPerUpdate), saved,
			sig3(a.ServerCPUPerThousand()), sig3(b.ServerCPUPerThousand()),
			sig3(1000*a.HarnessCPUPerClient(base.Results.Seconds(0))), sig3(1000*b.HarnessCPUPerClient(packed.Results.Seconds(0))))
	}
	m.printf("\nA negative saving is compression that costs bytes: a small body gains a gzip header and trailer and the response loses its Content-Length for chunked framing, which can outweigh what deflating a few hundred bytes saves. Server CPU is measured over short windows on a shared machine; read it as a direction, not a price.\n\n")
}
