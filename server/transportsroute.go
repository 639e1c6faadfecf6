package server

import (
	"net/http"

	"github.com/pushlab/pushlab/transport"
)

// serveTransports serves GET /api/transports: the transport table, from
// which the demo page builds its panels and outside tools learn the routes.
func serveTransports(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, transport.All())
}
