package push

import "net/http"

// Meter counts what push connections carry, per transport and per client.
type Meter interface {
	// Attach is called by a handler whose connection the hub takes over
	// (hijacked) and serves after the handler returns: the server must keep
	// counting it as open, and its bytes on the request's account, until the
	// returned Account is closed. It may return nil.
	Attach(r *http.Request) Account
}

// Account is one held connection's tally on the server's counters.
type Account interface {
	// Deliver counts updates written to the connection.
	Deliver(updates int)
	// Close ends the connection's time as open.
	Close()
}

// noAccount counts nothing, for a hub without a meter.
type noAccount struct{}

func (noAccount) Deliver(int) {}
func (noAccount) Close()      {}

func (h *Hub) attach(r *http.Request) Account {
	if h.meter != nil {
		if a := h.meter.Attach(r); a != nil {
			return a
		}
	}
	return noAccount{}
}
