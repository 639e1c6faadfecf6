package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sync"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/polling"
	"github.com/pushlab/pushlab/transport"
)

type requestKey struct{}

// request is what countRequests knows of the request it is counting.
type request struct {
	account *account
	conn    *countingConn // nil outside a counting listener
	// held is set when the push hub takes the connection over (Attach):
	// it stays open, and its bytes stay on this account, after the handler.
	held bool
}

func requestFrom(ctx context.Context) *request {
	req, _ := ctx.Value(requestKey{}).(*request)
	return req
}

func accountFrom(ctx context.Context) *account {
	if req := requestFrom(ctx); req != nil {
		return req.account
	}
	return nil
}

// validClientID is what ?client= may hold: short, printable, safe to log.
var validClientID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// transportOf names the transport a request uses, for accounting; q is
// its query, parsed once for all of countRequests.
func (s *Stats) transportOf(r *http.Request, q url.Values) string {
	if q.Get("client") == transport.ControlClient {
		return transport.Other
	}
	switch r.URL.Path {
	case "/api/poll":
		if polling.IsLongPoll(q) {
			return transport.Long
		}
		return transport.Short
	case "/api/state":
		return transport.Short
	case "/ws":
		return transport.WS
	case "/sse":
		return transport.SSE
	case "/floor":
		return transport.Floor
	case "/api/publish":
		// A client that publishes over HTTP pays for it on its own transport.
		return s.clientTransport(q.Get("client"))
	}
	return transport.Other
}

// countRequests is middleware: it finds the request's account (transport
// and ?client=), hands its connection's bytes to it and counts the request
// and, while it runs, one open connection. A connection the push hub takes
// over stays open on the account until the hub lets it go (Attach).
func (s *Stats) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		id := q.Get("client")
		valid := id == "" || validClientID.MatchString(id)
		a := s.otherAccount()
		if valid {
			a = s.account(s.transportOf(r, q), id)
		}
		req := &request{account: a, conn: connFrom(r.Context())}
		if req.conn != nil {
			req.conn.begin(a, r.ProtoMajor == 2)
		}
		defer func() {
			if req.conn != nil && !req.held {
				req.conn.end()
			}
		}()
		if !valid {
			a.transport.requests.Add(1)
			a.transport.refused.Add(1)
			a.transport.countProtocol(r)
			apierror.Write(w, http.StatusBadRequest, "client: 1 to 64 of A-Z a-z 0-9 . _ : -")
			return
		}
		a.each(func(c *counters) { c.requests.Add(1); c.countProtocol(r); c.open.Add(1) })
		// logRequests has wrapped it already, as a rule: one wrapper, not two.
		ww, ok := w.(middleware.WrapResponseWriter)
		if !ok {
			ww = middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		}
		defer func() {
			if !req.held {
				a.finish(ww.Status())
			}
		}()
		next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)))
	})
}

// Attach implements held.Meter: a handler has taken the request's
// connection over (hijacked) and it is served after the handler returns. It
// stays counted as open, and what it reads and writes stays on the
// request's account, until the returned account is closed.
func (s *Stats) Attach(r *http.Request) held.Account {
	req := requestFrom(r.Context())
	if req == nil {
		return nil
	}
	req.held = true
	return &heldAccount{a: req.account, conn: req.conn}
}

// heldAccount is a hijacked connection's tally.
type heldAccount struct {
	a    *account
	conn *countingConn // nil outside a counting listener
	once sync.Once
}

// Again implements held.Account: the connection carries another request
// like this one, read and served outside net/http (a repeated long poll).
// It is counted as countRequests counts one, on the same transport and
// client, and owns the bytes read of it.
func (h *heldAccount) Again() held.Account {
	h.Close()
	a := &account{name: h.a.name, transport: h.a.transport, client: h.a.client}
	a.each(func(c *counters) { c.requests.Add(1); c.http11.Add(1); c.open.Add(1) })
	if h.conn != nil {
		h.conn.begin(a, false)
	}
	return &heldAccount{a: a, conn: h.conn}
}

func (h *heldAccount) Deliver(n int) { h.a.deliver(n) }

func (h *heldAccount) Empty() { h.a.empty() }

// Close ends the request: it is counted as answered, empty or aborted by
// what it carried, as countRequests counts one that ends in its handler.
func (h *heldAccount) Close() { h.once.Do(func() { h.a.finish(0) }) }
