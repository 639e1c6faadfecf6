package push

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/pushlab/pushlab/apierror"
)

// WebSocketGUID is the fixed string RFC 6455 appends to the client's key.
const WebSocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Handshake is what one WebSocket upgrade carried, for the demo's inspector.
type Handshake struct {
	Client          string      `json:"client"`
	RequestLine     string      `json:"request_line"`
	RequestHeaders  http.Header `json:"request_headers"`
	Key             string      `json:"key"`
	GUID            string      `json:"guid"`
	SHA1Hex         string      `json:"sha1_hex"`
	Accept          string      `json:"accept"`
	Subprotocol     string      `json:"subprotocol"`
	Status          string      `json:"status"`
	ResponseHeaders http.Header `json:"response_headers"`
}

// AcceptKey computes Sec-WebSocket-Accept for a Sec-WebSocket-Key:
// base64(SHA-1(key + GUID)). It also returns the SHA-1 in hex, to show the step.
func AcceptKey(key string) (accept, sha1Hex string) {
	sum := sha1.Sum([]byte(key + WebSocketGUID))
	return base64.StdEncoding.EncodeToString(sum[:]), hex.EncodeToString(sum[:])
}

// handshakeLog keeps the latest upgrades by client id, bounded.
type handshakeLog struct {
	mu    sync.Mutex
	max   int
	order []string
	byID  map[string]*Handshake
	last  *Handshake
}

func newHandshakeLog(max int) *handshakeLog {
	return &handshakeLog{max: max, byID: make(map[string]*Handshake)}
}

func (l *handshakeLog) add(h *Handshake) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = h
	if h.Client == "" {
		return
	}
	if _, ok := l.byID[h.Client]; !ok {
		l.order = append(l.order, h.Client)
		if len(l.order) > l.max {
			delete(l.byID, l.order[0])
			l.order = l.order[1:]
		}
	}
	l.byID[h.Client] = h
}

func (l *handshakeLog) get(id string) *Handshake {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id == "" {
		return l.last
	}
	return l.byID[id]
}

// ServeHandshake serves GET /api/handshake[?id=CLIENT]: the last upgrade, or
// that client's.
func (h *Hub) ServeHandshake(w http.ResponseWriter, r *http.Request) {
	hs := h.handshakes.get(r.URL.Query().Get("id"))
	if hs == nil {
		apierror.Write(w, http.StatusNotFound, "no WebSocket upgrade recorded for that id")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(hs)
}

// ServeCloseCodes serves GET /api/closecodes: the close-code table.
func ServeCloseCodes(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(CloseCodes)
}
