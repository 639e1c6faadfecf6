package held

import "net/http"

// Account is a held connection's tally on the server's counters, per
// transport and client. The server hands one out when a handler takes the
// connection over (see Meter): until Close the connection counts as open,
// and its bytes stay on the request's account, though the handler returned.
type Account interface {
	Deliver(updates int) // updates written to the client
	Empty()              // a response that carried none (a long poll's 204)
	Close()              // the connection is no longer held
	// Again closes this request's tally and opens the next one's: the
	// connection carries another request like it, served outside
	// net/http, on the same transport and client.
	Again() Account
}

// Meter is the server's side: Attach is called by a handler that takes its
// connection over. It may return nil.
type Meter interface {
	Attach(r *http.Request) Account
}

// Attach returns m's account for r, or one that counts nothing.
func Attach(m Meter, r *http.Request) Account {
	if m != nil {
		if a := m.Attach(r); a != nil {
			return a
		}
	}
	return none{}
}

type none struct{}

func (none) Deliver(int)    {}
func (none) Empty()         {}
func (none) Close()         {}
func (none) Again() Account { return none{} }
