package server

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/state/broker"
)

// openBroker connects to cfg.Broker, if set. It runs last in New, once
// every other setting has been checked, so a refused config opens nothing.
func openBroker(cfg Config) (*broker.Store, error) {
	if cfg.Broker == "" {
		return nil, nil
	}
	if cfg.StateFile != "" {
		return nil, errors.New("--state-file does not apply with --broker: the stream keeps the state")
	}
	if cfg.Store != nil {
		return nil, errors.New("a store and a broker were both given")
	}
	b, err := broker.Open(broker.Config{URLs: cfg.Broker, Retain: cfg.Retain, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	if cfg.Rate > 0 {
		warnGenerator(cfg.Logger, cfg.Rate)
	}
	return b, nil
}

// warnGenerator says, loudly, that this instance's generator ticks for
// every instance: two instances with a rate would double the ticks.
func warnGenerator(log *slog.Logger, rate float64) {
	log.Warn("this instance generates ticks for every instance sharing the broker: give --rate to ONE instance only; each other one with a rate adds its own ticks",
		"rate", rate)
}

// serveHealth serves GET /healthz: 200 while the lab can do its work; 503
// while its broker is unreachable (it still serves the last state, but
// refuses publishes), so a load balancer can prefer another instance.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if s.broker != nil && !s.broker.Status().Connected {
		apierror.Write(w, http.StatusServiceUnavailable, "broker unreachable: serving the last state, refusing publishes")
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("ok\n"))
}
