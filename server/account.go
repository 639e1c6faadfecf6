package server

import (
	"context"
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/polling"
	"github.com/pushlab/pushlab/transport"
)

type accountKey struct{}

func accountFrom(ctx context.Context) *account {
	a, _ := ctx.Value(accountKey{}).(*account)
	return a
}

// validClientID is what ?client= may hold: short, printable, safe to log.
var validClientID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// transportOf names the transport a request uses, for accounting.
func (s *Stats) transportOf(r *http.Request) string {
	if r.URL.Query().Get("client") == transport.ControlClient {
		return transport.Other
	}
	switch r.URL.Path {
	case "/api/poll":
		if polling.IsLongPoll(r.URL.Query()) {
			return transport.Long
		}
		return transport.Short
	case "/api/state":
		return transport.Short
	case "/ws":
		return transport.WS
	case "/sse":
		return transport.SSE
	case "/api/publish":
		// A client that publishes over HTTP pays for it on its own transport.
		return s.clientTransport(r.URL.Query().Get("client"))
	}
	return transport.Other
}

// countRequests is middleware: it finds the request's account (transport
// and ?client=), hands its connection's bytes to it and counts the request
// and, while it runs, one open connection.
func (s *Stats) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("client")
		valid := id == "" || validClientID.MatchString(id)
		a := s.otherAccount()
		if valid {
			a = s.account(s.transportOf(r), id)
		}
		if cc := connFrom(r.Context()); cc != nil {
			cc.begin(a, r.ProtoMajor == 2)
			defer cc.end()
		}
		if !valid {
			a.transport.requests.Add(1)
			a.transport.refused.Add(1)
			a.transport.countProtocol(r)
			apierror.Write(w, http.StatusBadRequest, "client: 1 to 64 of A-Z a-z 0-9 . _ : -")
			return
		}
		a.each(func(c *counters) { c.requests.Add(1); c.countProtocol(r); c.open.Add(1) })
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			outcome := a.outcome(ww.Status())
			a.each(func(c *counters) { outcome(c).Add(1); c.open.Add(-1) })
		}()
		next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), accountKey{}, a)))
	})
}
