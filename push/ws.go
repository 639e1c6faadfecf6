package push

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/state"
)

// ServeWS serves GET /ws?since=V: it upgrades the connection, sends what the
// client missed after V, then every update as it is published, and publishes
// the client's chat messages.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request) {
	since, haveSince, err := state.ParseVersion(r.URL.Query().Get("since"))
	if err != nil {
		apierror.Write(w, http.StatusBadRequest, "since: "+err.Error())
		return
	}
	// gorilla answers a wrong version with 400; RFC 6455 §4.4 asks for 426
	// and the version we speak, so that a client can retry with it.
	if websocket.IsWebSocketUpgrade(r) && r.Header.Get("Sec-WebSocket-Version") != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		apierror.Write(w, http.StatusUpgradeRequired, "unsupported Sec-WebSocket-Version; this server speaks 13")
		return
	}
	if !h.track() {
		apierror.Write(w, http.StatusServiceUnavailable, "server shutting down")
		return
	}
	defer h.conns.Done()

	up := websocket.Upgrader{
		Subprotocols:    []string{SubprotocolJSON, SubprotocolChat},
		CheckOrigin:     h.checkOrigin,
		ReadBufferSize:  4096,
		WriteBufferSize: 4096,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			h.log.Info("ws upgrade refused", "status", status, "reason", reason.Error(), "remote", r.RemoteAddr)
			apierror.Write(w, status, reason.Error())
		},
	}
	up.EnableCompression = h.cfg.Compress // only when the client offers it
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with an error status
	}
	h.recordHandshake(r, conn.Subprotocol())

	proto := conn.Subprotocol()
	if proto == "" {
		proto = SubprotocolJSON
	}
	defer h.forceAfterShutdown(func() { conn.NetConn().Close() })()
	c := newWSConn(h, conn, r, proto, newCursor(h.store, since, haveSince))
	go c.readPump()
	c.writePump()
}

// checkOrigin allows browsers on the server's own host, and the origins
// listed with --allow-origin. Clients that send no Origin (not browsers) are
// allowed: the check exists to stop foreign pages, which always send one.
func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	return OriginAllowed(origin, r.Host, h.cfg.AllowOrigins)
}

// OriginAllowed reports whether a browser page at origin may drive a server
// reached as host: same host and port, or listed in allow ("*" for any).
func OriginAllowed(origin, host string, allow []string) bool {
	for _, a := range allow {
		if a == "*" || strings.EqualFold(strings.TrimRight(a, "/"), origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, host)
}

// recordHandshake keeps what the upgrade carried for /api/handshake.
func (h *Hub) recordHandshake(r *http.Request, subprotocol string) {
	key := r.Header.Get("Sec-WebSocket-Key")
	accept, sum := AcceptKey(key)
	resp := http.Header{
		"Upgrade":              {"websocket"},
		"Connection":           {"Upgrade"},
		"Sec-WebSocket-Accept": {accept},
	}
	if subprotocol != "" {
		resp["Sec-WebSocket-Protocol"] = []string{subprotocol} // spelt as on the wire
	}
	hdr := r.Header.Clone()
	hdr.Set("Host", r.Host)
	h.handshakes.add(&Handshake{
		Client:          r.URL.Query().Get("client"),
		RequestLine:     fmt.Sprintf("%s %s %s", r.Method, r.URL.RequestURI(), r.Proto),
		RequestHeaders:  hdr,
		Key:             key,
		GUID:            WebSocketGUID,
		SHA1Hex:         sum,
		Accept:          accept,
		Subprotocol:     subprotocol,
		Status:          "101 Switching Protocols",
		ResponseHeaders: resp,
	})
}
