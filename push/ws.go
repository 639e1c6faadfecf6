package push

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
)

// wsReadBufferSize is the read buffer of each WebSocket connection, held
// for its whole life. It must take a control frame whole (125 bytes of
// payload and a header) and a typical chat message in one read; a larger
// message streams through it, since bufio reads past an empty buffer
// straight into the caller's (io.ReadAll's, growing), so 512 bytes costs
// a 64 KiB message no extra copy and an idle connection only 512 bytes.
// (gorilla shares a hijacked buffer only when it is over 256 bytes.)
const wsReadBufferSize = 512

// wsWriteBuffers lend gorilla a write buffer only while it writes a message
// of its own making. The hub writes updates as PreparedMessages and control
// frames, which gorilla writes straight from their bytes, so an idle
// connection holds no write buffer at all.
var wsWriteBuffers = &sync.Pool{}

// ServeWS serves GET /ws?since=V: it upgrades the connection, sends what the
// client missed after V, then every update as it is published, and
// publishes the client's chat messages.
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
	// Over capacity, a browser is better told with a close code it can
	// show than with a status the WebSocket API hides: upgrade, then 1013.
	if !h.admit(w, false) {
		return
	}
	up := websocket.Upgrader{
		Subprotocols:    []string{SubprotocolJSON, SubprotocolChat},
		CheckOrigin:     h.checkOrigin,
		ReadBufferSize:  0, // gorilla then reads through the buffer hijackTo hands it: br
		WriteBufferPool: wsWriteBuffers,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			h.log.Info("ws upgrade refused", "status", status, "reason", reason.Error(), "remote", r.RemoteAddr)
			apierror.Write(w, status, reason.Error())
		},
	}
	up.EnableCompression = h.cfg.Compress // only when the client offers it
	var sc *held.Conn
	var acct held.Account
	var br *bufio.Reader
	conn, err := up.Upgrade(hijackTo(w, func(c net.Conn, brw *bufio.ReadWriter) (net.Conn, *bufio.ReadWriter) {
		sc, acct = held.NewConn(c, h.cfg.WriteWait), h.attach(r)
		if brw.Reader.Buffered() > 0 {
			return sc, brw // the client spoke before the handshake: gorilla refuses it
		}
		// Kept before gorilla writes the 101, so that a client that asks
		// for its handshake as soon as it is connected finds it.
		h.recordHandshake(r, chosenSubprotocol(r, up.Subprotocols))
		br = bufio.NewReaderSize(sc, wsReadBufferSize)
		return sc, bufio.NewReadWriter(br, brw.Writer)
	}), r, nil)
	if err != nil {
		if acct != nil {
			acct.Close()
			sc.Close()
		}
		h.open.Done()
		return // Upgrade has answered with an error status, or the connection is gone
	}
	proto := conn.Subprotocol()
	if proto == "" {
		proto = SubprotocolJSON
	}
	ws := &wsWire{conn: conn}
	s := h.newSubscriber(kindWS, sc, newCursor(h.store, since, haveSince), acct, r)
	s.wire = ws
	if h.full() {
		s.closeReq.Store(&disconnectFull)
	}
	h.start(s)
	(&wsReader{hub: h, sub: s, ws: ws, br: br, proto: proto}).watch()
}

// hijackTo hands gorilla's Upgrade what wrap makes of the hijacked
// connection: the subscriber's held.Conn, so that every frame gorilla writes
// goes through the subscriber's writers, and a read buffer the reader can
// look into.
func hijackTo(w http.ResponseWriter, wrap func(net.Conn, *bufio.ReadWriter) (net.Conn, *bufio.ReadWriter)) http.ResponseWriter {
	return hijacker{w, wrap}
}

type hijacker struct {
	http.ResponseWriter
	wrap func(net.Conn, *bufio.ReadWriter) (net.Conn, *bufio.ReadWriter)
}

func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	c, brw = h.wrap(c, brw)
	return c, brw, nil
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

// chosenSubprotocol is the subprotocol gorilla's Upgrade answers with: the
// client's first that the server speaks.
func chosenSubprotocol(r *http.Request, ours []string) string {
	for _, p := range websocket.Subprotocols(r) {
		if slices.Contains(ours, p) {
			return p
		}
	}
	return ""
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
