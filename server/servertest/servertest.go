// Package servertest starts a real pushlab server on 127.0.0.1:0 for tests,
// the way net/http/httptest starts an http.Server: real sockets, real
// accounting, stopped when the test ends.
package servertest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/state"
)

// Server is a running lab.
type Server struct {
	*server.Server
	URL   string // http://127.0.0.1:PORT, or https:// under TLS
	Addr  string // 127.0.0.1:PORT
	Store state.Store
	// RootCAs trusts the server's certificate (nil without TLS).
	RootCAs *x509.CertPool
	cert    tls.Certificate
	done    chan struct{} // closed when Serve returns
}

// Start serves cfg on a free loopback port until the test ends. Logs are
// discarded unless cfg.Logger is set.
func Start(tb testing.TB, cfg server.Config) *Server {
	tb.Helper()
	return StartOn(tb, cfg, listen(tb))
}

// StartTLS is Start over TLS, with a certificate made in memory for the
// test (cfg.TLS is replaced); TLSClientConfig trusts it.
func StartTLS(tb testing.TB, cfg server.Config) *Server {
	tb.Helper()
	cert, err := server.SelfSignedCert()
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	cfg.TLS = server.TLSConfig(cert)
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	s := start(tb, cfg, listen(tb), pool)
	s.cert = cert
	return s
}

// Certificate is the certificate StartTLS made (empty without TLS).
func (s *Server) Certificate() tls.Certificate { return s.cert }

// StartOn is Start on a listener the test made, so that it can watch what
// crosses the wire beneath the server's own accounting. The server closes ln.
func StartOn(tb testing.TB, cfg server.Config, ln net.Listener) *Server {
	tb.Helper()
	if cfg.TLS != nil {
		tb.Fatal("servertest: StartOn serves plain HTTP; use StartTLS")
	}
	return start(tb, cfg, ln, nil)
}

// TLSClientConfig is what a client needs to trust the server (nil without
// TLS). nextProtos is its ALPN offer: "h2", "http/1.1"; none offers nothing.
func (s *Server) TLSClientConfig(nextProtos ...string) *tls.Config {
	if s.RootCAs == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.RootCAs, NextProtos: nextProtos}
}

func listen(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	return ln
}

func start(tb testing.TB, cfg server.Config, ln net.Listener, roots *x509.CertPool) *Server {
	tb.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := server.New(cfg)
	if err != nil {
		ln.Close()
		tb.Fatalf("servertest: %v", err)
	}
	scheme := "http://"
	if roots != nil {
		scheme = "https://"
	}
	s := &Server{Server: srv, Addr: ln.Addr().String(), URL: scheme + ln.Addr().String(),
		Store: srv.Store(), RootCAs: roots, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		srv.Serve(ln)
	}()
	tb.Cleanup(func() { s.Close() })
	s.waitServing(tb)
	return s
}

// waitServing returns once the server answers, so that everything Serve
// starts (the generator, the accept loop) is running when Start returns;
// leak checks that snapshot goroutines after Start rely on it.
func (s *Server) waitServing(tb testing.TB) {
	tb.Helper()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: s.TLSClientConfig()},
		Timeout: time.Second}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := hc.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			// The probe's connection must be gone too, or it would count
			// against --max-conns in the test that follows.
			for s.Stats().Snapshot(false).Connections > 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("servertest: server not answering: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
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

// Eventually retries cond every 10 ms until it holds, and fails the test
// when within passes first: for what a server does a moment after the
// request that caused it (a connection counted, a client dropped).
func Eventually(tb testing.TB, what string, within time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
