package push

import (
	"bufio"
	"errors"
	"io"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/state"
)

const (
	// pongWait is how long a client may stay silent (pongs count) before
	// it is taken for gone.
	pongWait = 30 * time.Second
	// pingPeriod keeps a ping in flight before pongWait runs out.
	pingPeriod = pongWait * 9 / 10
	// closeGrace is how long to wait for the client's reply to our close frame.
	closeGrace = 2 * time.Second
)

// wsReader is a WebSocket's one reader (gorilla's Conn allows one reader
// and one writer at a time). It publishes chat messages and hands whatever
// must be written (pongs, close frames) to the subscriber's writers: it
// writes no frame itself. When the connection ends it ends the subscriber.
//
// It runs only while the client has sent something: the hub's watcher
// (epoll) starts it when the socket becomes readable, and it goes away once
// it has read all that arrived, so that an idle WebSocket keeps no goroutine.
// That needs one thing gorilla does not do: gorilla's NextReader reads on
// past a ping or pong to the next message, and would wait there. So pings
// and pongs between messages, the only frames an idle client sends, are
// read here, from the read buffer gorilla shares with us (br); every other
// frame, and any control frame inside a message, is gorilla's. Where the
// watcher cannot watch (TLS), the reader runs for the connection's whole
// life instead, as gorilla's examples do.
type wsReader struct {
	hub   *Hub
	sub   *subscriber
	ws    *wsWire
	br    *bufio.Reader // gorilla's read buffer
	proto string
}

// errLeaving ends the read loop once a close has been asked for.
var errLeaving = errors.New("closing")

// watch starts reading: on demand with the watcher, or else for good.
func (r *wsReader) watch() {
	c := r.ws.conn
	c.SetPongHandler(func(string) error { r.heard(); return nil })
	c.SetPingHandler(func(data string) error { r.ping(data); return nil })
	c.SetCloseHandler(func(code int, text string) error {
		// Echo the client's close code (RFC 6455 §5.5.1) through the writers.
		if code == websocket.CloseNoStatusReceived {
			code = CloseNormal
		}
		r.sub.requestClose(Disconnect{Code: code})
		return nil
	})
	r.heard()
	if r.hub.watch.Add(r.sub.conn, r, &r.sub.watch) {
		return
	}
	r.hub.busy.Add(1)
	go r.read(false)
}

// Stirred is the watcher's news that the client sent something, or left.
func (r *wsReader) Stirred(bool) {
	r.hub.busy.Add(1)
	go r.read(true)
}

// read reads frames until the connection ends or, onDemand, until all that
// arrived is read; then the watcher takes over again.
func (r *wsReader) read(onDemand bool) {
	defer r.hub.busy.Done()
	for {
		// A frame begun must end within pongWait; a reader for good also
		// waits that long for the next one.
		r.sub.conn.SetReadDeadline(time.Now().Add(pongWait))
		r.keepFarewellDeadline()
		if err := r.next(); err != nil {
			r.finish()
			return
		}
		if onDemand && r.br.Buffered() == 0 && r.hub.watch.Rearm(r.sub.conn, r, &r.sub.watch) {
			return
		}
	}
}

// next reads one frame of its own (a ping or pong between messages) or one
// message through gorilla, and acts on it.
func (r *wsReader) next() error {
	if ping, payload, ok, err := r.control(); err != nil || ok {
		if ok {
			r.heard()
			if ping {
				r.ping(string(payload))
			}
		}
		return err
	}
	kind, rd, err := r.ws.conn.NextReader()
	if err != nil {
		return err
	}
	r.heard()
	if d := r.handle(kind, rd); d != nil {
		if d.Code != CloseNormal {
			r.hub.log.Info("ws client closed for bad input", "code", d.Code, "reason", d.Reason,
				"remote", r.sub.remote, "client", r.sub.client)
		}
		r.sub.requestClose(*d)
		r.drain()
		return errLeaving
	}
	return nil
}

