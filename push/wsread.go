package push

import (
	"errors"
	"io"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/state"
)

const (
	// pongWait is how long the reader waits for any frame (pongs included).
	pongWait = 30 * time.Second
	// pingPeriod keeps a ping in flight before pongWait runs out.
	pingPeriod = pongWait * 9 / 10
	// closeGrace is how long to wait for the client's reply to our close frame.
	closeGrace = 2 * time.Second
)

// wsReader is a WebSocket's one reader (gorilla's Conn allows one reader
// and one writer at a time), the one goroutine a WebSocket keeps while it is
// idle. It publishes chat messages, and hands everything that must be
// written (pongs, close frames) to the subscriber's writers: it writes no
// frame itself. When the connection ends it ends the subscriber.
type wsReader struct {
	hub   *Hub
	sub   *subscriber
	ws    *wsWire
	proto string
}

func (r *wsReader) run() {
	defer r.hub.busy.Done()
	defer r.sub.end()
	c := r.ws.conn
	r.alive()
	c.SetPongHandler(func(string) error { r.alive(); return nil })
	c.SetPingHandler(func(data string) error {
		r.alive()
		r.ws.pong.Store(&data) // a pong already owed is replaced: one answer covers both
		r.sub.Kick()
		return nil
	})
	c.SetCloseHandler(func(code int, text string) error {
		// Echo the client's close code (RFC 6455 §5.5.1) through the writers.
		if code == websocket.CloseNoStatusReceived {
			code = CloseNormal
		}
		r.sub.requestClose(Disconnect{Code: code})
		return nil
	})
	for {
		kind, rd, err := c.NextReader()
		if err != nil {
			break
		}
		r.alive()
		if d := r.handle(kind, rd); d != nil {
			if d.Code != CloseNormal {
				r.hub.log.Info("ws client closed for bad input", "code", d.Code, "reason", d.Reason,
					"remote", r.sub.remote, "client", r.sub.client)
			}
			r.sub.requestClose(*d)
			r.drain()
			break
		}
	}
	// The client closed: let the writers echo it before the connection goes.
	if r.sub.closeReq.Load() != nil {
		t := time.NewTimer(r.hub.cfg.WriteWait + closeGrace)
		defer t.Stop()
		select {
		case <-r.sub.bye:
		case <-t.C:
		}
	}
}

// alive moves the read deadline on, unless the farewell is out: then the
// client has closeGrace to answer. The farewell's writer closes bye before
// it sets that deadline, so whichever of the two sets the deadline last,
// closeGrace wins.
func (r *wsReader) alive() {
	r.ws.conn.SetReadDeadline(time.Now().Add(pongWait))
	select {
	case <-r.sub.bye:
		r.ws.conn.SetReadDeadline(time.Now().Add(closeGrace))
	default:
	}
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
			return &disconnectPublished
		}
	}
	return nil
}

// drain reads and discards until the client answers our close frame or the
// grace period ends, so the closing handshake can complete.
func (r *wsReader) drain() {
	r.ws.conn.SetReadDeadline(time.Now().Add(r.hub.cfg.WriteWait + closeGrace))
	for {
		if _, _, err := r.ws.conn.NextReader(); err != nil {
			return
		}
	}
}
