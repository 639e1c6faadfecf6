package push

import (
	"bytes"
	"net/http"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
)

// ServeFloor serves GET /floor?since=V, the physical floor of fan-out: the
// request is answered with a bare header, then the connection becomes a raw
// stream of update lines (each update's JSON and "\n"), no framing, no
// keepalives, no close code, written by the same shared writers as the
// other transports. What WebSocket and SSE cost beyond it is what their
// protocols cost.
func (h *Hub) ServeFloor(w http.ResponseWriter, r *http.Request) {
	since, haveSince, err := state.ParseVersion(r.URL.Query().Get("since"))
	if err != nil {
		apierror.Write(w, http.StatusBadRequest, "since: "+err.Error())
		return
	}
	if r.ProtoMajor != 1 {
		apierror.Write(w, http.StatusHTTPVersionNotSupported, "the floor becomes a raw TCP stream: HTTP/1.1 only")
		return
	}
	if !h.admit(w, true) {
		return
	}
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		h.open.Done()
		apierror.Write(w, http.StatusInternalServerError, "cannot take the connection over: "+err.Error())
		return
	}
	sc := held.NewConn(c, h.cfg.WriteWait)
	s := h.newSubscriber(kindFloor, sc, newCursor(h.store, since, haveSince), h.attach(r), r)
	s.wire = floorWire{sc}
	if _, err := sc.Write(floorHeader(w.Header())); err != nil || r.Method == http.MethodHead {
		s.end()
		return
	}
	h.start(s)
	h.watchStream(s)
}

// floorHeader answers the request: no length and no chunking, so the body
// is everything until the connection ends. Headers set by middleware (CORS,
// say) go out too.
func floorHeader(hdr http.Header) []byte {
	hdr.Set("Content-Type", "application/x-ndjson")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Connection", "close")
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	hdr.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

// floorWire writes each update's bytes and a newline; it has nothing else
// to say.
type floorWire struct{ w *held.Conn }

type floorKey struct{}

// floorLine is the update as one line, made once per update.
func floorLine(u *state.Update) []byte {
	return u.Memo(floorKey{}, func(u *state.Update) any {
		return append(append(make([]byte, 0, len(u.Raw)+1), u.Raw...), '\n')
	}).([]byte)
}

func (w floorWire) update(u *state.Update) error {
	_, err := w.w.Write(floorLine(u))
	return err
}

func (floorWire) owes() bool                  { return false }
func (floorWire) owed() error                 { return nil }
func (floorWire) keepalive() error            { return nil }
func (floorWire) farewell(d Disconnect) error { return nil }
