package server_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// tlsClient is an HTTP client that trusts lab, offers h2 and http/1.1 by
// ALPN, and whose bytes w counts on the TCP connection beneath TLS (the
// Transport runs TLS over what DialContext returns).
func (w *wireCounter) tlsClient(lab *servertest.Server) *http.Client {
	w.hc = &http.Client{Transport: &http.Transport{
		DialContext:        w.dial,
		TLSClientConfig:    lab.TLSClientConfig(),
		ForceAttemptHTTP2:  true,
		DisableCompression: true,
		MaxConnsPerHost:    1,
	}, Timeout: 30 * time.Second}
	return w.hc
}

// tlsWSDialer dials WebSockets to lab offering only http/1.1 by ALPN (a
// WebSocket cannot run over the h2 the server would otherwise pick).
func (w *wireCounter) tlsWSDialer(lab *servertest.Server) *websocket.Dialer {
	return &websocket.Dialer{
		NetDialContext:  w.dial,
		TLSClientConfig: lab.TLSClientConfig("http/1.1"),
	}
}

// settle waits until the server's counts for client id equal what wc
// carried (frames still in flight settle within moments), then returns
// the server's figures.
func settle(t *testing.T, lab *servertest.Server, id string, wc *wireCounter) server.CounterSnapshot {
	t.Helper()
	var got server.CounterSnapshot
	for deadline := time.Now().Add(3 * time.Second); ; {
		got = lab.Stats().Snapshot(true).Clients[id]
		if got.BytesIn == wc.written.Load() && got.BytesOut == wc.read.Load() {
			return got
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: server counted %d in / %d out, the client's TCP connection carried %d up / %d down",
				id, got.BytesIn, got.BytesOut, wc.written.Load(), wc.read.Load())
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Over TLS, short and long polls and SSE negotiate h2, the WebSocket stays
// on http/1.1, every transport delivers, and the server's byte counts equal
// what each client's TCP connection carried beneath TLS, handshake and
// records included.
func TestTLSFourTransportsH2AndWSOnHTTP1(t *testing.T) {
	lab := servertest.StartTLS(t, server.Config{Payload: 300})
	for range 3 {
		lab.Generator().Tick()
	}
	wires := map[string]*wireCounter{}
	for _, id := range []string{"t-short", "t-long", "t-sse", "t-ws"} {
		wires[id] = &wireCounter{}
	}

	// short: three polls and a publish on one h2 connection.
	hc := wires["t-short"].tlsClient(lab)
	resp, err := hc.Get(lab.URL + "/api/poll?since=0&client=t-short")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Proto != "HTTP/2.0" || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "h2" {
		t.Fatalf("short poll over TLS: %s, ALPN %q; want HTTP/2.0 by h2", resp.Proto, resp.TLS.NegotiatedProtocol)
	}
	poll(t, hc, lab.URL, "?since=1&client=t-short")
	publishChat(t, hc, lab.URL, "?client=t-short", "over h2")
	if status, _ := poll(t, hc, lab.URL, "?since="+itoa(lab.Store.Latest())+"&client=t-short"); status != http.StatusNoContent {
		t.Fatalf("poll at the latest version: %d, want 204", status)
	}

	// sse: open a stream and read the backlog and one live update.
	sseHC := wires["t-sse"].tlsClient(lab)
	sse := openSSE(t, sseHC, lab.URL+"/sse?since=2&client=t-sse", nil)
	if sse.resp.ProtoMajor != 2 {
		t.Fatalf("SSE over TLS: %s, want HTTP/2.0", sse.resp.Proto)
	}

	// ws: upgrade over TLS with an http/1.1-only ALPN offer.
	ws, wsResp, err := wires["t-ws"].tlsWSDialer(lab).Dial("wss://"+lab.Addr+"/ws?since=2&client=t-ws", nil)
	if err != nil {
		t.Fatalf("wss dial: %v", err)
	}
	defer ws.Close()
	if tc, ok := ws.NetConn().(*tls.Conn); !ok || tc.ConnectionState().NegotiatedProtocol != "http/1.1" {
		t.Fatalf("WebSocket connection: %T %+v, want TLS with ALPN http/1.1", ws.NetConn(), ok)
	}
	if wsResp.ProtoMajor != 1 {
		t.Fatalf("WebSocket upgrade answered over %s", wsResp.Proto)
	}

	// long: a poll held until the next tick answers it.
	longHC := wires["t-long"].tlsClient(lab)
	latest := lab.Store.Latest()
	longDone := longPollInBackground(longHC, lab.URL+"/api/poll?since="+itoa(latest)+"&wait=10s&client=t-long")
	servertest.Eventually(t, "long poll held", 5*time.Second, func() bool {
		return lab.Stats().Snapshot(true).Clients["t-long"].Open == 1
	})
	lab.Generator().Tick()
	if status := <-longDone; status != http.StatusOK {
		t.Fatalf("long poll over TLS: status %d", status)
	}

	// Everyone holds the latest version.
	for v := uint64(0); v < lab.Store.Latest(); {
		u := readWS(t, ws)
		v = u.V
	}
	for v := uint64(0); v < lab.Store.Latest(); {
		_, data, err := sse.next()
		if err != nil {
			t.Fatalf("sse: %v", err)
		}
		v = parseUpdate(t, data).V
	}

	stats := lab.Stats().Snapshot(true)
	for id, wc := range wires {
		got := settle(t, lab, id, wc)
		t.Logf("%s: %d B up, %d B down over TLS", id, got.BytesIn, got.BytesOut)
		if got.TLSRequests != got.Requests || got.Requests == 0 {
			t.Errorf("%s: %d of %d requests counted as TLS", id, got.TLSRequests, got.Requests)
		}
	}
	wantProto := map[string]string{transport.Short: server.ProtoH2, transport.Long: server.ProtoH2,
		transport.SSE: server.ProtoH2, transport.WS: server.ProtoHTTP11}
	for tr, proto := range wantProto {
		c := stats.Transports[tr]
		if c.Protocols[proto] != c.Requests || len(c.Protocols) != 1 {
			t.Errorf("%s: protocols %v for %d requests, want all %s", tr, c.Protocols, c.Requests, proto)
		}
	}
}

// A gorilla dialer that offers no ALPN at all also gets http/1.1 and an
// upgrade: net/http serves HTTP/1.1 when ALPN chose nothing.
func TestTLSWebSocketWithoutALPN(t *testing.T) {
	lab := servertest.StartTLS(t, server.Config{})
	d := websocket.Dialer{TLSClientConfig: lab.TLSClientConfig(), HandshakeTimeout: 5 * time.Second}
	ws, _, err := d.Dial("wss://"+lab.Addr+"/ws?client=t-noalpn", nil)
	if err != nil {
		t.Fatalf("wss dial without ALPN: %v", err)
	}
	ws.Close()
}

// HTTP/2 SETTINGS parameter 0x8 (RFC 8441) would let a browser open its
// WebSocket as an extended CONNECT on the h2 connection it already has; the
// server must not advertise it, so browsers open WebSockets on HTTP/1.1.
func TestTLSServerDoesNotAdvertiseExtendedConnect(t *testing.T) {
	lab := servertest.StartTLS(t, server.Config{})
	conn, err := tls.Dial("tcp", lab.Addr, lab.TLSClientConfig("h2"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if p := conn.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("ALPN chose %q, want h2", p)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	// Client preface and an empty SETTINGS frame.
	if _, err := conn.Write(append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0)); err != nil {
		t.Fatal(err)
	}
	settings := readServerSettings(t, bufio.NewReader(conn))
	if len(settings) == 0 {
		t.Fatal("server sent an empty SETTINGS frame; expected its limits")
	}
	if v, ok := settings[0x8]; ok {
		t.Errorf("server advertises SETTINGS_ENABLE_CONNECT_PROTOCOL = %d", v)
	}
}

// readServerSettings reads HTTP/2 frames until the server's first
// non-ACK SETTINGS frame and returns its parameters (RFC 9113 §6.5).
func readServerSettings(t *testing.T, r *bufio.Reader) map[uint16]uint32 {
	t.Helper()
	for range 10 {
		var hdr [9]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			t.Fatalf("reading a frame header: %v", err)
		}
		length := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		payload := make([]byte, length)
		if _, err := io.ReadFull(r, payload); err != nil {
			t.Fatalf("reading a frame: %v", err)
		}
		const frameSettings, flagAck = 0x4, 0x1
		if hdr[3] != frameSettings || hdr[4]&flagAck != 0 {
			continue
		}
		out := map[uint16]uint32{}
		for p := payload; len(p) >= 6; p = p[6:] {
			out[binary.BigEndian.Uint16(p)] = binary.BigEndian.Uint32(p[2:])
		}
		return out
	}
	t.Fatal("no SETTINGS frame in the server's first 10 frames")
	return nil
}

// A plain-HTTP client talking to the TLS port gets nothing served (net/http
// answers a 400 in clear and closes); the server keeps serving TLS clients.
func TestTLSPortRefusesPlainHTTP(t *testing.T) {
	lab := servertest.StartTLS(t, server.Config{})
	conn, err := net.Dial("tcp", lab.Addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /api/state HTTP/1.1\r\nHost: %s\r\n\r\n", lab.Addr)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply, _ := io.ReadAll(conn)
	conn.Close()
	if len(reply) > 0 && !bytesHasPrefix(reply, "HTTP/1.0 400") {
		t.Errorf("plain HTTP on the TLS port got %q", reply)
	}
	hc := (&wireCounter{}).tlsClient(lab)
	resp, err := hc.Get(lab.URL + "/healthz")
	if err != nil {
		t.Fatalf("TLS client after a plain one: %v", err)
	}
	resp.Body.Close()
}

func bytesHasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// One h2 connection carrying a client's concurrent requests (a held long
// poll, an SSE stream and short polls beside them) is still counted exactly
// for that client: all its bytes go to its account, whichever stream they
// belonged to.
func TestTLSConcurrentStreamsOfOneClientCountExactly(t *testing.T) {
	lab := servertest.StartTLS(t, server.Config{Payload: 200})
	lab.Generator().Tick()
	wc := &wireCounter{}
	hc := wc.tlsClient(lab)
	latest := lab.Store.Latest()
	longDone := longPollInBackground(hc, lab.URL+"/api/poll?since="+itoa(latest)+"&wait=10s&client=t-mux")
	sse := openSSE(t, hc, lab.URL+"/sse?client=t-mux", nil)
	servertest.Eventually(t, "long poll and stream open", 5*time.Second, func() bool {
		return lab.Stats().Snapshot(true).Clients["t-mux"].Open == 2
	})
	for range 3 {
		poll(t, hc, lab.URL, "?since=0&client=t-mux")
	}
	lab.Generator().Tick()
	if status := <-longDone; status != http.StatusOK {
		t.Fatalf("long poll: status %d", status)
	}
	for v := uint64(0); v < lab.Store.Latest(); {
		_, data, err := sse.next()
		if err != nil {
			t.Fatalf("sse: %v", err)
		}
		v = parseUpdate(t, data).V
	}
	got := settle(t, lab, "t-mux", wc)
	if got.Protocols[server.ProtoH2] != 5 || got.Requests != 5 {
		t.Errorf("requests %d by protocol %v, want 5 over h2", got.Requests, got.Protocols)
	}
}

// Over TLS, shutdown still ends every client within 5 s: the WebSocket gets
// 1001, the h2 SSE stream ends, the held h2 long poll is answered 204, and
// an idle h2 connection that the client keeps open (as a browser does) does
// not hold the server up.
func TestTLSShutdownEndsEveryClientWithin5s(t *testing.T) {
	lab := servertest.StartTLS(t, server.Config{})
	lab.Generator().Tick()
	wc := &wireCounter{}
	ws, _, err := wc.tlsWSDialer(lab).Dial("wss://"+lab.Addr+"/ws?client=tsd-ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readWS(t, ws)
	hc := (&wireCounter{}).tlsClient(lab) // one h2 connection for all three
	if status, _ := poll(t, hc, lab.URL, "?since=0&client=tsd-idle"); status != http.StatusOK {
		t.Fatalf("poll: %d", status)
	}
	sse := openSSE(t, hc, lab.URL+"/sse?client=tsd-sse", nil)
	if _, _, err := sse.next(); err != nil {
		t.Fatal(err)
	}
	longDone := make(chan int, 1)
	go func() {
		resp, err := hc.Get(lab.URL + "/api/poll?since=" + itoa(lab.Store.Latest()) + "&wait=60s&client=tsd-long")
		if err != nil {
			longDone <- -1
			return
		}
		resp.Body.Close()
		longDone <- resp.StatusCode
	}()
	servertest.Eventually(t, "the long poll is held", 2*time.Second, func() bool {
		return lab.Stats().Snapshot(false).Transports[transport.Long].Open == 1
	})

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	shutdownErr := make(chan error, 1)
	go func() { shutdownErr <- lab.Shutdown(ctx) }()
	if got := closeCode(t, ws); got != 1001 {
		t.Errorf("wss closed with %d, want 1001", got)
	}
	for {
		if _, _, err := sse.next(); err != nil {
			break
		}
	}
	if status := <-longDone; status != http.StatusNoContent {
		t.Errorf("held h2 long poll answered %d at shutdown, want 204", status)
	}
	if err := <-shutdownErr; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > server.ShutdownTimeout {
		t.Errorf("shutdown over TLS took %v", d)
	}
	t.Logf("shutdown over TLS took %v", time.Since(start))
}

// longPollInBackground sends a long poll and reports its status when it is
// answered (0 when it failed).
func longPollInBackground(hc *http.Client, url string) <-chan int {
	done := make(chan int, 1)
	go func() {
		resp, err := hc.Get(url)
		if err != nil {
			done <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	return done
}
