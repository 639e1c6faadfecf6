package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/cors"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/push"
)

// corsMaxAge is how long a browser may reuse a preflight's answer, seconds.
const corsMaxAge = 600

// withCORS is middleware that lets pages of other origins use the lab: the
// ones listed with --allow-origin, and the lab's own page reaching it
// through the network-conditions proxy (another port is another origin).
// Actual requests get Access-Control-Allow-Origin; preflights are answered
// here with 204, or 403 when the origin, method or headers are not allowed.
// Requests without Origin, or from the lab's own origin, pass untouched, so
// their bytes on the wire stay what they were.
func (s *Server) withCORS(next http.Handler) http.Handler {
	c := cors.New(cors.Options{
		AllowOriginFunc: func(r *http.Request, origin string) bool {
			return push.OriginAllowed(origin, s.netem.unproxied(r.Host), s.cfg.AllowOrigins)
		},
		AllowedMethods:     []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders:     []string{"Content-Type", "Last-Event-ID", "If-None-Match"},
		ExposedHeaders:     []string{"ETag"},
		MaxAge:             corsMaxAge,
		OptionsPassthrough: true, // the preflight's status is ours to write, below
	})
	crossOrigin := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPreflight(r) {
			next.ServeHTTP(w, r)
			return
		}
		if w.Header().Get("Access-Control-Allow-Origin") == "" {
			apierror.Write(w, http.StatusForbidden, "CORS: origin, method or headers not allowed")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || (sameHost(origin, r.Host) && !isPreflight(r)) {
			next.ServeHTTP(w, r)
			return
		}
		crossOrigin.ServeHTTP(w, r)
	})
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// sameHost reports whether origin is the host:port the request was sent to.
func sameHost(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, host)
}
