package push

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/state"
)

// wsWire frames for a WebSocket: each update as one text message, made once
// per update as a PreparedMessage and written to every subscriber from its
// bytes; pings as keepalives; pongs the reader asks for; a close frame to end.
type wsWire struct {
	conn   *websocket.Conn
	pong   atomic.Pointer[string] // a ping's payload owed a pong
	notes  noteQueue              // text frames owed: a publish the store refused
	heard  atomic.Int64           // Unix ns of the client's last frame
	pinged int64                  // Unix ns of the oldest ping not answered (the writer's)
}

// errSilent drops a client that sent nothing, not even a pong, for pongWait
// after a ping: it is gone without a word (a half-open connection), and
// nothing else would notice.
var errSilent = errors.New("ws client answered no ping within pongWait")

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

// No deadlines here: the held.Conn beneath sets its own.
var noDeadline time.Time

func (w *wsWire) update(u *state.Update) error { return w.conn.WritePreparedMessage(prepared(u)) }

func (w *wsWire) owes() bool { return w.pong.Load() != nil || w.notes.pending() }

func (w *wsWire) owed() error {
	if p := w.pong.Swap(nil); p != nil {
		if err := w.conn.WriteControl(websocket.PongMessage, []byte(*p), noDeadline); err != nil {
			return err
		}
	}
	for _, frame := range w.notes.take() {
		if err := w.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
			return err
		}
	}
	return nil
}

// maxNotes bounds the text frames owed to one client; a client that
// publishes faster than they go out is asked to come back later.
const maxNotes = 8

// noteQueue holds the text frames the reader owes the client until a
// writer sends them.
type noteQueue struct {
	mu     sync.Mutex
	frames [][]byte
	n      atomic.Int32
}

// add queues a frame; false when maxNotes are already waiting.
func (q *noteQueue) add(frame []byte) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.frames) >= maxNotes {
		return false
	}
	q.frames = append(q.frames, frame)
	q.n.Store(int32(len(q.frames)))
	return true
}

func (q *noteQueue) pending() bool { return q.n.Load() > 0 }

func (q *noteQueue) take() [][]byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	f := q.frames
	q.frames = nil
	q.n.Store(0)
	return f
}

// keepalive pings, first checking that the client has said something since
// the oldest ping it has not answered. Pings are pingPeriod apart, so a
// silent client is dropped at the second ping after it fell silent, within
// two ping periods.
func (w *wsWire) keepalive() error {
	now := time.Now().UnixNano()
	unanswered := w.pinged != 0 && w.heard.Load() < w.pinged
	if unanswered && now-w.pinged > int64(pongWait) {
		return errSilent
	}
	if !unanswered {
		w.pinged = now
	}
	return w.conn.WriteControl(websocket.PingMessage, nil, noDeadline)
}

func (w *wsWire) farewell(d Disconnect) error {
	return w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(d.Code, d.Reason), noDeadline)
}
