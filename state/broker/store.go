package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/pushlab/pushlab/state"
)

// The stream every instance shares. Its name and subject are part of the
// deployment's contract (docs/scale.md): another tool may read them.
const (
	StreamName = "PUSHLAB"
	Subject    = "pushlab.updates"
)

const (
	// startTimeout bounds Open as a whole (connect, stream, catching up), so
	// that `pushlab serve --broker` with an unreachable broker exits within
	// 10 s instead of hanging.
	startTimeout = 8 * time.Second
	// dialBudget is shared by the URLs at start: each gets its part, at most
	// maxDial.
	dialBudget = 6 * time.Second
	maxDial    = 2 * time.Second
	// reconnectWait is the pause between reconnection attempts after the
	// broker is lost; attempts go on for as long as the instance runs.
	reconnectWait = 500 * time.Millisecond
	// duplicateWindow is how long the stream remembers a Nats-Msg-Id, so a
	// publish retried within it is stored once.
	duplicateWindow = 2 * time.Minute
	// probeTimeout bounds asking the stream how far it goes, for a client
	// that says it holds a version this instance has not read yet.
	probeTimeout = time.Second
)

// Config is how to reach the broker.
type Config struct {
	URLs   string       // comma-separated nats:// URLs (see ParseURLs)
	Retain int          // updates kept: the stream's MaxMsgs when it is created
	Logger *slog.Logger // nil: slog.Default()
}

// Store is a state.Store whose updates go through a JetStream stream. Reads
// (AppendSince, Snapshot, Latest, Changed) are served from the in-memory
// mirror and never wait on the broker; Publish waits for the stream's
// acknowledgement. While the broker is away the mirror keeps serving the
// last state and Publish returns state.ErrUnavailable.
type Store struct {
	mem    *state.Memory
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	cons   jetstream.ConsumeContext
	log    *slog.Logger
	urls   []string
	retain int

	id     string        // this instance's prefix for Nats-Msg-Id
	nextID atomic.Uint64 // the counter after it

	consumed atomic.Uint64 // the last stream sequence read (applied or skipped)
	head     atomic.Uint64 // the highest stream sequence known to exist
	skipped  atomic.Uint64 // messages that were not ours
	failing  atomic.Bool   // publishes are failing (logged once per outage)

	progressMu sync.Mutex
	progress   chan struct{} // closed and replaced at each message read

	probeMu sync.Mutex // one probe of the stream at a time
}

var _ state.Store = (*Store)(nil)

// Open connects to the broker, creates the stream if it is absent, and
// reads the retained window into memory before it returns, so an instance
// serves the whole window from its first request. It fails, within
// startTimeout, when no broker answers or the broker has no JetStream.
func Open(cfg Config) (*Store, error) {
	urls, err := ParseURLs(cfg.URLs)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	retain := cfg.Retain
	if retain <= 0 {
		retain = state.DefaultRetain
	}
	s := &Store{log: log, urls: urls, progress: make(chan struct{}), id: nuid.Next()}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	where := redactAll(urls)
	s.nc, err = nats.Connect(strings.Join(urls, ","),
		nats.Name("pushlab"),
		nats.Timeout(min(maxDial, dialBudget/time.Duration(len(urls)))),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		// No buffering while reconnecting: a publish that cannot reach the
		// broker fails now, instead of going out later after the client
		// was told it failed.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			log.Warn("broker connection lost: serving the last state, refusing publishes", "err", err,
				"last_seq", s.consumed.Load())
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("broker reconnected: catching up from the last sequence", "url", nc.ConnectedUrlRedacted(),
				"last_seq", s.consumed.Load())
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("broker %s: %w", where, err)
	}
	if err := s.start(ctx, retain); err != nil {
		s.nc.Close()
		return nil, fmt.Errorf("broker %s: %w", where, err)
	}
	return s, nil
}

// start finds or creates the stream, starts reading it and waits until the
// retained window is read.
func (s *Store) start(ctx context.Context, retain int) error {
	js, err := jetstream.New(s.nc)
	if err != nil {
		return err
	}
	s.js = js
	stream, err := s.findStream(ctx, retain)
	if err != nil {
		return err
	}
	s.stream = stream
	info := stream.CachedInfo()
	if !subjectTaken(info.Config.Subjects) {
		return fmt.Errorf("stream %s exists but does not take subject %s", StreamName, Subject)
	}
	// The stream's limit wins over --retain: every instance must keep the
	// same window to build the same snapshot.
	s.retain = retain
	if m := info.Config.MaxMsgs; m > 0 && m != int64(retain) {
		s.log.Warn("the stream's retained window differs from --retain; using the stream's",
			"stream", StreamName, "max_msgs", m, "retain", retain)
		s.retain = int(min(m, math.MaxInt32))
	}
	s.mem = state.NewMirror(s.retain)

	last := info.State.LastSeq
	start := max(info.State.FirstSeq, 1)
	if last >= uint64(s.retain) {
		start = max(start, last-uint64(s.retain)+1)
	}
	s.head.Store(last)
	cons, err := js.OrderedConsumer(ctx, StreamName, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   start,
	})
	if err != nil {
		return fmt.Errorf("reading stream %s: %w", StreamName, err)
	}
	s.cons, err = cons.Consume(s.receive, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		s.log.Debug("broker consumer", "err", err)
	}))
	if err != nil {
		return fmt.Errorf("reading stream %s: %w", StreamName, err)
	}
	if err := s.waitConsumed(ctx, last); err != nil {
		s.cons.Stop()
		return fmt.Errorf("reading stream %s up to %d: %w", StreamName, last, err)
	}
	s.log.Info("broker connected", "url", s.nc.ConnectedUrlRedacted(), "stream", StreamName, "subject", Subject,
		"retain", s.retain, "last_seq", s.consumed.Load())
	return nil
}

