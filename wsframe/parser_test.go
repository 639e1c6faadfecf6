package wsframe_test

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pushlab/pushlab/wsframe"
)

// recorder keeps every byte a connection wrote, after the handshake.
type recorder struct {
	net.Conn
	mu    sync.Mutex
	wrote bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.Conn.Write(p)
	r.mu.Lock()
	r.wrote.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.wrote.Bytes()...)
}

// A real gorilla client writes frames of every kind and size to a real
// server over TCP; the parser reads them back from the bytes on the wire.
func TestParserReadsWhatGorillaWrote(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer close(done)
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}))
	defer srv.Close()

	var rec *recorder
	// A write buffer larger than any message: gorilla would otherwise split
	// the 70 kB message into frames of its buffer's size.
	d := websocket.Dialer{WriteBufferSize: 128 << 10, NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err != nil {
			return nil, err
		}
		rec = &recorder{Conn: c}
		return rec, nil
	}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	handshake := len(rec.bytes())

	big := bytes.Repeat([]byte("x"), 70_000) // 64-bit length
	mid := bytes.Repeat([]byte("y"), 300)    // 16-bit length
	steps := []struct {
		op      int
		payload []byte
	}{
		{websocket.TextMessage, []byte(`{"type":"publish","data":{"text":"hi"}}`)},
		{websocket.BinaryMessage, []byte{0, 1, 2, 3}},
		{websocket.TextMessage, mid},
		{websocket.TextMessage, big},
		{websocket.PingMessage, []byte("are you there")},
		{websocket.TextMessage, nil},
	}
	for _, s := range steps {
		if s.op == websocket.PingMessage {
			err = conn.WriteControl(s.op, s.payload, time.Now().Add(time.Second))
		} else {
			err = conn.WriteMessage(s.op, s.payload)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4000, "bye now"), time.Now().Add(time.Second))
	<-done
	conn.Close()
	wire := rec.bytes()[handshake:]

	var frames []wsframe.Frame
	var p wsframe.Parser
	p.Feed(wire, func(f wsframe.Frame) { frames = append(frames, f) })
	if len(frames) != len(steps)+1 {
		t.Fatalf("parsed %d frames, want %d", len(frames), len(steps)+1)
	}
	var total uint64
	for i, s := range steps {
		f := frames[i]
		total += f.WireBytes()
		if int(f.Opcode) != s.op || !f.FIN || !f.Masked || f.RSV != 0 || f.Length != uint64(len(s.payload)) {
			t.Errorf("frame %d: op %d fin %v masked %v rsv %d len %d; want op %d, FIN, masked, len %d",
				i, f.Opcode, f.FIN, f.Masked, f.RSV, f.Length, s.op, len(s.payload))
		}
		want := s.payload[:min(len(s.payload), wsframe.DefaultPreview)]
		if !bytes.Equal(f.Preview, want) || f.Truncated != (len(s.payload) > wsframe.DefaultPreview) {
			t.Errorf("frame %d preview %q (truncated %v), want %q", i, f.Preview, f.Truncated, want)
		}
		wantHeader := 2 + 4
		switch {
		case len(s.payload) > 65535:
			wantHeader += 8
		case len(s.payload) > 125:
			wantHeader += 2
		}
		if len(f.Header) != wantHeader || !bytes.Equal(f.Header, wire[total-f.WireBytes():][:wantHeader]) {
			t.Errorf("frame %d header % x, want the %d bytes on the wire", i, f.Header, wantHeader)
		}
	}
	cl := frames[len(steps)]
	total += cl.WireBytes()
	if cl.Opcode != wsframe.OpClose || cl.CloseCode != 4000 || cl.CloseReason != "bye now" {
		t.Errorf("close frame: op %d code %d reason %q", cl.Opcode, cl.CloseCode, cl.CloseReason)
	}
	if total != uint64(len(wire)) {
		t.Errorf("frames account for %d bytes, the wire carried %d", total, len(wire))
	}

	// Fed one byte at a time, the parser finds the same frames.
	var again []wsframe.Frame
	var q wsframe.Parser
	for i := range wire {
		q.Feed(wire[i:i+1], func(f wsframe.Frame) { again = append(again, f) })
	}
	if len(again) != len(frames) {
		t.Fatalf("byte by byte: %d frames, want %d", len(again), len(frames))
	}
	for i := range frames {
		if !sameFrame(frames[i], again[i]) {
			t.Errorf("frame %d differs when fed byte by byte:\n%+v\n%+v", i, frames[i], again[i])
		}
	}
}

// A server frame is never masked; the header says so.
func TestParserServerFrame(t *testing.T) {
	// The update frame docs/protocol.md shows: FIN+text, 16-bit length 312.
	hdr := []byte{0x81, 0x7e, 0x01, 0x38}
	payload := bytes.Repeat([]byte("z"), 312)
	var got []wsframe.Frame
	var p wsframe.Parser
	p.Feed(append(hdr, payload...), func(f wsframe.Frame) { got = append(got, f) })
	if len(got) != 1 || got[0].Masked || got[0].Length != 312 || !bytes.Equal(got[0].Header, hdr) || got[0].Opcode != wsframe.OpText {
		t.Fatalf("got %+v", got)
	}
}

func sameFrame(a, b wsframe.Frame) bool {
	return a.FIN == b.FIN && a.RSV == b.RSV && a.Opcode == b.Opcode && a.Masked == b.Masked &&
		a.MaskKey == b.MaskKey && a.Length == b.Length && bytes.Equal(a.Header, b.Header) &&
		bytes.Equal(a.Preview, b.Preview) && a.Truncated == b.Truncated &&
		a.CloseCode == b.CloseCode && a.CloseReason == b.CloseReason
}

// However a stream is cut into pieces, the parser finds the same frames.
func FuzzParserSplits(f *testing.F) {
	f.Add([]byte{0x81, 0x85, 1, 2, 3, 4, 'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1, 0x88, 0x02, 0x03, 0xe8}, uint8(3))
	f.Add([]byte{0x82, 0x7e, 0x00, 0x03, 1, 2, 3, 0x89, 0x00}, uint8(1))
	f.Add([]byte{0x01, 0x7f, 0, 0, 0, 0, 0, 0, 0, 2, 'a', 'b', 0x80, 0x00}, uint8(5))
	f.Fuzz(func(t *testing.T, stream []byte, cut uint8) {
		var whole, pieces []wsframe.Frame
		var p, q wsframe.Parser
		p.Feed(stream, func(fr wsframe.Frame) { whole = append(whole, fr) })
		step := int(cut)%7 + 1
		for i := 0; i < len(stream); i += step {
			q.Feed(stream[i:min(i+step, len(stream))], func(fr wsframe.Frame) { pieces = append(pieces, fr) })
		}
		if len(whole) != len(pieces) {
			t.Fatalf("%d frames whole, %d in pieces of %d", len(whole), len(pieces), step)
		}
		var sum uint64
		for i := range whole {
			if !sameFrame(whole[i], pieces[i]) {
				t.Fatalf("frame %d differs", i)
			}
			sum += whole[i].WireBytes()
		}
		if sum > uint64(len(stream)) {
			t.Fatalf("frames claim %d bytes of a %d-byte stream", sum, len(stream))
		}
	})
}
