package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/polling"
	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/state/broker"
	"github.com/pushlab/pushlab/web"
)

const (
	// readHeaderTimeout bounds a client that sends its headers slowly. There
	// is no ReadTimeout: it would cut long polls, whose body is empty anyway.
	readHeaderTimeout = 10 * time.Second
	// writeTimeout bounds ordinary responses; long polls and SSE set their own.
	writeTimeout = 30 * time.Second
	// idleTimeout closes keep-alive connections nobody uses.
	idleTimeout = 120 * time.Second
	// ShutdownTimeout is how long a graceful shutdown may take.
	ShutdownTimeout = 5 * time.Second
)

// Server is one lab: a live state, its generator and the HTTP surface.
type Server struct {
	cfg    Config
	log    *slog.Logger
	store  state.Store
	broker *broker.Store // nil without --broker
	gen    *state.Generator
	stats  *Stats
	hub    *push.Hub
	poller *polling.Poller
	http   *http.Server
	taps   *taps  // the wire of inspected WebSockets (wiretap.go)
	netem  *netem // the demo's network conditions (netem.go)

	mu       sync.Mutex         // orders Serve's start of the generator and Shutdown
	stopGen  context.CancelFunc // set once the generator runs
	genDone  chan struct{}
	shutdown chan struct{} // closed at shutdown: long polls answer
	once     sync.Once
	back     chan net.Conn // connections to serve again (Resume)
	waiting  resumed       // served again, not yet carrying a request
}

// New builds a server; Serve starts it.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := state.CheckSettings(cfg.Rate, cfg.Payload); err != nil {
		return nil, err
	}
	if cfg.MaxConns < 0 {
		return nil, errors.New("max-conns must be 0 (no limit) or more")
	}
	if cfg.TLS != nil && extendedConnectOn() {
		return nil, errors.New("GODEBUG=http2xconnect=1 would invite browsers to open WebSockets over HTTP/2, which this server does not speak; unset it to serve TLS")
	}
	store := cfg.Store
	b, err := openBroker(cfg)
	if err != nil {
		return nil, err
	}
	if b != nil {
		store = b
	}
	if store == nil {
		mem := state.NewMemory(cfg.Retain)
		if cfg.StateFile != "" {
			if err := mem.LoadFile(cfg.StateFile); err != nil {
				return nil, fmt.Errorf("state file %s: %w", cfg.StateFile, err)
			}
		}
		store = mem
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		store:    store,
		broker:   b,
		gen:      state.NewGenerator(store, cfg.Rate, cfg.Payload),
		stats:    newStats(store),
		shutdown: make(chan struct{}),
		genDone:  make(chan struct{}),
		taps:     newTaps(),
		netem:    newNetem(cfg.Logger),
		back:     make(chan net.Conn, resumeQueue),
	}
	s.hub = push.NewHub(store, s.stats, push.Config{
		AllowOrigins: cfg.AllowOrigins,
		ReadLimit:    cfg.ReadLimit,
		WriteWait:    cfg.WriteWait,
		Full:         s.full,
		Compress:     cfg.Compress,
	}, s.log)
	s.stats.broker = b
	s.poller = polling.New(store, s.stats, s.shutdown, s, cfg.WriteWait, s.log)
	s.poller.FollowSchedule(s.gen) // short polls say when the next tick is due
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: readHeaderTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ConnContext:       withConn,
		ConnState:         s.connState,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		TLSConfig:         cfg.TLS,
	}
	return s, nil
}

