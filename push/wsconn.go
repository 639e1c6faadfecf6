package push

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/state"
)

const (
	// DefaultWriteWait bounds every write: an update, a ping, a pong or a
	// close frame. A client that does not read for this long is dropped.
	DefaultWriteWait = 10 * time.Second
	// pongWait is how long the reader waits for any frame (pongs included).
	pongWait = 30 * time.Second
	// pingPeriod keeps a ping in flight before pongWait runs out.
	pingPeriod = pongWait * 9 / 10
	// closeGrace is how long to wait for the client's reply to our close frame.
	closeGrace = 2 * time.Second
)

// wsConn is one WebSocket client. gorilla's Conn allows one reader and one
// writer at a time: readPump is the only reader, writePump the only writer.
// The reader hands everything that must be written (pongs, close frames) to
// the writer through channels, so that no frame is written from anywhere else.
type wsConn struct {
	hub   *Hub
	conn  *websocket.Conn
	req   *http.Request // the upgrade request, for accounting
	proto string
	cur   *cursor

	closeReq   chan *Disconnect // reader -> writer: close with this
	pongs      chan string      // reader -> writer: answer this ping
	notes      chan []byte      // reader -> writer: send this text frame (a publish error)
	readerDone chan struct{}    // closed when readPump returns
}

func newWSConn(h *Hub, conn *websocket.Conn, r *http.Request, proto string, cur *cursor) *wsConn {
	return &wsConn{
		hub: h, conn: conn, req: r, proto: proto, cur: cur,
		closeReq:   make(chan *Disconnect, 1),
		pongs:      make(chan string, 1),
		notes:      make(chan []byte, maxNotes),
		readerDone: make(chan struct{}),
	}
}

// requestClose asks the writer to close with d; the first request wins.
func (c *wsConn) requestClose(d *Disconnect) {
	select {
	case c.closeReq <- d:
	default:
	}
}

// readPump reads client frames until the connection ends. It publishes chat
// messages and turns bad input into a close request for the writer.
func (c *wsConn) readPump() {
	defer close(c.readerDone)
	alive := func() { c.conn.SetReadDeadline(time.Now().Add(pongWait)) }
	alive()
	c.conn.SetPongHandler(func(string) error { alive(); return nil })
	c.conn.SetPingHandler(func(data string) error {
		alive()
		select {
		case c.pongs <- data:
		default: // a pong is already owed; one answer covers both
		}
		return nil
	})
	c.conn.SetCloseHandler(func(code int, text string) error {
		// Echo the client's close code (RFC 6455 §5.5.1) through the writer.
		if code == websocket.CloseNoStatusReceived {
			code = CloseNormal
		}
		c.requestClose(&Disconnect{Code: code})
		return nil
	})
	for {
		kind, r, err := c.conn.NextReader()
		if err != nil {
			return
		}
		alive()
		if d := c.handle(kind, r); d != nil {
			if d.Code != CloseNormal {
				c.hub.log.Info("ws client closed for bad input", "code", d.Code, "reason", d.Reason,
					"remote", c.req.RemoteAddr, "client", c.req.URL.Query().Get("client"))
			}
			c.requestClose(d)
			c.drain()
			return
		}
	}
}

// handle acts on one client message, or says why the connection must end.
func (c *wsConn) handle(kind int, r io.Reader) *Disconnect {
	if kind == websocket.BinaryMessage {
		return disconnectBinary
	}
	// The limit is enforced here rather than with SetReadLimit, because
	// gorilla would write the 1009 close frame itself, outside our writer.
	limit := c.hub.cfg.ReadLimit
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return &Disconnect{CloseNormal, ""} // connection broke mid-message
	}
	if int64(len(b)) > limit {
		return disconnectTooBig
	}
	msg, d := DecodeClientMessage(c.proto, b)
	if d != nil {
		return d
	}
	switch msg.Type {
	case "close":
		return &Disconnect{msg.Code, msg.Reason}
	case "publish":
		if _, err := c.hub.store.Publish(state.KindChat, msg.Data); err != nil {
			if errors.Is(err, state.ErrBadData) {
				return &Disconnect{ClosePolicy, "publish data is not valid JSON"}
			}
			if errors.Is(err, state.ErrUnavailable) {
				return c.notify(unavailableFrame)
			}
			return disconnectPublished
		}
	}
	return nil
}

