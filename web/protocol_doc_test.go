package web_test

// docs/protocol.md teaches with worked examples; these tests keep them true.
// Each example is recomputed here, independently of the server's code, and
// then tried on a real server over a raw TCP connection.

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

const protocolDoc = "../docs/protocol.md"

// rfcGUID is RFC 6455's GUID, typed out here rather than taken from push,
// so that a wrong constant there would be caught.
const rfcGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func TestProtocolDocAcceptExample(t *testing.T) {
	ex := fields(t, block(t, readDoc(t), "<!-- check:accept"))
	key, accept := ex["Sec-WebSocket-Key"], ex["Sec-WebSocket-Accept"]
	sum := sha1.Sum([]byte(key + rfcGUID))
	if ex["GUID"] != rfcGUID || push.WebSocketGUID != rfcGUID {
		t.Errorf("GUID: doc %q, push %q, RFC 6455 %q", ex["GUID"], push.WebSocketGUID, rfcGUID)
	}
	if ex["key + GUID"] != key+rfcGUID {
		t.Errorf("doc's key + GUID is %q, want %q", ex["key + GUID"], key+rfcGUID)
	}
	if got := hex.EncodeToString(sum[:]); ex["SHA-1 (hex)"] != got {
		t.Errorf("doc's SHA-1 is %s, want %s", ex["SHA-1 (hex)"], got)
	}
	if got := base64.StdEncoding.EncodeToString(sum[:]); accept != got {
		t.Errorf("doc's Accept is %s, want %s", accept, got)
	}

	// The server agrees when a client sends that key.
	s := servertest.Start(t, server.Config{Rate: 0, Payload: 64})
	_, res := rawHandshake(t, s.Addr, key, "pushlab.v1")
	if res.StatusCode != http.StatusSwitchingProtocols || res.Header.Get("Sec-WebSocket-Accept") != accept {
		t.Errorf("server answered %s with Accept %q, doc says %q", res.Status, res.Header.Get("Sec-WebSocket-Accept"), accept)
	}
}

// Every other key/accept pair the guide shows (the recorded handshake) must
// be right too.
func TestProtocolDocEveryAcceptMatchesItsKey(t *testing.T) {
	doc := readDoc(t)
	keys := regexp.MustCompile(`(?m)^Sec-WebSocket-Key:\s+(\S+)`).FindAllStringSubmatch(doc, -1)
	accepts := regexp.MustCompile(`(?m)^Sec-WebSocket-Accept:\s+(\S+)`).FindAllStringSubmatch(doc, -1)
	if len(keys) < 2 || len(keys) != len(accepts) {
		t.Fatalf("doc has %d keys and %d accepts; want pairs, at least two", len(keys), len(accepts))
	}
	for i := range keys {
		sum := sha1.Sum([]byte(keys[i][1] + rfcGUID))
		if want := base64.StdEncoding.EncodeToString(sum[:]); accepts[i][1] != want {
			t.Errorf("key %s: doc shows Accept %s, want %s", keys[i][1], accepts[i][1], want)
		}
	}
}

func TestProtocolDocMaskingExample(t *testing.T) {
	ex := fields(t, block(t, readDoc(t), "<!-- check:mask"))
	payload := ex["payload"]
	maskKey := hexBytes(t, ex["masking key"])
	frame := hexBytes(t, ex["frame"])

	if len(frame) < 6 || frame[0] != 0x81 {
		t.Fatalf("frame % x: want FIN+text (0x81) first", frame)
	}
	if frame[1]&0x80 == 0 || int(frame[1]&0x7f) != len(payload) {
		t.Fatalf("second byte %#x: want MASK set and length %d", frame[1], len(payload))
	}
	if string(frame[2:6]) != string(maskKey) {
		t.Fatalf("frame carries key % x, doc says % x", frame[2:6], maskKey)
	}
	body := frame[6:]
	unmasked := make([]byte, len(body))
	for i, b := range body {
		unmasked[i] = b ^ maskKey[i%4]
	}
	if string(unmasked) != payload {
		t.Fatalf("frame unmasks to %q, doc says %q", unmasked, payload)
	}

	// Sent as is under the chat subprotocol, the frame is a chat line that
	// comes back to the sender as an update, in an unmasked server frame.
	s := servertest.Start(t, server.Config{Rate: 0, Payload: 64})
	conn, _ := rawHandshake(t, s.Addr, "dGhlIHNhbXBsZSBub25jZQ==", "chat")
	if _, err := conn.Write(frame); err != nil {
		t.Fatal(err)
	}
	for {
		update := readServerFrame(t, conn)
		var u struct {
			Kind string
			Data struct{ Text string }
		}
		if err := json.Unmarshal(update, &u); err != nil {
			t.Fatalf("server frame %q: %v", update, err)
		}
		if u.Kind == "chat" {
			if u.Data.Text != payload {
				t.Errorf("chat came back as %q, want %q", u.Data.Text, payload)
			}
			return
		}
	}
}

