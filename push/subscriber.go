package push

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
)

// kind is what the hub knows of a transport besides its wire.
type kind struct {
	name string
	// keepalive is how often a connection hears from the server however
	// busy it is (a WebSocket ping, whose pong keeps the reader's deadline
	// moving; an SSE comment); 0: never.
	keepalive time.Duration
	// lingers: after the farewell the client answers (the WebSocket closing
	// handshake), and the subscriber's reader ends it.
	lingers bool
}

// wire is how one transport puts what the hub decided onto the connection:
// it frames and writes, nothing more. Only the holder of the subscriber's
// write token calls the methods that write.
type wire interface {
	// update writes one update, framed; the frame is made once per update
	// and shared by every subscriber.
	update(u *state.Update) error
	// owes reports whether the transport's reader asked for a frame (a
	// WebSocket pong); any goroutine may call it.
	owes() bool
	// owed writes what the reader asked for.
	owed() error
	// keepalive writes the transport's idle traffic.
	keepalive() error
	// farewell writes the last bytes: a close frame, the end of a stream.
	farewell(d Disconnect) error
}

// subscriber is one client following the live state over a connection the
// hub holds. The hub decides what it is sent (send); its wire frames it.
//
// One writer at a time: whoever holds the write token is the only one that
// touches cur, conn, saidBye and the wire's writes. That is a shared writer
// walking its shard, the handler while it sends the backlog, a WebSocket
// reader answering a ping, or, while the client's socket is full, a
// goroutine of the subscriber's own (drive).
type subscriber struct {
	hub    *Hub
	kind   *kind
	wire   wire
	conn   *held.Conn
	cur    *cursor
	acct   held.Account
	client string // ?client=, for the log
	remote string

	token   atomic.Bool // the write token is held
	saidBye bool        // the farewell is written: nothing more will be

	holds         atomic.Uint64 // cur.held, for the writers' quick look
	nextKeepalive atomic.Int64  // Unix ns
	closeReq      atomic.Pointer[Disconnect]
	bye           chan struct{} // lingering kinds: closed when the farewell is out, or at the end
	byeOnce       sync.Once
	ended         atomic.Bool
	endOnce       sync.Once

	// lone, when set, is the goroutine that writes whenever the shared
	// writers cannot (a stream served inside its handler): alone hands it
	// the token instead of starting a goroutine.
	lone chan struct{}

	slot  held.Slot  // in its transport's set
	watch held.Watch // in the hub's watcher
}

func (h *Hub) newSubscriber(k *kind, conn *held.Conn, cur *cursor, acct held.Account, r *http.Request) *subscriber {
	s := &subscriber{
		hub: h, kind: k, conn: conn, cur: cur, acct: acct,
		client: r.URL.Query().Get("client"), remote: r.RemoteAddr,
	}
	s.token.Store(true) // for the handler, which sends the backlog (Hub.start)
	s.holds.Store(cur.held)
	if k.keepalive > 0 {
		// The first keepalive at a random point of the period: connections
		// opened together would otherwise be pinged, and answer, together,
		// every period, a burst that delays the updates around it.
		first := k.keepalive/2 + rand.N(k.keepalive/2)
		s.nextKeepalive.Store(time.Now().Add(first).UnixNano())
	}
	if k.lingers {
		s.bye = make(chan struct{})
	}
	return s
}

// requestClose asks that the subscriber be closed with d; the first request
// wins.
func (s *subscriber) requestClose(d Disconnect) {
	if s.closeReq.CompareAndSwap(nil, &d) {
		s.Kick()
	}
}

// Kick makes sure what is due gets written: it takes the write token if it
// is free and writes from the calling goroutine, never waiting on this
// client's socket. A holder looks again before it lets the token go, so
// nothing asked for while it held it is left behind.
func (s *subscriber) Kick() {
	if s.token.CompareAndSwap(false, true) {
		s.drive(true)
	}
}

// Due reports whether there is something to write.
func (s *subscriber) Due(latest uint64, now int64) bool {
	return s.holds.Load() != latest || s.closeReq.Load() != nil || s.wire.owes() ||
		(s.kind.keepalive > 0 && now >= s.nextKeepalive.Load())
}