// routes is the HTTP surface of DESIGN.md.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, logRequests(s.log), middleware.Recoverer, s.tapWire, s.stats.countRequests,
		s.withCORS, s.unproxyHost, s.limitConns,
		middleware.GetHead) // HEAD is answered by the GET route, as net/http does
	if s.cfg.Compress {
		r.Use(compressBodies)
	}
	r.MethodNotAllowed(methodNotAllowed(r))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		apierror.Write(w, http.StatusNotFound, "no such route")
	})

	r.Route("/api", func(r chi.Router) {
		r.Get("/state", s.poller.ServeState)
		r.Get("/poll", s.poller.ServePoll)
		r.Post("/publish", s.servePublish)
		r.Get("/stats", s.stats.serveStats)
		r.Get("/transports", serveTransports)
		r.Get("/handshake", s.hub.ServeHandshake)
		r.Get("/handshake/raw", s.serveRawHandshake)
		r.Get("/frames", s.serveFrames)
		r.Get("/netem", s.serveNetem)
		r.Post("/netem", s.serveNetem)
		r.Get("/closecodes", push.ServeCloseCodes)
		r.Get("/config", s.serveConfig)
		r.Post("/config", s.serveConfig)
	})
	r.Get("/ws", s.hub.ServeWS)
	r.Get("/sse", s.hub.ServeSSE)
	r.Get("/floor", s.hub.ServeFloor)
	r.Method(http.MethodGet, "/metrics", metricsHandler(s.stats))
	r.Get("/healthz", s.serveHealth)
	r.Method(http.MethodGet, "/*", web.Handler())
	return r
}

// full reports whether more connections are open than --max-conns allows.
func (s *Server) full() bool {
	return s.cfg.MaxConns > 0 && s.stats.conns.Load() > int64(s.cfg.MaxConns)
}

// limitConns answers 503 past --max-conns. WebSocket requests pass: the hub
// upgrades them and closes with 1013, which a browser can show.
func (s *Server) limitConns(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.full() && r.URL.Path != "/ws" && r.URL.Path != "/healthz" {
			w.Header().Set("Retry-After", "1")
			apierror.Write(w, http.StatusServiceUnavailable, "server over capacity")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// saveState writes the live state for the next start, when asked to. It
// runs after every client is gone, so nothing is published after it.
func (s *Server) saveState() error {
	mem, ok := s.store.(*state.Memory)
	if s.cfg.StateFile == "" || !ok {
		return nil
	}
	if err := mem.SaveFile(s.cfg.StateFile); err != nil {
		return fmt.Errorf("state file %s: %w", s.cfg.StateFile, err)
	}
	s.log.Info("state saved", "file", s.cfg.StateFile, "version", mem.Latest())
	return nil
}

// Store returns the live state.
func (s *Server) Store() state.Store { return s.store }

// Generator returns the tick generator (tests tick it by hand at rate 0).
func (s *Server) Generator() *state.Generator { return s.gen }

// Stats returns the wire counters.
func (s *Server) Stats() *Stats { return s.stats }

// Serve runs the generator and serves ln until Shutdown. It returns
// http.ErrServerClosed after a shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	select {
	case <-s.shutdown:
		s.mu.Unlock()
		ln.Close()
		return http.ErrServerClosed
	default:
	}
	if s.stopGen == nil {
		ctx, cancel := context.WithCancel(context.Background())
		s.stopGen = cancel
		go func() {
			defer close(s.genDone)
			s.gen.Run(ctx)
		}()
	}
	s.mu.Unlock()
	s.netem.listening(ln.Addr())
	// Bytes are counted beneath TLS, so records and handshakes count too.
	// Connections a parked long poll gives back come in through it again
	// (plain HTTP/1.1 only: see CanResume).
	counted := &countingListener{Listener: ln, stats: s.stats, back: s.back}
	if s.cfg.TLS != nil {
		return s.http.ServeTLS(counted, "", "")
	}
	return s.http.Serve(counted)
}

// ListenAndServe listens on cfg.Addr and serves.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Shutdown stops the lab gracefully: WebSocket clients get close 1001, SSE
// streams and held long polls end, then the listener closes and in-flight
// requests finish; all within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		close(s.shutdown)
		stopGen := s.stopGen
		s.mu.Unlock()
		if stopGen != nil {
			stopGen()
			<-s.genDone
		}
		hubErr, pollErr := make(chan error, 1), make(chan error, 1)
		go func() { hubErr <- s.hub.Shutdown(ctx) }()
		go func() { pollErr <- s.poller.Shutdown(ctx); s.closeResumed() }()
		err = errors.Join(s.http.Shutdown(ctx), <-hubErr, <-pollErr, s.saveState())
		if s.broker != nil {
			s.broker.Close()
		}
		s.netem.close()
	})
	return err
}