// control reads the next frame if it is a well-formed ping or pong
// (final, no extension bits, masked as a client's must be, at most 125
// bytes); ok false leaves it, or anything else, to gorilla.
func (r *wsReader) control() (ping bool, payload []byte, ok bool, err error) {
	h, err := r.br.Peek(2)
	if err != nil {
		return false, nil, false, err
	}
	op, n := h[0]&0x0f, int(h[1]&0x7f)
	if h[0]&0xf0 != 0x80 || h[1]&0x80 == 0 || n > 125 || (op != websocket.PingMessage && op != websocket.PongMessage) {
		return false, nil, false, nil
	}
	f, err := r.br.Peek(2 + 4 + n)
	if err != nil {
		return false, nil, false, err
	}
	payload = make([]byte, n)
	for i := range payload {
		payload[i] = f[6+i] ^ f[2+i%4]
	}
	r.br.Discard(2 + 4 + n)
	return op == websocket.PingMessage, payload, true, nil
}

// heard notes that the client is alive (see wsWire.keepalive).
func (r *wsReader) heard() { r.ws.heard.Store(time.Now().UnixNano()) }

// ping owes the client a pong; a pong already owed is replaced, one answer
// covers both.
func (r *wsReader) ping(data string) {
	r.heard()
	r.ws.pong.Store(&data)
	r.sub.Kick()
}

// keepFarewellDeadline: once the farewell is out the client has closeGrace
// to answer, whatever read deadline was set before. The farewell's writer
// closes bye before it sets that deadline, so whichever of the two sets the
// deadline last, closeGrace wins.
func (r *wsReader) keepFarewellDeadline() {
	select {
	case <-r.sub.bye:
		r.sub.conn.SetReadDeadline(time.Now().Add(closeGrace))
	default:
	}
}

// finish ends the subscriber when its connection ends. If the client
// closed, the writers echo its close first.
func (r *wsReader) finish() {
	if r.sub.closeReq.Load() != nil {
		t := time.NewTimer(r.hub.cfg.WriteWait + closeGrace)
		defer t.Stop()
		select {
		case <-r.sub.bye:
		case <-t.C:
		}
	}
	r.sub.end()
}

// handle acts on one client message, or says why the connection must end.
func (r *wsReader) handle(kind int, rd io.Reader) *Disconnect {
	if kind == websocket.BinaryMessage {
		return &disconnectBinary
	}
	// The limit is enforced here rather than with SetReadLimit, because
	// gorilla would write the 1009 close frame itself, outside our writers.
	limit := r.hub.cfg.ReadLimit
	b, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if err != nil {
		return &Disconnect{CloseNormal, ""} // connection broke mid-message
	}
	if int64(len(b)) > limit {
		return &disconnectTooBig
	}
	msg, d := DecodeClientMessage(r.proto, b)
	if d != nil {
		return d
	}
	switch msg.Type {
	case "close":
		return &Disconnect{msg.Code, msg.Reason}
	case "publish":
		if _, err := r.hub.store.Publish(state.KindChat, msg.Data); err != nil {
			if errors.Is(err, state.ErrBadData) {
				return &Disconnect{ClosePolicy, "publish data is not valid JSON"}
			}
			if errors.Is(err, state.ErrUnavailable) {
				return r.notify(unavailableFrame)
			}
			return &disconnectPublished
		}
	}
	return nil
}

// unavailableFrame answers a publish the store could not carry out now (its
// broker is unreachable): nothing was published, the connection stays.
var unavailableFrame = []byte(`{"type":"error","error":"broker unreachable: the update was not published; try again"}`)

// notify hands a text frame to the writers, or says to close when too many
// are waiting already.
func (r *wsReader) notify(frame []byte) *Disconnect {
	if !r.ws.notes.add(frame) {
		return &Disconnect{CloseTryAgainLater, "broker unreachable; publishing refused, try again later"}
	}
	r.sub.Kick()
	return nil
}

// drain reads and discards until the client answers our close frame or the
// grace period ends, so the closing handshake can complete.
func (r *wsReader) drain() {
	r.sub.conn.SetReadDeadline(time.Now().Add(r.hub.cfg.WriteWait + closeGrace))
	for {
		if _, _, err := r.ws.conn.NextReader(); err != nil {
			return
		}
	}
}