// drive writes what is due while the caller holds the write token, and
// lets the token go when nothing is. shared: the caller serves others too
// and must not wait on this client's socket; what the socket does not take
// at once is then finished by a goroutine of the subscriber's own, which
// may wait up to the write deadline per write, keeps writing until the
// client has caught up, and drops a client that takes nothing for that long.
func (s *subscriber) drive(shared bool) {
	if shared && !s.conn.CanShare() {
		s.alone()
		return
	}
	s.conn.Share(shared)
	if err := s.conn.Flush(); err != nil {
		s.drop(err)
		return
	}
	for !s.ended.Load() {
		if err := s.send(); err != nil {
			s.drop(err)
			return
		}
		if s.conn.Stuck() {
			s.alone() // the token goes with it
			return
		}
		if s.saidBye {
			s.farewellDone() // the token is kept: nothing more is written
			return
		}
		s.token.Store(false)
		if !s.Due(s.hub.store.Latest(), time.Now().UnixNano()) || !s.token.CompareAndSwap(false, true) {
			return
		}
	}
}

// alone hands the token to a goroutine of the subscriber's own.
func (s *subscriber) alone() {
	if s.lone != nil {
		s.lone <- struct{}{} // never blocks: only the token holder sends
		return
	}
	s.hub.busy.Add(1)
	go func() {
		defer s.hub.busy.Done()
		s.drive(false)
	}()
}

// send writes, in order: what the wire owes (a pong); the farewell, if a
// close is asked for; the updates the cursor lets through; a keepalive when
// one is due. It stops early when the socket could not take a write at
// once (conn.Stuck); the rest is due again.
func (s *subscriber) send() error {
	if s.wire.owes() {
		if err := s.wire.owed(); err != nil || s.conn.Stuck() {
			return err
		}
	}
	if d := s.closeReq.Load(); d != nil {
		s.saidBye = true
		return s.wire.farewell(*d)
	}
	ups, behind := s.cur.next()
	if behind != nil {
		s.hub.log.Info("push client too far behind", "transport", s.kind.name, "held", s.cur.held,
			"client", s.client, "remote", s.remote)
		s.closeReq.CompareAndSwap(nil, behind)
		s.saidBye = true
		return s.wire.farewell(*s.closeReq.Load())
	}
	n := 0
	for _, u := range ups {
		if err := s.wire.update(u); err != nil {
			return err
		}
		s.cur.sent(u)
		n++
		if s.conn.Stuck() {
			break
		}
	}
	if n > 0 {
		s.holds.Store(s.cur.held)
		s.acct.Deliver(n)
	}
	if s.kind.keepalive > 0 && !s.conn.Stuck() {
		if now := time.Now(); now.UnixNano() >= s.nextKeepalive.Load() {
			s.nextKeepalive.Store(now.Add(s.kind.keepalive).UnixNano())
			return s.wire.keepalive()
		}
	}
	return nil
}

// farewellDone runs once the farewell is out. A lingering transport waits
// for the client's answer: its reader ends the subscriber, within
// closeGrace. The others end now.
func (s *subscriber) farewellDone() {
	if !s.kind.lingers {
		s.end()
		return
	}
	// Closed before the deadline is set: see wsReader.keepFarewellDeadline.
	s.byeOnce.Do(func() { close(s.bye) })
	s.conn.SetReadDeadline(time.Now().Add(closeGrace))
	// A reader started by the watcher may not be running to see it.
	time.AfterFunc(closeGrace, s.end)
}

// drop ends a subscriber whose connection failed a write: broken, or a
// client that took nothing for the write deadline.
func (s *subscriber) drop(err error) {
	if s.ended.Load() {
		return
	}
	switch {
	case isTimeout(err):
		d := disconnectSlow
		s.hub.log.Info("push client dropped", "transport", s.kind.name, "code", d.Code, "reason", d.Reason,
			"client", s.client, "remote", s.remote)
	case errors.Is(err, errSilent):
		s.hub.log.Info("push client dropped", "transport", s.kind.name, "reason", err.Error(),
			"client", s.client, "remote", s.remote)
	}
	s.end()
}

// end closes the subscriber's connection and lets go of it everywhere,
// once. Any goroutine may call it; a write in progress fails and stops.
func (s *subscriber) end() {
	s.endOnce.Do(func() {
		s.ended.Store(true)
		held.Remove(&s.slot)
		s.hub.watch.Remove(s.conn, &s.watch)
		s.conn.Close()
		if s.bye != nil {
			s.byeOnce.Do(func() { close(s.bye) })
		}
		s.acct.Close()
		s.hub.open.Done()
	})
}

// Stirred is the watcher's news that a stream's client went away, or wrote
// to a stream that only reads: either way the stream ends.
func (s *subscriber) Stirred(gone bool) {
	if !gone {
		d := disconnectSpoke
		s.hub.log.Info("push client closed", "transport", s.kind.name, "code", d.Code, "reason", d.Reason,
			"client", s.client, "remote", s.remote)
	}
	s.end()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
