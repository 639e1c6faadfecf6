package server_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
)

// closeCode reads until the server closes and returns its close code.
func closeCode(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue // updates may arrive before the close
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		t.Fatalf("want a close frame, got %v", err)
	}
}

func TestBadWebSocketInputGetsItsCloseCode(t *testing.T) {
	lab := startLab(t, server.Config{})
	// A bystander whose service must not be disturbed by the others.
	bystander := mustDialWS(t, wsURL(lab, "?client=bystander"), nil)
	readWS(t, bystander) // the welcome snapshot

	cases := []struct {
		name  string
		kind  int
		frame []byte
		want  int
	}{
		{"oversize message", websocket.TextMessage, []byte(`{"type":"publish","data":"` + strings.Repeat("a", 64<<10) + `"}`), push.CloseTooBig},
		{"invalid UTF-8", websocket.TextMessage, []byte{'"', 0xff, 0xfe, '"'}, push.CloseInvalidUTF8},
		{"binary frame", websocket.BinaryMessage, []byte(`{"type":"publish","data":1}`), push.CloseUnsupported},
		{"malformed JSON", websocket.TextMessage, []byte(`{"type":`), push.ClosePolicy},
		{"unknown message type", websocket.TextMessage, []byte(`{"type":"dance"}`), push.ClosePolicy},
		{"publish without data", websocket.TextMessage, []byte(`{"type":"publish"}`), push.ClosePolicy},
		{"close code not in the table", websocket.TextMessage, []byte(`{"type":"close","code":1006}`), push.ClosePolicy},
		{"asks for 4000", websocket.TextMessage, []byte(`{"type":"close","code":4000,"reason":"demo"}`), push.CloseLabDemo},
		{"asks for 1011", websocket.TextMessage, []byte(`{"type":"close","code":1011}`), push.CloseInternal},
		{"client closes normally", websocket.CloseMessage, websocket.FormatCloseMessage(1000, "bye"), push.CloseNormal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustDialWS(t, wsURL(lab, ""), nil)
			readWS(t, c)
			if err := c.WriteMessage(tc.kind, tc.frame); err != nil {
				t.Fatal(err)
			}
			if got := closeCode(t, c); got != tc.want {
				t.Fatalf("close code %d, want %d", got, tc.want)
			}
		})
	}

	// The bystander still gets updates, and a chat sent now reaches it.
	if err := bystander.WriteMessage(websocket.TextMessage, []byte(`{"type":"publish","data":{"text":"still here"}}`)); err != nil {
		t.Fatal(err)
	}
	if u := readWS(t, bystander); u.Kind != "chat" || !strings.Contains(string(u.Data), "still here") {
		t.Fatalf("bystander got %s", u.Raw)
	}
}

