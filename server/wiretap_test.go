package server_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// rawWS is a WebSocket client written by hand on a TCP connection, so the
// test knows every byte it sent and received.
type rawWS struct {
	conn net.Conn
	r    *bufio.Reader
	sent bytes.Buffer
	got  bytes.Buffer
}

func (c *rawWS) Read(p []byte) (int, error) {
	n, err := c.conn.Read(p)
	c.got.Write(p[:n])
	return n, err
}

func (c *rawWS) send(t *testing.T, b []byte) {
	t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		t.Fatal(err)
	}
	c.sent.Write(b)
}

// dialRaw sends request as is and reads the response head.
func dialRaw(t *testing.T, addr, request string) (*rawWS, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := &rawWS{conn: conn}
	c.r = bufio.NewReaderSize(c, 1) // never read ahead of what is asked
	c.send(t, []byte(request))
	var head strings.Builder
	for !strings.HasSuffix(head.String(), "\r\n\r\n") {
		b, err := c.r.ReadByte()
		if err != nil {
			t.Fatalf("reading the response head: %v (so far %q)", err, head.String())
		}
		head.WriteByte(b)
	}
	return c, head.String()
}

// frame builds one client frame; masked unless key is nil.
func frame(op byte, payload []byte, key []byte) []byte {
	b := []byte{0x80 | op, byte(len(payload))} // payloads here are < 126 bytes
	if key == nil {
		return append(b, payload...)
	}
	b[1] |= 0x80
	b = append(b, key...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// readFrame reads one server frame: opcode and payload.
func (c *rawWS) readFrame(t *testing.T) (byte, []byte) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var e [2]byte
		io.ReadFull(c.r, e[:])
		n = uint64(binary.BigEndian.Uint16(e[:]))
	case 127:
		var e [8]byte
		io.ReadFull(c.r, e[:])
		n = binary.BigEndian.Uint64(e[:])
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(c.r, p); err != nil {
		t.Fatal(err)
	}
	return h[0] & 0x0f, p
}

// An upgrade spelt oddly, in an odd order: what the server read and wrote.
const oddUpgrade = "GET /ws?client=raw-1&inspect=1 HTTP/1.1\r\n" +
	"host: HOST\r\n" +
	"sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"X-Zebra: first of the extras\r\n" +
	"UPGRADE: websocket\r\n" +
	"Connection: keep-alive, Upgrade\r\n" +
	"X-Apple: second\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"Sec-WebSocket-Protocol: pushlab.v1\r\n\r\n"

type framesView struct {
	Connections int
	Frames      []struct {
		Conn        int
		Dir         string
		FIN         bool
		Opcode      int
		Masked      bool
		MaskKey     string `json:"mask_key"`
		Length      uint64
		HeaderLen   int `json:"header_len"`
		Preview     string
		CloseCode   int    `json:"close_code"`
		CloseReason string `json:"close_reason"`
	}
	In, Out struct {
		Bytes, HeadBytes, Frames, FrameBytes int64
	}
}

func (v *framesView) UnmarshalJSON(b []byte) error {
	type plain framesView
	var aux struct {
		plain
		In  map[string]int64 `json:"in"`
		Out map[string]int64 `json:"out"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*v = framesView(aux.plain)
	v.In.Bytes, v.In.HeadBytes, v.In.Frames, v.In.FrameBytes = aux.In["bytes"], aux.In["head_bytes"], aux.In["frames"], aux.In["frame_bytes"]
	v.Out.Bytes, v.Out.HeadBytes, v.Out.Frames, v.Out.FrameBytes = aux.Out["bytes"], aux.Out["head_bytes"], aux.Out["frames"], aux.Out["frame_bytes"]
	return nil
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// The inspector's raw request is exactly the bytes the client sent and the
// server read, and its raw response exactly the bytes the server wrote;
// then every frame both ways is accounted for, to the byte, and agrees
// with the server's own counters for that client.
func TestInspectorShowsTheWireAsItIs(t *testing.T) {
	lab := startLab(t, server.Config{})
	lab.Generator().Tick()
	request := strings.Replace(oddUpgrade, "HOST", lab.Addr, 1)
	c, response := dialRaw(t, lab.Addr, request)
	if !strings.HasPrefix(response, "HTTP/1.1 101 ") {
		t.Fatalf("response %q", response)
	}
	if op, _ := c.readFrame(t); op != 0x1 {
		t.Fatalf("first server frame opcode %d, want text", op)
	}
	key := []byte{0x37, 0xfa, 0x21, 0x3d}
	c.send(t, frame(0x1, []byte(`{"type":"publish","data":{"text":"hi"}}`), key))
	if op, p := c.readFrame(t); op != 0x1 || !bytes.Contains(p, []byte(`"hi"`)) {
		t.Fatalf("chat came back as opcode %d %q", op, p)
	}
	closeBody := binary.BigEndian.AppendUint16(nil, 1000)
	c.send(t, frame(0x8, append(closeBody, "done"...), key))
	if op, p := c.readFrame(t); op != 0x8 || binary.BigEndian.Uint16(p) != 1000 {
		t.Fatalf("server answered the close with opcode %d % x", op, p)
	}
	if _, err := io.Copy(io.Discard, c.r); err != nil {
		t.Fatalf("reading to the end: %v", err)
	}

	var raw struct{ Request, Response []byte }
	getJSON(t, lab.URL+"/api/handshake/raw?id=raw-1", &raw)
	if string(raw.Request) != request {
		t.Errorf("inspector's raw request differs from the bytes sent:\n%q\n%q", raw.Request, request)
	}
	if string(raw.Response) != response {
		t.Errorf("inspector's raw response differs from the bytes received:\n%q\n%q", raw.Response, response)
	}

	var v framesView
	servertest.Eventually(t, "the server's close frame and the client's", 2*time.Second, func() bool {
		getJSON(t, lab.URL+"/api/frames?id=raw-1", &v)
		return v.In.Bytes == int64(c.sent.Len()) && v.Out.Bytes == int64(c.got.Len())
	})
	if v.In.HeadBytes != int64(len(request)) || v.In.HeadBytes+v.In.FrameBytes != v.In.Bytes {
		t.Errorf("in: %d head + %d frame bytes, %d in all; the client sent %d", v.In.HeadBytes, v.In.FrameBytes, v.In.Bytes, c.sent.Len())
	}
	if v.Out.HeadBytes != int64(len(response)) || v.Out.HeadBytes+v.Out.FrameBytes != v.Out.Bytes {
		t.Errorf("out: %d head + %d frame bytes, %d in all; the client read %d", v.Out.HeadBytes, v.Out.FrameBytes, v.Out.Bytes, c.got.Len())
	}
	var in, out []int
	for _, f := range v.Frames {
		if f.Dir == "in" {
			in = append(in, f.Opcode)
			if !f.Masked || f.MaskKey != "37 fa 21 3d" {
				t.Errorf("client frame %+v: want masked with 37 fa 21 3d", f)
			}
		} else {
			out = append(out, f.Opcode)
			if f.Masked {
				t.Errorf("server frame %+v is masked", f)
			}
		}
	}
	if len(in) != 2 || in[0] != 1 || in[1] != 8 || len(out) < 3 || out[0] != 1 || out[len(out)-1] != 8 {
		t.Errorf("opcodes in %v, out %v; want in [1 8], out [1 ... 8]", in, out)
	}
	last := v.Frames[len(v.Frames)-1]
	for _, f := range v.Frames {
		if f.Dir == "in" && f.Opcode == 8 && (f.CloseCode != 1000 || f.CloseReason != "done") {
			t.Errorf("client close frame: code %d reason %q", f.CloseCode, f.CloseReason)
		}
	}
	if last.Opcode != 8 || last.CloseCode != 1000 {
		t.Errorf("last frame %+v, want the server's close 1000", last)
	}

	// The server's own counters for raw-1 say the same.
	var stats struct {
		Clients map[string]struct {
			BytesIn  int64 `json:"bytes_in"`
			BytesOut int64 `json:"bytes_out"`
		}
	}
	getJSON(t, lab.URL+"/api/stats", &stats)
	if s := stats.Clients["raw-1"]; s.BytesIn != v.In.Bytes || s.BytesOut != v.Out.Bytes {
		t.Errorf("stats for raw-1: in %d out %d; the tap: in %d out %d", s.BytesIn, s.BytesOut, v.In.Bytes, v.Out.Bytes)
	}
}

// A client frame without a mask breaks RFC 6455 §5.1: the server closes
// with 1002, which is in the table, and the frame view shows it.
func TestUnmaskedClientFrameGets1002(t *testing.T) {
	lab := startLab(t, server.Config{})
	request := strings.Replace(oddUpgrade, "HOST", lab.Addr, 1)
	c, _ := dialRaw(t, lab.Addr, request)
	c.readFrame(t) // the snapshot
	c.send(t, frame(0x1, []byte(`{"type":"publish","data":1}`), nil))
	op, p := c.readFrame(t)
	if op != 0x8 || len(p) < 2 || binary.BigEndian.Uint16(p) != 1002 {
		t.Fatalf("server answered an unmasked frame with opcode %d % x, want close 1002", op, p)
	}
	known := false
	for _, cc := range push.CloseCodes {
		known = known || cc.Code == 1002
	}
	if !known {
		t.Error("1002 is not in the close-code table")
	}
	var v framesView
	servertest.Eventually(t, "the 1002 close frame in the frame view", 2*time.Second, func() bool {
		getJSON(t, lab.URL+"/api/frames?id=raw-1", &v)
		n := len(v.Frames)
		return n > 0 && v.Frames[n-1].Dir == "out" && v.Frames[n-1].CloseCode == 1002
	})
}

// Only upgrades that ask are inspected.
func TestFramesOnlyForInspectedConnections(t *testing.T) {
	lab := startLab(t, server.Config{})
	c := mustDialWS(t, wsURL(lab, "?client=plain"), nil)
	readWS(t, c)
	for _, path := range []string{"/api/frames?id=plain", "/api/handshake/raw?id=plain", "/api/frames"} {
		status, hdr, msg := httpStatus(t, http.MethodGet, lab.URL+path, nil, nil)
		if status != http.StatusNotFound || msg == "" || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %d %q, want a JSON 404", path, status, msg)
		}
	}
}
