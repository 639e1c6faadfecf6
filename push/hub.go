package push

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/transport"
)

// Config tunes the push endpoints.
type Config struct {
	// AllowOrigins widens the same-host Origin check to these origins
	// (scheme://host[:port]); "*" allows any.
	AllowOrigins []string
	// ReadLimit is the largest client message in bytes (default
	// DefaultReadLimit).
	ReadLimit int64
	// WriteWait bounds each write that waits; a client whose socket takes
	// nothing for this long is dropped (default DefaultWriteWait).
	WriteWait time.Duration
	// Full reports whether the server is over its connection limit: a WS
	// client is then accepted only to be closed with 1013, SSE and floor
	// requests get 503.
	Full func() bool
	// Compress accepts permessage-deflate (RFC 7692) when a client offers it.
	Compress bool
}

const (
	// DefaultReadLimit is the largest client message accepted.
	DefaultReadLimit = 64 << 10
	// DefaultWriteWait bounds every write that waits: an update, a ping, a
	// pong or a close frame to a client whose socket is full.
	DefaultWriteWait = 10 * time.Second
	// shutdownGrace is how long a shutdown lets connections end by
	// themselves (close frame and the client's answer) before it closes
	// those whose writes are stuck on a client that does not read; it keeps
	// the whole shutdown within the server's 5 s.
	shutdownGrace = closeGrace + time.Second
)

// Hub holds every push connection of one server: the WebSocket, SSE and
// floor subscribers of one store, in one held.Set (split per core, each
// part with its writer) per transport. It opens them, writes to them and,
// at shutdown, closes them all.
type Hub struct {
	store state.Store
	meter held.Meter
	cfg   Config
	log   *slog.Logger

	ctx    context.Context // done at shutdown
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool           // shutting down: no new connections
	open   sync.WaitGroup // subscribers not yet ended, and handlers opening one
	busy   sync.WaitGroup // the hub's goroutines: writers, readers, the watcher

	sets  map[string]*held.Set // by transport name
	watch *held.Watcher        // nil where epoll is not available

	handshakes *handshakeLog
}

// The transports the hub serves.
var (
	kindWS    = &kind{name: transport.WS, keepalive: pingPeriod, lingers: true}
	kindSSE   = &kind{name: transport.SSE, keepalive: keepaliveEvery}
	kindFloor = &kind{name: transport.Floor}
)

// NewHub returns a hub serving store, with its writers running until
// Shutdown. meter may be nil.
func NewHub(store state.Store, meter held.Meter, cfg Config, log *slog.Logger) *Hub {
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
	h := &Hub{
		store: store, meter: meter, cfg: cfg, log: log,
		ctx: ctx, cancel: cancel,
		sets:       make(map[string]*held.Set),
		handshakes: newHandshakeLog(256),
	}
	for _, k := range []*kind{kindWS, kindSSE, kindFloor} {
		h.sets[k.name] = held.NewSet(store, ctx.Done(), &h.busy)
	}
	h.watch = held.StartWatcher(&h.busy, false)
	return h
}

// admit counts a connection about to be opened, or answers 503 when the
// hub is shutting down or (for transports that refuse with a status) the
// server is over capacity. After admit, the caller either starts a
// subscriber, whose end counts it off, or calls h.open.Done.
func (h *Hub) admit(w http.ResponseWriter, refuseWhenFull bool) bool {
	if refuseWhenFull && h.full() {
		w.Header().Set("Retry-After", "1")
		apierror.Write(w, http.StatusServiceUnavailable, "server over capacity")
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		apierror.Write(w, http.StatusServiceUnavailable, "server shutting down")
		return false
	}
	h.open.Add(1) // under mu: ordered before Shutdown's Wait
	return true
}

func (h *Hub) full() bool { return h.cfg.Full != nil && h.cfg.Full() }

func (h *Hub) attach(r *http.Request) held.Account { return held.Attach(h.meter, r) }

// start makes s one of the hub's subscribers. s comes holding its write
// token: the calling goroutine (the handler's) sends the backlog, waiting on
// this one client if it must, then lets the shared writers have it.
func (h *Hub) start(s *subscriber) {
	h.sets[s.kind.name].Add(s, &s.slot)
	if h.ctx.Err() != nil {
		s.closeReq.CompareAndSwap(nil, &disconnectShutdown)
	}
	s.drive(false)
}

// watchStream ends s when its client goes away, for a stream the client
// never writes to: with epoll where there is one, else with a goroutine
// that waits in Read.
func (h *Hub) watchStream(s *subscriber) {
	if h.watch.Add(s.conn, s, &s.watch) {
		return
	}
	h.busy.Add(1)
	go func() {
		defer h.busy.Done()
		held.ReadUntilGone(s.conn, s)
	}()
}

// Shutdown closes every WebSocket with 1001 and ends every SSE and floor
// stream, then waits for them until ctx is done.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.each(func(s *subscriber) { s.requestClose(disconnectShutdown) })

	// A write stuck on a client that does not read would hold the shutdown
	// for a whole write deadline: after a grace, end whoever is left.
	grace, cancel := context.WithTimeout(ctx, shutdownGrace)
	defer cancel()
	if held.Wait(grace, &h.open) != nil {
		h.each(func(s *subscriber) { s.end() })
	}
	err := held.Wait(ctx, &h.open)
	h.watch.Stop()
	if werr := held.Wait(ctx, &h.busy); err == nil {
		err = werr
		h.watch.Release()
	}
	return err
}

// each calls fn for every subscriber.
func (h *Hub) each(fn func(*subscriber)) {
	for _, set := range h.sets {
		set.Each(func(m held.Member) { fn(m.(*subscriber)) })
	}
}
