// Package transport is the one table of the ways a client can follow the
// live state. The server counts traffic under these names and serves the
// table at /api/transports, the bench validates its flags against it and
// picks a simulated client per entry, the charts and the report take labels
// and order from it, and the demo page builds its panels from it. Adding a
// transport is one entry here, one server file and one bench client file.
package transport

import "slices"

// Names of the transports, as /api/stats, results files and flags spell them.
const (
	Short = "short"
	Long  = "long"
	WS    = "ws"
	SSE   = "sse"
	Floor = "floor"
)

// Other is the account for traffic that belongs to no transport: the demo
// page's files, /api/stats itself, the bench's control requests.
const Other = "other"

// ControlClient is the ?client= name of a measuring tool's own requests
// (the bench's catch-up poll after its window, say): the server counts them
// under Other whatever their route, so that a transport's counters hold its
// clients' traffic only.
const ControlClient = "control"

// Transport is one way of following the live state.
type Transport struct {
	Name  string `json:"name"`  // short, long, ws, sse, floor
	Label string `json:"label"` // in prose, tables and legends: "short poll"
	// Route is how a client opens it: the path and, where two transports
	// share a path, the query that tells them apart.
	Route string `json:"route"`
	// Holds is true when a client keeps a connection (or a request) open
	// while it waits for the next update: its idle cost is memory on the
	// server, not requests.
	Holds bool `json:"holds_connection"`
	// Push is true when the server sends each update unasked, as soon as it
	// is published.
	Push bool `json:"push"`
	// Browser is true when a web page can speak it; the demo has a panel
	// for each such transport.
	Browser bool `json:"browser"`
	// TakesConnection is true when, after its request, the connection is no
	// longer HTTP (WebSocket's upgrade, the floor's raw stream): it needs an
	// HTTP/1.1 connection of its own, also over TLS where HTTP/2 serves the
	// others.
	TakesConnection bool `json:"takes_connection"`
}

// table is in the lab's usual order: pull before push, oldest first, the
// floor last.
var table = []Transport{
	{Name: Short, Label: "short poll", Route: "GET /api/poll?since=V", Browser: true},
	{Name: Long, Label: "long poll", Route: "GET /api/poll?since=V&wait=25s", Holds: true, Browser: true},
	{Name: WS, Label: "WebSocket", Route: "GET /ws?since=V", Holds: true, Push: true, Browser: true, TakesConnection: true},
	{Name: SSE, Label: "SSE", Route: "GET /sse?since=V", Holds: true, Push: true, Browser: true},
	// The floor: the same update bytes on a bare TCP stream, no protocol on
	// top; what every other push transport is measured against.
	{Name: Floor, Label: "floor (raw TCP)", Route: "GET /floor?since=V", Holds: true, Push: true, TakesConnection: true},
}

// All returns the table, in order.
func All() []Transport { return slices.Clone(table) }

// Names returns every transport's name, in order.
func Names() []string {
	names := make([]string, len(table))
	for i, t := range table {
		names[i] = t.Name
	}
	return names
}

// Lookup returns the named transport.
func Lookup(name string) (Transport, bool) {
	if i := index(name); i >= 0 {
		return table[i], true
	}
	return Transport{}, false
}

// Known reports whether name is a transport of the table.
func Known(name string) bool { return index(name) >= 0 }

// Label returns the transport's label, or the name itself when unknown.
func Label(name string) string {
	if t, ok := Lookup(name); ok {
		return t.Label
	}
	return name
}

// Order ranks a transport by its place in the table, for sorting; unknown
// names sort last.
func Order(name string) int {
	if i := index(name); i >= 0 {
		return i
	}
	return len(table)
}

func index(name string) int {
	return slices.IndexFunc(table, func(t Transport) bool { return t.Name == name })
}
