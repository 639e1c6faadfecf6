package server

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/state"
)

// Config is how a server is set up; zero values take the defaults below.
type Config struct {
	Addr         string   // listen address, default 127.0.0.1:8080
	Rate         float64  // generator ticks per second; 0 = off
	Payload      int      // bytes of tick data
	Retain       int      // updates kept for catching up
	AllowOrigins []string // origins besides the server's own that browsers may use
	MaxConns     int      // open TCP connections; 0 = no limit
	ReadLimit    int64    // largest WS message or POST body, bytes
	// WriteWait drops a push client that reads nothing for this long
	// (default push.DefaultWriteWait).
	WriteWait time.Duration
	// StateFile, if set, keeps the live state across a graceful restart:
	// loaded at start, written at shutdown.
	StateFile string
	Logger    *slog.Logger
	// Store replaces the in-memory store (a broker-backed one, say).
	Store state.Store
	// Broker, if set, shares the live state with other instances through
	// NATS JetStream: comma-separated nats:// URLs (state/broker).
	Broker string
	// TLS, if set, serves every route over TLS with this config (see
	// TLSConfig): HTTP routes negotiate h2 or http/1.1 by ALPN; WebSocket
	// needs http/1.1.
	TLS *tls.Config
	// Compress offers permessage-deflate to WebSocket clients that ask
	// for it and gzips HTTP bodies for clients that accept it.
	Compress bool
}

// Defaults.
const (
	DefaultAddr    = "127.0.0.1:8080"
	DefaultRate    = 10
	DefaultPayload = 256
)

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Retain <= 0 {
		c.Retain = state.DefaultRetain
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = push.DefaultReadLimit
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
