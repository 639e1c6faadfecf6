package push

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/state"
)

// keepaliveEvery sends an SSE comment on an idle stream, so proxies and the
// client's read timeout see the stream is alive.
const keepaliveEvery = 15 * time.Second

// sseKey memoises an update's event bytes on the update itself.
type sseKey struct{}

// sseEvent is the update as one Server-Sent Event: its version as the id
// (which the browser sends back as Last-Event-ID) and its JSON as data.
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

// ServeSSE serves GET /sse?since=V as a text/event-stream. A reconnecting
// EventSource sends Last-Event-ID, which wins over the since in its URL.
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
	if h.cfg.Full != nil && h.cfg.Full() {
		apierror.Write(w, http.StatusServiceUnavailable, "server over capacity")
		return
	}
	if !h.track() {
		apierror.Write(w, http.StatusServiceUnavailable, "server shutting down")
		return
	}
	defer h.conns.Done()

	rc := http.NewResponseController(w)
	defer h.forceAfterShutdown(func() { rc.SetWriteDeadline(time.Now()) })()
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // ask proxies not to buffer the stream
	w.WriteHeader(http.StatusOK)

	// The server's WriteTimeout would cut the stream; each write gets its own.
	write := func(b []byte) error {
		rc.SetWriteDeadline(time.Now().Add(h.cfg.WriteWait))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if write([]byte("retry: 1000\n\n")) != nil {
		return
	}

	cur := newCursor(h.store, since, haveSince)
	keepalive := time.NewTicker(keepaliveEvery)
	defer keepalive.Stop()
	for {
		changed := h.store.Changed()
		ups, d := cur.next()
		if d != nil {
			// No close code in SSE: end the stream; the browser reconnects
			// with Last-Event-ID and gets a snapshot with reset.
			h.log.Info("sse client too far behind", "remote", r.RemoteAddr, "held", cur.held)
			write([]byte(": " + d.Reason + "\n\n"))
			return
		}
		if len(ups) > 0 {
			rc.SetWriteDeadline(time.Now().Add(h.cfg.WriteWait))
			for _, u := range ups {
				if _, err := w.Write(sseEvent(u)); err != nil {
					return
				}
			}
			if rc.Flush() != nil {
				return
			}
			h.deliver(r, len(ups))
		}
		select {
		case <-changed:
		case <-keepalive.C:
			if write([]byte(": keepalive\n\n")) != nil {
				return
			}
		case <-r.Context().Done():
			// The client is gone: end without the chunked stream's last
			// chunk, which nobody would read.
			panic(http.ErrAbortHandler)
		case <-h.ctx.Done():
			return
		}
	}
}
