package push

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
)

// keepaliveEvery is how often an SSE stream gets a comment, so that proxies
// and the client's read timeout see it is alive.
const keepaliveEvery = 15 * time.Second

// ServeSSE serves GET /sse?since=V as a text/event-stream. A reconnecting
// EventSource sends Last-Event-ID, which wins over the since in its URL.
//
// net/http writes the headers and the first event (retry:), chunked. Over
// HTTP/1.1 the hub then takes the connection and writes the chunks itself,
// so an idle stream keeps neither a goroutine nor net/http's buffers. Over
// HTTP/2, where a stream shares its connection, the stream stays in this
// handler and its events go out through net/http.
func (h *Hub) ServeSSE(w http.ResponseWriter, r *http.Request) {
	from := r.URL.Query().Get("since")
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		from = id
	}
	since, haveSince, err := state.ParseVersion(from)
	if err != nil {
		apierror.Write(w, http.StatusBadRequest, "since / Last-Event-ID: "+err.Error())
		return
	}
	if !h.admit(w, true) {
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // ask proxies not to buffer the stream
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// The server's WriteTimeout would cut the stream; each write gets its own.
	rc.SetWriteDeadline(time.Now().Add(h.cfg.WriteWait))
	if r.Method == http.MethodHead {
		h.open.Done()
		return
	}
	if _, err := io.WriteString(w, "retry: 1000\n\n"); err != nil || rc.Flush() != nil {
		h.open.Done()
		return
	}
	cur := newCursor(h.store, since, haveSince)
	// A compressed stream (serve --compress) stays too: its bytes go
	// through the compressor net/http's writer carries.
	if r.ProtoMajor == 1 && r.ProtoMinor == 1 && hdr.Get("Content-Encoding") == "" { // the HTTP that chunks
		if c, _, err := rc.Hijack(); err == nil {
			sc := held.NewConn(c, h.cfg.WriteWait)
			s := h.newSubscriber(kindSSE, sc, cur, h.attach(r), r)
			s.wire = sseWire{w: sc, chunked: true}
			h.start(s)
			h.watchStream(s)
			return
		}
	}
	h.serveInHandler(w, r, rc, cur)
}

// serveInHandler serves an SSE stream that cannot leave its handler. The
// handler's goroutine is then the subscriber's own writer: the shared
// writers only hand it the write token (subscriber.lone).
func (h *Hub) serveInHandler(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, cur *cursor) {
	rw := &responseConn{w: w, rc: rc, gone: make(chan struct{})}
	sc := held.NewConn(rw, h.cfg.WriteWait)
	s := h.newSubscriber(kindSSE, sc, cur, h.attach(r), r)
	s.wire = sseWire{w: sc}
	s.lone = make(chan struct{}, 1)
	h.start(s)
	for {
		select {
		case <-s.lone:
			s.drive(false)
		case <-r.Context().Done():
			s.end()
		case <-rw.gone:
			return
		}
	}
}

// responseConn lets a stream served inside its handler be written like a
// hijacked connection: each write goes out through net/http, flushed. Only
// the handler's goroutine writes (see serveInHandler); Close tells it to
// return.
type responseConn struct {
	net.Conn // nil: only the methods below are used
	w        http.ResponseWriter
	rc       *http.ResponseController
	gone     chan struct{}
	once     sync.Once
}

func (c *responseConn) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err == nil {
		err = c.rc.Flush()
	}
	return n, err
}

func (c *responseConn) SetWriteDeadline(t time.Time) error { return c.rc.SetWriteDeadline(t) }
func (c *responseConn) SetReadDeadline(time.Time) error    { return nil }

func (c *responseConn) Close() error {
	c.once.Do(func() { close(c.gone) })
	return nil
}

// sseWire frames for an event stream: each update as one event, its version
// as the id (which the browser sends back as Last-Event-ID) and its JSON as
// data; a comment as keepalive; the end of the stream to close. On a
// hijacked HTTP/1.1 connection it also does the chunked encoding net/http
// began, each event one chunk; the framed bytes are made once per update.
type sseWire struct {
	w       io.Writer
	chunked bool
}

const (
	keepaliveEvent = ": keepalive\n\n"
	lastChunk      = "0\r\n\r\n"
)

type sseKey struct{}
type sseChunkKey struct{}

// sseEvent is the update as one Server-Sent Event.
func sseEvent(u *state.Update) []byte {
	return u.Memo(sseKey{}, func(u *state.Update) any {
		b := make([]byte, 0, len(u.Raw)+32)
		b = append(b, "id: "...)
		b = strconv.AppendUint(b, u.V, 10)
		b = append(b, "\ndata: "...)
		b = append(b, u.Raw...)
		return append(b, "\n\n"...)
	}).([]byte)
}

// sseChunk is the event as one HTTP/1.1 chunk.
func sseChunk(u *state.Update) []byte {
	ev := sseEvent(u) // outside: Memo holds the update's lock while it makes
	return u.Memo(sseChunkKey{}, func(*state.Update) any { return chunk(ev) }).([]byte)
}

func chunk(p []byte) []byte {
	b := strconv.AppendInt(make([]byte, 0, len(p)+12), int64(len(p)), 16)
	b = append(b, "\r\n"...)
	b = append(b, p...)
	return append(b, "\r\n"...)
}

var keepaliveChunk = chunk([]byte(keepaliveEvent))

func (w sseWire) update(u *state.Update) error {
	if w.chunked {
		return w.write(sseChunk(u))
	}
	return w.write(sseEvent(u))
}

func (w sseWire) owes() bool  { return false }
func (w sseWire) owed() error { return nil }

func (w sseWire) keepalive() error {
	if w.chunked {
		return w.write(keepaliveChunk)
	}
	return w.write([]byte(keepaliveEvent))
}

// farewell ends the stream with the reason as a comment. SSE has no close
// code: a browser reconnects with Last-Event-ID (and, if it fell out of the
// retained log, gets a snapshot with reset).
func (w sseWire) farewell(d Disconnect) error {
	b := []byte(": " + d.Reason + "\n\n")
	if !w.chunked {
		return w.write(b)
	}
	return w.write(append(chunk(b), lastChunk...))
}

func (w sseWire) write(b []byte) error {
	_, err := w.w.Write(b)
	return err
}
