package push

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pushlab/pushlab/state"
)

// Meter is told what each connection delivered, so the server can count
// it per transport and per client. The request is the one that opened the
// connection; the server finds its accounts in the request's context.
type Meter interface {
	Deliver(r *http.Request, updates int)
}

// Config tunes the push endpoints.
type Config struct {
	// AllowOrigins widens the same-host Origin check to these origins
	// (scheme://host[:port]); "*" allows any.
	AllowOrigins []string
	// ReadLimit is the largest client message in bytes (default 64 KiB).
	ReadLimit int64
	// WriteWait bounds each write; a client that reads nothing for this long
	// is dropped (default DefaultWriteWait).
	WriteWait time.Duration
	// Full reports whether the server is over its connection limit; a WS
	// client is then accepted only to be closed with 1013.
	Full func() bool
	// Compress accepts permessage-deflate (RFC 7692) when a client offers it.
	Compress bool
}

// shutdownGrace is how long a shutdown lets a connection end by itself
// (close frame and the client's answer) before unsticking its writer; it
// keeps the whole shutdown within the server's 5 s.
const shutdownGrace = closeGrace + time.Second

// DefaultReadLimit is the largest client message accepted.
const DefaultReadLimit = 64 << 10

// Hub serves WebSocket and SSE clients over one store and ends them all at
// shutdown. It is the one owner of the set of open push connections.
type Hub struct {
	store state.Store
	meter Meter
	cfg   Config
	log   *slog.Logger

	ctx    context.Context // done at shutdown
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool           // shutting down: no new connections
	conns  sync.WaitGroup // open WS and SSE connections

	handshakes *handshakeLog
}

// NewHub returns a hub serving store. meter may be nil.
func NewHub(store state.Store, meter Meter, cfg Config, log *slog.Logger) *Hub {
	if cfg.ReadLimit <= 0 {
		cfg.ReadLimit = DefaultReadLimit
	}
	if cfg.WriteWait <= 0 {
		cfg.WriteWait = DefaultWriteWait
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{
		store: store, meter: meter, cfg: cfg, log: log,
		ctx: ctx, cancel: cancel,
		handshakes: newHandshakeLog(256),
	}
}

// Shutdown closes every WebSocket with 1001 and ends every SSE stream, then
// waits for them until ctx is done.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	done := make(chan struct{})
	go func() { h.conns.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// track counts a new connection unless the hub is shutting down; the caller
// must call h.conns.Done when it ends. The lock orders every Add before the
// Wait in Shutdown.
func (h *Hub) track() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns.Add(1)
	return true
}

// forceAfterShutdown runs unstick a moment after shutdown begins, for a
// connection whose writer is stuck in a write to a client that does not
// read: the shutdown must not wait a whole write deadline for it. The
// returned stop cancels it when the connection ends first; after stop,
// unstick never runs.
func (h *Hub) forceAfterShutdown(unstick func()) (stop func()) {
	var mu sync.Mutex
	ended := false
	stopAfter := context.AfterFunc(h.ctx, func() {
		time.AfterFunc(shutdownGrace, func() {
			mu.Lock()
			defer mu.Unlock()
			if !ended {
				unstick()
			}
		})
	})
	return func() {
		stopAfter()
		mu.Lock()
		ended = true
		mu.Unlock()
	}
}

func (h *Hub) deliver(r *http.Request, n int) {
	if h.meter != nil && n > 0 {
		h.meter.Deliver(r, n)
	}
}