// findStream returns the stream, creating it if it does not exist. Two
// instances that start together may both create it: the same config twice
// is not an error, and a lost race is answered by looking it up again.
func (s *Store) findStream(ctx context.Context, retain int) (jetstream.Stream, error) {
	stream, err := s.js.Stream(ctx, StreamName)
	if err == nil {
		return stream, nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, jetStreamError(err)
	}
	stream, err = s.js.CreateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "pushlab live state: one message per update, sequence = version",
		Subjects:    []string{Subject},
		Retention:   jetstream.LimitsPolicy,
		MaxMsgs:     int64(retain),
		Discard:     jetstream.DiscardOld,
		Storage:     jetstream.FileStorage,
		Duplicates:  duplicateWindow,
	})
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		stream, err = s.js.Stream(ctx, StreamName)
	}
	if err != nil {
		return nil, jetStreamError(err)
	}
	s.log.Info("broker stream created", "stream", StreamName, "subject", Subject, "max_msgs", retain)
	return stream, nil
}

// jetStreamError explains the usual reason a broker answers nothing.
func jetStreamError(err error) error {
	if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("JetStream does not answer (start nats-server with -js): %w", err)
	}
	return err
}

func subjectTaken(subjects []string) bool {
	for _, sub := range subjects {
		if sub == Subject || sub == ">" || sub == "pushlab.>" || sub == "pushlab.*" {
			return true
		}
	}
	return false
}

// Close stops reading the stream and closes the connection.
func (s *Store) Close() {
	if s.cons != nil {
		s.cons.Stop()
	}
	s.nc.Close()
}

// Changed implements state.Store.
func (s *Store) Changed() <-chan struct{} { return s.mem.Changed() }

// Latest implements state.Store.
func (s *Store) Latest() uint64 { return s.mem.Latest() }

// Snapshot implements state.Store.
func (s *Store) Snapshot() *state.Update { return s.mem.Snapshot() }

// AppendSince implements state.Store. A client may hold a version this
// instance has not read yet (it came from an instance that is ahead): it
// then gets nothing until this instance catches up, not a snapshot that
// would take it back.
func (s *Store) AppendSince(dst []*state.Update, v uint64) []*state.Update {
	if v != math.MaxUint64 && v > s.mem.Latest() && s.exists(v) {
		return dst
	}
	return s.mem.AppendSince(dst, v)
}

// exists reports whether stream sequence v exists (or may: while the broker
// is away it cannot be told, and the client is better left waiting than
// reset). A version beyond the stream's end is from a stream that was
// replaced; such a client gets a snapshot.
func (s *Store) exists(v uint64) bool {
	if v <= s.head.Load() {
		return true
	}
	if !s.nc.IsConnected() {
		return true
	}
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	if v <= s.head.Load() {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	info, err := s.stream.Info(ctx)
	if err != nil {
		return true
	}
	s.raiseHead(info.State.LastSeq)
	return v <= info.State.LastSeq
}

// raiseHead notes that stream sequence seq exists.
func (s *Store) raiseHead(seq uint64) {
	for {
		h := s.head.Load()
		if seq <= h || s.head.CompareAndSwap(h, seq) {
			return
		}
	}
}

// waitConsumed waits until the stream has been read up to seq.
func (s *Store) waitConsumed(ctx context.Context, seq uint64) error {
	for {
		s.progressMu.Lock()
		ch := s.progress
		s.progressMu.Unlock()
		if s.consumed.Load() >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Status is how an instance stands with its broker, for /api/stats.
type Status struct {
	URL       string `json:"url"`       // the server connected to, or the URLs configured
	Connected bool   `json:"connected"` // false: publishes are refused, reads serve the last state
	Stream    string `json:"stream"`
	Subject   string `json:"subject"`
	LastSeq   uint64 `json:"last_seq"` // the last stream sequence this instance has read
	Retain    int    `json:"retain"`   // the retained window, in updates
	Skipped   uint64 `json:"skipped"`  // messages in the stream that were not pushlab updates
}

// Status reports the connection and how far the stream has been read.
func (s *Store) Status() Status {
	st := Status{
		Connected: s.nc.IsConnected(),
		Stream:    StreamName,
		Subject:   Subject,
		LastSeq:   s.consumed.Load(),
		Retain:    s.retain,
		Skipped:   s.skipped.Load(),
	}
	if st.Connected {
		st.URL = s.nc.ConnectedUrlRedacted()
	} else {
		st.URL = redactAll(s.urls)
	}
	return st
}
