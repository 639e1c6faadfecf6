package server

// The wire as it is, for the demo's handshake inspector and frame view. A
// WebSocket upgrade that asks for it (GET /ws?client=ID&inspect=1) gets a
// tap on its counting connection, which sees every byte read and written:
// the request head exactly as read, the response head exactly as written,
// and the frames after them both ways, parsed from those bytes (package
// wsframe). Nothing here comes from gorilla or from r.Header. Connections
// that do not ask pay one atomic load per read and write.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/wsframe"
)

const (
	maxTappedClients = 32  // clients whose wire is kept; the oldest goes first
	maxFramesKept    = 200 // frames kept per client, the newest
	framePreview     = 64  // payload bytes shown per frame
)

// headEnd ends an HTTP head.
var headEnd = []byte("\r\n\r\n")

// taps are the wires kept, one per inspected client id.
type taps struct {
	mu    sync.Mutex
	order []string
	byID  map[string]*wireTap
}

func newTaps() *taps { return &taps{byID: make(map[string]*wireTap)} }

// forRequest returns a tap for r's connection if r is an upgrade that asks
// to be inspected, else nil.
func (ts *taps) forRequest(r *http.Request) *connTap {
	q := r.URL.Query()
	id := q.Get("client")
	if r.URL.Path != "/ws" || q.Get("inspect") != "1" || !validClientID.MatchString(id) {
		return nil
	}
	ts.mu.Lock()
	t := ts.byID[id]
	if t == nil {
		t = &wireTap{client: id}
		ts.byID[id] = t
		ts.order = append(ts.order, id)
		if len(ts.order) > maxTappedClients {
			delete(ts.byID, ts.order[0])
			ts.order = ts.order[1:]
		}
	}
	ts.mu.Unlock()
	return t.newConn()
}

func (ts *taps) get(id string) *wireTap {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.byID[id]
}

// tapWire is middleware, run before countRequests begins the request: it
// tells the connection whether this request's bytes go to a tap.
func (s *Server) tapWire(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cc := connFrom(r.Context()); cc != nil {
			cc.inspect(s.taps.forRequest(r), r.URL.Path == "/ws")
		}
		next.ServeHTTP(w, r)
	})
}

// wireTotals add up one direction of a client's inspected connections.
// Bytes = HeadBytes + FrameBytes, once no frame is half-way across.
type wireTotals struct {
	Bytes      int64 `json:"bytes"`       // every byte, as counted on the socket
	HeadBytes  int64 `json:"head_bytes"`  // HTTP request or response heads
	Frames     int64 `json:"frames"`      // whole frames
	FrameBytes int64 `json:"frame_bytes"` // their headers and payloads
}

// frameRecord is one frame as the frame view shows it.
type frameRecord struct {
	Conn        int    `json:"conn"` // which of the client's connections, from 1
	Dir         string `json:"dir"`  // "in" (client to server) or "out"
	AtMS        int64  `json:"at_ms"`
	FIN         bool   `json:"fin"`
	RSV         int    `json:"rsv"`
	Opcode      int    `json:"opcode"`
	Op          string `json:"op"`
	Masked      bool   `json:"masked"`
	MaskKey     string `json:"mask_key,omitempty"`
	Length      uint64 `json:"length"`
	Header      string `json:"header"` // hex bytes
	HeaderLen   int    `json:"header_len"`
	Preview     string `json:"preview"`     // as text, if it is UTF-8
	PreviewHex  string `json:"preview_hex"` // the same bytes in hex
	Truncated   bool   `json:"truncated"`
	CloseCode   int    `json:"close_code,omitempty"`
	CloseReason string `json:"close_reason,omitempty"`
}

// wireTap is what one client id's inspected connections carried: the heads
// of the latest upgrade and the newest frames of all of them.
type wireTap struct {
	mu       sync.Mutex
	client   string
	conns    int
	reqHead  []byte
	respHead []byte
	frames   []frameRecord // a ring of maxFramesKept
	recorded int64         // frames ever recorded
	in, out  wireTotals
}

func (t *wireTap) newConn() *connTap {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.conns++
	t.reqHead, t.respHead = nil, nil
	return &connTap{t: t, conn: t.conns,
		in:  wsframe.Parser{Preview: framePreview},
		out: wsframe.Parser{Preview: framePreview}}
}

func (t *wireTap) record(conn int, dir string, f wsframe.Frame) {
	r := frameRecord{
		Conn: conn, Dir: dir, AtMS: time.Now().UnixMilli(),
		FIN: f.FIN, RSV: int(f.RSV), Opcode: int(f.Opcode), Op: wsframe.OpcodeName(f.Opcode),
		Masked: f.Masked, Length: f.Length, Header: spacedHex(f.Header), HeaderLen: len(f.Header),
		PreviewHex: spacedHex(f.Preview), Truncated: f.Truncated,
		CloseCode: f.CloseCode, CloseReason: f.CloseReason,
	}
	if f.Masked {
		r.MaskKey = spacedHex(f.MaskKey[:])
	}
	if utf8.Valid(f.Preview) {
		r.Preview = string(f.Preview)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tot := &t.out
	if dir == "in" {
		tot = &t.in
	}
	tot.Frames++
	tot.FrameBytes += int64(f.WireBytes())
	if len(t.frames) < maxFramesKept {
		t.frames = append(t.frames, r)
	} else {
		t.frames[t.recorded%maxFramesKept] = r
	}
	t.recorded++
}

func spacedHex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, len(b)*3-1)
	for i, c := range b {
		if i > 0 {
			out = append(out, ' ')
		}
		out = hex.AppendEncode(out, []byte{c})
	}
	return string(out)
}

