package server

import (
	"net/http"

	"github.com/go-chi/chi/v5/middleware"
)

// gzipLevel trades CPU for bytes on every compressed body; 5 is chi's
// suggestion, close to flate's default (6) at less CPU.
const gzipLevel = 5

// compressedTypes are the bodies worth compressing: the JSON of the polling
// routes and the API, the SSE stream, and the demo page's text files.
//
// The SSE stream is compressed too. Each event is flushed through the gzip
// writer (a deflate sync flush, which ends the event's bytes on a byte
// boundary), so events still arrive one by one, and the compressor keeps
// its window across events: later events cost less, the way a WebSocket
// with context takeover would (gorilla's permessage-deflate does not keep
// it). A browser's EventSource always sends Accept-Encoding and inflates.
var compressedTypes = []string{
	"application/json",
	"text/event-stream",
	"text/html",
	"text/css",
	"text/javascript",
	"application/javascript",
	"text/plain",
	"image/svg+xml",
}

// compressBodies gzips (or deflates) response bodies for clients whose
// Accept-Encoding asks for it. WebSocket upgrades pass untouched: their
// compression is the permessage-deflate extension, negotiated by the hub.
// Bytes are counted beneath this, on the connection, so the accounts see
// the compressed bytes.
func compressBodies(next http.Handler) http.Handler {
	compressed := middleware.Compress(gzipLevel, compressedTypes...)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			next.ServeHTTP(w, r)
			return
		}
		compressed.ServeHTTP(w, r)
	})
}