func TestProtocolDocCloseCodesMatchTheTable(t *testing.T) {
	doc := readDoc(t)
	start := strings.Index(doc, "<!-- check:closecodes")
	end := strings.Index(doc, "<!-- end:closecodes -->")
	if start < 0 || end < start {
		t.Fatal("close-code table markers not found")
	}
	var rows [][]string
	for _, line := range strings.Split(doc[start:end], "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) < 3 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if _, err := strconv.Atoi(cells[0]); err == nil {
			rows = append(rows, cells)
		}
	}
	if len(rows) != len(push.CloseCodes) {
		t.Fatalf("doc lists %d close codes, the table has %d", len(rows), len(push.CloseCodes))
	}
	for i, c := range push.CloseCodes {
		want := []string{strconv.Itoa(c.Code), c.Name, c.Meaning}
		if got := rows[i][:3]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("row %d: doc %q, table %q", i+1, got, want)
		}
	}
}

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// block returns the first fenced code block after marker.
func block(t *testing.T, doc, marker string) string {
	t.Helper()
	i := strings.Index(doc, marker)
	if i < 0 {
		t.Fatalf("marker %q not found in %s", marker, protocolDoc)
	}
	rest := doc[i:]
	open := strings.Index(rest, "```\n")
	if open < 0 {
		t.Fatalf("no code block after %q", marker)
	}
	rest = rest[open+4:]
	end := strings.Index(rest, "```")
	if end < 0 {
		t.Fatalf("unterminated code block after %q", marker)
	}
	return rest[:end]
}

// fields reads "name:   value" lines.
func fields(t *testing.T, b string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(b, "\n") {
		name, value, ok := strings.Cut(line, ":  ")
		if ok {
			m[strings.TrimSpace(name)] = strings.TrimSpace(value)
		}
	}
	return m
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return b
}

// rawHandshake opens a WebSocket by hand, with the given key, so that the
// key is the doc's rather than a random one.
func rawHandshake(t *testing.T, addr, key, subprotocol string) (net.Conn, *http.Response) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /ws?client=protocol-doc HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Protocol: %s\r\n\r\n", addr, key, subprotocol)
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if br.Buffered() > 0 {
		// Frames that arrived with the response: keep them readable.
		return &bufferedConn{Conn: conn, r: br}, res
	}
	return conn, res
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// readServerFrame reads one text frame from the server (skipping control
// frames) and checks that it is not masked, as RFC 6455 requires.
func readServerFrame(t *testing.T, conn net.Conn) []byte {
	t.Helper()
	for {
		var h [2]byte
		if _, err := io.ReadFull(conn, h[:]); err != nil {
			t.Fatalf("reading a server frame: %v", err)
		}
		if h[1]&0x80 != 0 {
			t.Fatal("server frame is masked")
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			io.ReadFull(conn, ext[:])
			n = uint64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			io.ReadFull(conn, ext[:])
			n = binary.BigEndian.Uint64(ext[:])
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(conn, payload); err != nil {
			t.Fatalf("reading a server frame: %v", err)
		}
		if h[0]&0x0f == 0x1 {
			return payload
		}
	}
}