func TestChatSubprotocolPublishesPlainText(t *testing.T) {
	lab := startLab(t, server.Config{})
	c, resp, err := dialWS(t, wsURL(lab, ""), nil, http.Header{"Sec-WebSocket-Protocol": {"chat"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "chat" {
		t.Fatalf("subprotocol %q, want chat", got)
	}
	readWS(t, c)
	c.WriteMessage(websocket.TextMessage, []byte("hi there"))
	if u := readWS(t, c); u.Kind != "chat" || string(u.Data) != `{"text":"hi there"}` {
		t.Fatalf("got %s", u.Raw)
	}

	c2, resp, err := dialWS(t, wsURL(lab, ""), nil, http.Header{"Sec-WebSocket-Protocol": {"mqtt, pushlab.v1"}})
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "pushlab.v1" {
		t.Fatalf("subprotocol %q, want pushlab.v1", got)
	}
}

// httpStatus does one request and returns the status, headers and the JSON
// error, if the body is one.
func httpStatus(t *testing.T, method, url string, hdr http.Header, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, resp.Header, e.Error
}

func TestBadHTTPInputGetsItsStatus(t *testing.T) {
	lab := startLab(t, server.Config{})
	upgrade := http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"},
		"Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}
	jsonBody := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	withVersion := func(h http.Header, v string) http.Header {
		h = h.Clone()
		h.Set("Sec-WebSocket-Version", v)
		return h
	}
	cases := []struct {
		name   string
		method string
		path   string
		hdr    http.Header
		body   string
		want   int
	}{
		{"oversize POST", http.MethodPost, "/api/publish", jsonBody, `{"kind":"chat","data":"` + strings.Repeat("a", 64<<10) + `"}`, http.StatusRequestEntityTooLarge},
		{"POST that is not JSON", http.MethodPost, "/api/publish", jsonBody, `hello`, http.StatusBadRequest},
		{"POST of a tick", http.MethodPost, "/api/publish", jsonBody, `{"kind":"tick","data":{}}`, http.StatusBadRequest},
		{"POST as a form", http.MethodPost, "/api/publish", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, `kind=chat&data=1`, http.StatusUnsupportedMediaType},
		{"POST without a type", http.MethodPost, "/api/publish", nil, `{"kind":"chat","data":1}`, http.StatusUnsupportedMediaType},
		{"foreign page publishes", http.MethodPost, "/api/publish", http.Header{"Origin": {"http://evil.example"}}, `{"kind":"chat","data":1}`, http.StatusForbidden},
		{"malformed since", http.MethodGet, "/api/poll?since=abc", nil, "", http.StatusBadRequest},
		{"negative since", http.MethodGet, "/api/poll?since=-1", nil, "", http.StatusBadRequest},
		{"malformed wait", http.MethodGet, "/api/poll?since=0&wait=soon", nil, "", http.StatusBadRequest},
		{"wait above the cap", http.MethodGet, "/api/poll?since=0&wait=61s", nil, "", http.StatusBadRequest},
		{"bad client id", http.MethodGet, "/api/poll?client=%3Cscript%3E", nil, "", http.StatusBadRequest},
		{"wrong method", http.MethodGet, "/api/publish", nil, "", http.StatusMethodNotAllowed},
		{"upgrade without the headers", http.MethodGet, "/ws", nil, "", http.StatusBadRequest},
		{"unsupported WS version", http.MethodGet, "/ws", withVersion(upgrade, "8"), "", http.StatusUpgradeRequired},
		{"foreign Origin on /ws", http.MethodGet, "/ws", func() http.Header {
			h := withVersion(upgrade, "13")
			h.Set("Origin", "http://evil.example")
			return h
		}(), "", http.StatusForbidden},
		{"foreign page changes config", http.MethodPost, "/api/config", http.Header{"Origin": {"http://evil.example"}}, `{"rate":1}`, http.StatusForbidden},
		{"config out of range", http.MethodPost, "/api/config", nil, `{"rate":-1}`, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, msg := httpStatus(t, tc.method, lab.URL+tc.path, tc.hdr, strings.NewReader(tc.body))
			if status != tc.want {
				t.Fatalf("status %d (%q), want %d", status, msg, tc.want)
			}
			if msg == "" {
				t.Errorf("no JSON error body")
			}
			if status == http.StatusUpgradeRequired && hdr.Get("Sec-WebSocket-Version") != "13" {
				t.Errorf("426 without Sec-WebSocket-Version: 13")
			}
		})
	}
	if status, _, _ := httpStatus(t, http.MethodGet, lab.URL+"/healthz", nil, nil); status != http.StatusOK {
		t.Fatalf("server stopped serving after bad input: %d", status)
	}
}

func TestOverMaxConnsGets503And1013(t *testing.T) {
	lab := startLab(t, server.Config{MaxConns: 2})
	for i := 0; i < 2; i++ {
		c := mustDialWS(t, wsURL(lab, ""), nil)
		readWS(t, c)
	}
	c := mustDialWS(t, wsURL(lab, ""), nil)
	if got := closeCode(t, c); got != push.CloseTryAgainLater {
		t.Fatalf("third WebSocket closed with %d, want 1013", got)
	}
	status, hdr, _ := httpStatus(t, http.MethodGet, lab.URL+"/api/poll?since=0", nil, nil)
	if status != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
		t.Fatalf("poll over the limit: %d (Retry-After %q), want 503 with Retry-After", status, hdr.Get("Retry-After"))
	}
}

func TestClientTooFarBehindIsClosedWith1013(t *testing.T) {
	lab := startLab(t, server.Config{Retain: 16, Payload: 64 << 10})
	// A client that does not read, with a receive buffer small enough that
	// the server's writes block soon (yet large enough to drain quickly).
	slow := &wireCounter{rcvBuf: 256 << 10}
	c := mustDialWS(t, wsURL(lab, "?client=slow"), slow)
	stallWriter(t, lab, "slow", 16)
	publishChats(t, lab.Store, 5)
	if got := closeCode(t, c); got != push.CloseTryAgainLater {
		t.Fatalf("slow client closed with %d, want 1013", got)
	}
}