// connTap is one inspected connection. The connection's reader calls
// requestHead and read, its writer wrote: one goroutine each way, so each
// direction's parser needs no lock.
type connTap struct {
	t    *wireTap
	conn int

	in, out  wsframe.Parser
	respHead []byte // the response head so far
	respDone bool
	upgraded bool // the response was 101: frames follow it
	// opaque: the bytes under the counting connection are not plain HTTP
	// (TLS, say), so there is nothing here to show.
	opaque bool
}

// requestHead takes the bytes read before the handler began: the upgrade
// request's head and, from a client that did not wait for the answer, the
// first frames.
func (c *connTap) requestHead(b []byte) {
	if !bytes.HasPrefix(b, []byte("GET ")) {
		c.opaque = true
		return
	}
	head, rest := b, []byte(nil)
	if i := bytes.Index(b, headEnd); i >= 0 {
		head, rest = b[:i+len(headEnd)], b[i+len(headEnd):]
	}
	c.t.mu.Lock()
	c.t.reqHead = append([]byte(nil), head...)
	c.t.in.Bytes += int64(len(b))
	c.t.in.HeadBytes += int64(len(head))
	c.t.mu.Unlock()
	c.in.Feed(rest, func(f wsframe.Frame) { c.t.record(c.conn, "in", f) })
}

func (c *connTap) read(b []byte) {
	if c.opaque {
		return
	}
	c.t.mu.Lock()
	c.t.in.Bytes += int64(len(b))
	c.t.mu.Unlock()
	c.in.Feed(b, func(f wsframe.Frame) { c.t.record(c.conn, "in", f) })
}

func (c *connTap) wrote(b []byte) {
	if c.opaque {
		return
	}
	c.t.mu.Lock()
	c.t.out.Bytes += int64(len(b))
	c.t.mu.Unlock()
	if !c.respDone {
		from := max(0, len(c.respHead)-len(headEnd)+1)
		c.respHead = append(c.respHead, b...)
		i := bytes.Index(c.respHead[from:], headEnd)
		if i < 0 {
			if len(c.respHead) > maxHeadCapture {
				c.respDone = true // not an HTTP head we can show
			}
			return
		}
		end := from + i + len(headEnd)
		b = c.respHead[end:]
		c.respHead = c.respHead[:end]
		c.respDone = true
		c.upgraded = bytes.HasPrefix(c.respHead, []byte("HTTP/1.1 101 "))
		c.t.mu.Lock()
		c.t.respHead = c.respHead
		c.t.out.HeadBytes += int64(end)
		c.t.mu.Unlock()
	}
	if c.upgraded {
		c.out.Feed(b, func(f wsframe.Frame) { c.t.record(c.conn, "out", f) })
	}
}

// framesView is GET /api/frames.
type framesView struct {
	Client      string        `json:"client"`
	Connections int           `json:"connections"`
	Frames      []frameRecord `json:"frames"` // oldest first
	Dropped     int64         `json:"dropped"`
	In          wireTotals    `json:"in"`
	Out         wireTotals    `json:"out"`
}

// rawHandshake is GET /api/handshake/raw: the latest upgrade's heads, as
// bytes (base64 in JSON, so that any byte survives).
type rawHandshake struct {
	Client     string `json:"client"`
	Connection int    `json:"connection"`
	Request    []byte `json:"request"`
	Response   []byte `json:"response"`
}

func (s *Server) tapFor(w http.ResponseWriter, r *http.Request) *wireTap {
	t := s.taps.get(r.URL.Query().Get("id"))
	if t == nil {
		apierror.Write(w, http.StatusNotFound, "no inspected WebSocket for that id; connect with /ws?client=ID&inspect=1")
	}
	return t
}

// serveFrames serves GET /api/frames?id=CLIENT: the newest frames of that
// client's inspected connections, both ways, and what they add up to.
func (s *Server) serveFrames(w http.ResponseWriter, r *http.Request) {
	t := s.tapFor(w, r)
	if t == nil {
		return
	}
	t.mu.Lock()
	v := framesView{Client: t.client, Connections: t.conns, In: t.in, Out: t.out,
		Frames: make([]frameRecord, 0, len(t.frames)), Dropped: t.recorded - int64(len(t.frames))}
	start := 0
	if len(t.frames) == maxFramesKept {
		start = int(t.recorded % maxFramesKept)
	}
	for i := range t.frames {
		v.Frames = append(v.Frames, t.frames[(start+i)%len(t.frames)])
	}
	t.mu.Unlock()
	writeJSON(w, http.StatusOK, v)
}

// serveRawHandshake serves GET /api/handshake/raw?id=CLIENT.
func (s *Server) serveRawHandshake(w http.ResponseWriter, r *http.Request) {
	t := s.tapFor(w, r)
	if t == nil {
		return
	}
	t.mu.Lock()
	v := rawHandshake{Client: t.client, Connection: t.conns, Request: t.reqHead, Response: t.respHead}
	t.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}
