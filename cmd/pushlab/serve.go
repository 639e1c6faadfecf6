package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/state/broker"
)

// runServe is `pushlab serve`: the lab on an in-memory live state, or on
// one shared with other instances through a broker (--broker).
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		addr      = fs.String("addr", server.DefaultAddr, "listen address (host:port); port 0 picks a free one")
		rate      = fs.Float64("rate", server.DefaultRate, "generator ticks per second (0 = off, max 1000)")
		payload   = fs.Int("payload", server.DefaultPayload, "bytes of data in each tick")
		retain    = fs.Int("retain", state.DefaultRetain, "updates kept so reconnecting clients can catch up")
		origins   = fs.String("allow-origin", "", "comma-separated origins (scheme://host:port) allowed besides the lab's own; * for any")
		maxConns  = fs.Int("max-conns", 0, "most open connections; past it HTTP gets 503 and WebSocket close 1013 (0 = no limit)")
		readLimit = fs.Int64("read-limit", push.DefaultReadLimit, "largest WebSocket message or POST body in bytes (1009 / 413 past it)")
		stateFile = fs.String("state-file", "", "keep the live state in this file across a graceful restart (loaded at start, written at shutdown)")
		brokerURL = fs.String("broker", "", "share the live state with other instances through NATS JetStream: nats://HOST:PORT[,nats://...]; the generator is then off unless --rate is given (give it to one instance only)")
		useTLS    = fs.Bool("tls", false, "serve every route over TLS (HTTP routes by h2 or http/1.1 via ALPN, WebSocket on http/1.1) with a certificate made at start for 127.0.0.1, ::1 and localhost")
		certFile  = fs.String("cert", "", "PEM certificate (chain) to serve TLS with instead of the one made at start; needs --key, implies --tls")
		keyFile   = fs.String("key", "", "PEM private key of --cert")
		compress  = fs.Bool("compress", false, "permessage-deflate for WebSocket clients that offer it, gzip bodies for HTTP clients that accept it")
		verbose   = fs.Bool("v", false, "log every request (debug level)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pushlab serve [flags]")
		fmt.Fprintln(stderr, "Serves one live state over short polling, long polling, WebSocket and SSE, with the demo page at /.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *brokerURL != "" {
		if _, err := broker.ParseURLs(*brokerURL); err != nil {
			fmt.Fprintln(stderr, "pushlab serve: --broker:", err)
			return 2
		}
		// Every instance with a rate ticks for all of them: with a broker
		// the generator runs only where --rate is asked for.
		if !flagGiven(fs, "rate") {
			*rate = 0
		}
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	cfg := server.Config{
		Addr: *addr, Rate: *rate, Payload: *payload, Retain: *retain,
		MaxConns: *maxConns, ReadLimit: *readLimit, Logger: log, StateFile: *stateFile, Broker: *brokerURL,
		Compress: *compress,
	}
	if *origins != "" {
		cfg.AllowOrigins = strings.Split(*origins, ",")
	}
	if *useTLS || *certFile != "" || *keyFile != "" {
		cert, err := serveCert(*certFile, *keyFile)
		if err != nil {
			fmt.Fprintln(stderr, "pushlab serve:", err)
			return 2
		}
		sum, spki, err := server.Fingerprints(cert)
		if err != nil {
			fmt.Fprintln(stderr, "pushlab serve: certificate:", err)
			return 2
		}
		cfg.TLS = server.TLSConfig(cert)
		log.Info("tls certificate", "made_at_start", *certFile == "", "sha256", sum, "spki_sha256", spki)
	}
	srv, err := server.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "pushlab serve:", err)
		return 2
	}
	// Signals are caught before anyone can learn the address: a parent that
	// reads the listening line and signals at once still gets a clean stop.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintln(stderr, "pushlab serve:", err)
		return 2
	}
	if !loopback(ln.Addr()) {
		log.Warn("listening beyond this machine: anyone who can reach it can read the live state and chat",
			"addr", ln.Addr().String())
	}
	// The one line on stdout: the bench reads it to find a child server.
	scheme := "http"
	if cfg.TLS != nil {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "listening %s://%s\n", scheme, ln.Addr())
	log.Info("pushlab serving", "addr", ln.Addr().String(), "tls", cfg.TLS != nil, "compress", *compress,
		"rate", *rate, "payload", *payload)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintln(stderr, "pushlab serve:", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

// flagGiven reports whether the command line set the named flag.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// serveCert is --cert/--key, both or neither; neither makes one in memory.
func serveCert(certFile, keyFile string) (tls.Certificate, error) {
	switch {
	case certFile == "" && keyFile == "":
		return server.SelfSignedCert()
	case certFile == "":
		return tls.Certificate{}, errors.New("--key needs --cert")
	case keyFile == "":
		return tls.Certificate{}, errors.New("--cert needs --key")
	}
	return server.LoadCert(certFile, keyFile)
}

// loopback reports whether addr is on the loopback interface only.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
