package push

import (
	"encoding/json"
	"unicode/utf8"
)

// Subprotocols the WebSocket endpoint speaks, preferred first.
const (
	SubprotocolJSON = "pushlab.v1" // JSON messages both ways
	SubprotocolChat = "chat"       // plain text in, JSON updates out
)

// ClientMessage is what one client text frame asks for.
type ClientMessage struct {
	Type   string          `json:"type"`   // "publish" or "close"
	Data   json.RawMessage `json:"data"`   // publish: the chat data
	Code   int             `json:"code"`   // close: the code the client asks the server to close with
	Reason string          `json:"reason"` // close: the reason to send back
}

// maxReasonBytes is what fits in a close frame beside the code (125 - 2).
const maxReasonBytes = 123

// DecodeClientMessage reads one text frame sent under subprotocol. A frame
// that cannot be accepted yields the Disconnect to close with.
func DecodeClientMessage(subprotocol string, frame []byte) (ClientMessage, *Disconnect) {
	if !utf8.Valid(frame) {
		return ClientMessage{}, &disconnectBadUTF8
	}
	if subprotocol == SubprotocolChat {
		text, _ := json.Marshal(struct {
			Text string `json:"text"`
		}{string(frame)})
		return ClientMessage{Type: "publish", Data: text}, nil
	}
	var m ClientMessage
	if err := json.Unmarshal(frame, &m); err != nil {
		return ClientMessage{}, &Disconnect{ClosePolicy, "malformed JSON message"}
	}
	switch m.Type {
	case "publish":
		if len(m.Data) == 0 || string(m.Data) == "null" {
			return ClientMessage{}, &Disconnect{ClosePolicy, "publish needs data"}
		}
	case "close":
		if !closeCodeKnown(m.Code) {
			return ClientMessage{}, &Disconnect{ClosePolicy, "close code not in the table"}
		}
		if len(m.Reason) > maxReasonBytes {
			m.Reason = truncateUTF8(m.Reason, maxReasonBytes)
		}
	default:
		return ClientMessage{}, &Disconnect{ClosePolicy, "unknown message type"}
	}
	return m, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
