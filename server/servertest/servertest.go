// Package servertest starts a real pushlab server on 127.0.0.1:0 for tests,
// the way net/http/httptest starts an http.Server: real sockets, real
// accounting, stopped when the test ends.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/state"
)

// Server is a running lab.
type Server struct {
	*server.Server
	URL   string // http://127.0.0.1:PORT
	Addr  string // 127.0.0.1:PORT
	Store state.Store
	done  chan struct{} // closed when Serve returns
}

// Start serves cfg on a free loopback port until the test ends. Logs are
// discarded unless cfg.Logger is set.
func Start(tb testing.TB, cfg server.Config) *Server {
	tb.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := server.New(cfg)
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	s := &Server{Server: srv, Addr: ln.Addr().String(), URL: "http://" + ln.Addr().String(),
		Store: srv.Store(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		srv.Serve(ln)
	}()
	tb.Cleanup(func() { s.Close() })
	return s
}

// Close shuts the server down gracefully and waits for Serve to return.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout+time.Second)
	defer cancel()
	err := s.Shutdown(ctx)
	select {
	case <-s.done:
	case <-ctx.Done():
	}
	return err
}