// unavailableFrame answers a publish the store could not carry out now (its
// broker is unreachable): nothing was published, the connection stays.
var unavailableFrame = []byte(`{"type":"error","error":"broker unreachable: the update was not published; try again"}`)

// maxNotes bounds the error frames queued for the writer; a client that
// publishes faster than they drain is asked to come back later.
const maxNotes = 8

// notify hands a text frame to the writer, or says to close when too many
// are waiting.
func (c *wsConn) notify(frame []byte) *Disconnect {
	select {
	case c.notes <- frame:
		return nil
	default:
		return &Disconnect{CloseTryAgainLater, "broker unreachable; publishing refused, try again later"}
	}
}

// drain reads and discards until the client answers our close frame or the
// grace period ends, so the closing handshake can complete.
func (c *wsConn) drain() {
	c.conn.SetReadDeadline(time.Now().Add(c.hub.cfg.WriteWait + closeGrace))
	for {
		if _, _, err := c.conn.NextReader(); err != nil {
			return
		}
	}
}

// writePump is the connection's only writer: updates, pings, pongs and the
// close frame all go out from here. It returns when the connection ends.
func (c *wsConn) writePump() {
	ping := time.NewTicker(pingPeriod)
	defer func() {
		ping.Stop()
		c.conn.Close()
		<-c.readerDone
	}()
	if full := c.hub.cfg.Full; full != nil && full() {
		c.close(disconnectFull)
		return
	}
	for {
		changed := c.hub.store.Changed()
		ups, d := c.cur.next()
		if d != nil {
			c.hub.log.Info("ws client too far behind", "remote", c.req.RemoteAddr, "held", c.cur.held)
			c.close(d)
			return
		}
		if len(ups) > 0 {
			if err := c.writeUpdates(ups); err != nil {
				return
			}
		}
		select {
		case <-changed:
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.hub.cfg.WriteWait)); err != nil {
				return
			}
		case frame := <-c.notes:
			c.conn.SetWriteDeadline(time.Now().Add(c.hub.cfg.WriteWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				return
			}
		case data := <-c.pongs:
			if err := c.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(c.hub.cfg.WriteWait)); err != nil {
				return
			}
		case d := <-c.closeReq:
			c.close(d)
			return
		case <-c.readerDone:
			select {
			case d := <-c.closeReq: // the client closed: echo its code
				c.close(d)
			default: // the connection broke
			}
			return
		case <-c.hub.ctx.Done():
			c.close(disconnectShutdown)
			return
		}
	}
}

// preparedKey memoises an update's WebSocket frame on the update itself, so
// a fan-out to N clients frames it once.
type preparedKey struct{}

func prepared(u *state.Update) *websocket.PreparedMessage {
	return u.Memo(preparedKey{}, func(u *state.Update) any {
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, u.Raw)
		if err != nil {
			panic(err) // only fails for an invalid message type
		}
		return pm
	}).(*websocket.PreparedMessage)
}

func (c *wsConn) writeUpdates(ups []*state.Update) error {
	c.conn.SetWriteDeadline(time.Now().Add(c.hub.cfg.WriteWait))
	for _, u := range ups {
		if err := c.conn.WritePreparedMessage(prepared(u)); err != nil {
			return err
		}
	}
	c.hub.deliver(c.req, len(ups))
	return nil
}

// close sends the close frame and waits, briefly, for the client's answer.
func (c *wsConn) close(d *Disconnect) {
	msg := websocket.FormatCloseMessage(d.Code, d.Reason)
	if err := c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.hub.cfg.WriteWait)); err != nil {
		return
	}
	select {
	case <-c.readerDone:
	case <-time.After(closeGrace):
	}
}
