package client

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsSubprotocol is the JSON subprotocol the simulated clients speak.
const wsSubprotocol = "pushlab.v1"

// wsWriteBuffers lets idle WebSocket clients share write buffers: they
// write only when they chat, and 10,000 private 4 KiB buffers would be
// memory the harness spends on nothing.
var wsWriteBuffers = &sync.Pool{}

// wsReadBuffers hold one message while it is parsed, for the same reason.
var wsReadBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// webSocket keeps a WebSocket open and reads every frame, and chats over
// it; when it closes (the server may close a client that fell behind with
// 1013) it reconnects with ?since= after a bounded backoff.
type webSocket struct{}

func (webSocket) publishesInBand() bool { return true }

func (webSocket) follow(ctx context.Context, c *Client) { c.reconnecting(ctx, c.wsSession) }

// wsSession dials, then reads frames until the connection ends. The reading
// goroutine is the connection's one reader; the chat goroutine, when the
// client chats, is its one writer. It reports whether the dial succeeded.
func (c *Client) wsSession(ctx context.Context) bool {
	u := c.url("ws", "/ws", c.sinceQuery())
	if c.cfg.Base.Scheme == "https" {
		u.Scheme = "wss"
	}
	header, err := c.wsHeader(u)
	if err != nil {
		return false
	}
	c.n.requests.Add(1)
	conn, resp, err := c.newWSDialer().DialContext(c.hdr.traced(ctx, "GET", u.RequestURI()), u.String(), header)
	if resp != nil {
		c.gotResponse(resp)
	}
	if err != nil {
		return false
	}
	defer conn.Close()
	// Closing the connection is what ends a blocked read when the run ends.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	conn.SetPingHandler(func(data string) error {
		conn.SetReadDeadline(time.Now().Add(readIdle))
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
		if err == websocket.ErrCloseSent {
			return nil
		}
		return err
	})
	if c.cfg.ChatRate > 0 {
		chatCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		seed := c.rng.Uint64()
		go func() { defer wg.Done(); c.chatOverWS(chatCtx, conn, seed) }()
		defer func() { cancel(); wg.Wait() }()
	}
	for {
		conn.SetReadDeadline(time.Now().Add(readIdle))
		_, r, err := conn.NextReader()
		if err != nil {
			return true
		}
		msg := wsReadBuffers.Get().(*bytes.Buffer)
		msg.Reset()
		_, err = msg.ReadFrom(r)
		if err == nil {
			c.n.bodyDown.Add(int64(msg.Len()))
			if _, refused := errorFrame(msg.Bytes()); refused {
				// Not an update, nor a malformed one: the server refused
				// a chat this client published, and the connection goes on.
				c.n.errors.Add(1)
				c.n.refused.Add(1)
			} else {
				c.received(msg.Bytes(), time.Now())
			}
		}
		wsReadBuffers.Put(msg)
		if err != nil {
			return true
		}
	}
}

// wsPublish is the client frame that publishes a chat update.
type wsPublish struct {
	Type string   `json:"type"`
	Data chatData `json:"data"`
}

// chatOverWS publishes chat as frames on the open connection.
func (c *Client) chatOverWS(ctx context.Context, conn *websocket.Conn, seed uint64) {
	gap := chatGaps(c.cfg.ChatRate, seed)
	for sleep(ctx, gap()) {
		c.track.run.Hush.wait(ctx)
		frame, _ := json.Marshal(wsPublish{Type: "publish", Data: chatData{From: c.id, N: c.n.chats.Add(1)}})
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		if err := conn.WriteMessage(websocket.TextMessage, frame); err != nil {
			return // the reader sees the connection end too
		}
		c.n.bodyUp.Add(int64(len(frame)))
	}
}
