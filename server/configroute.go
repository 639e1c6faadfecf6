package server

import (
	"encoding/json"
	"net"
	"net/http"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/state"
)

// liveConfig is what the demo page may change while the lab runs.
type liveConfig struct {
	Rate    float64 `json:"rate"`
	Payload int     `json:"payload"`
}

// serveConfig serves GET and POST /api/config. Changing the generator is
// for the teacher at the machine: only loopback clients, only pages of the
// lab's own origin.
func (s *Server) serveConfig(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if !s.teacherAtTheMachine(w, r, "config") {
			return
		}
		rate, payload := s.gen.Settings()
		c := liveConfig{Rate: rate, Payload: payload}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&c); err != nil {
			apierror.Write(w, http.StatusBadRequest, "body: want {\"rate\":HZ,\"payload\":BYTES}")
			return
		}
		if err := state.CheckSettings(c.Rate, c.Payload); err != nil {
			apierror.Write(w, http.StatusBadRequest, err.Error())
			return
		}
		s.gen.Set(c.Rate, c.Payload)
		if s.broker != nil && c.Rate > 0 {
			warnGenerator(s.log, c.Rate)
		}
		s.log.Info("config changed", "rate", c.Rate, "payload", c.Payload, "remote", r.RemoteAddr)
	}
	rate, payload := s.gen.Settings()
	writeJSON(w, http.StatusOK, liveConfig{Rate: rate, Payload: payload})
}

// teacherAtTheMachine lets a change of the lab's settings through only from
// a loopback client on a page of the lab's own origin (or none); otherwise
// it answers 403, naming what may not be changed, and reports false.
func (s *Server) teacherAtTheMachine(w http.ResponseWriter, r *http.Request, what string) bool {
	switch {
	case !isLoopback(r.RemoteAddr):
		apierror.Write(w, http.StatusForbidden, what+" may be changed from this machine only")
		return false
	case !s.sameOrigin(r):
		apierror.Write(w, http.StatusForbidden, "origin not allowed")
		return false
	}
	return true
}

// sameOrigin reports whether a request's Origin, if it has one, is the
// lab's own or an allowed one. Requests without Origin are not from a
// browser page and pass.
func (s *Server) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || push.OriginAllowed(o, r.Host, s.cfg.AllowOrigins)
}

// isLoopback reports whether a remote address is on this machine.
func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
