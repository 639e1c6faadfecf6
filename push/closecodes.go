package push

import "github.com/gorilla/websocket"

// CloseCode is one WebSocket close status with what it means here. This
// table is the one place close codes are described: the server closes with
// them, /api/closecodes serves the table to the demo page, and
// docs/protocol.md is checked against it.
type CloseCode struct {
	Code    int    `json:"code"`
	Name    string `json:"name"`
	Meaning string `json:"meaning"`
}

// Close codes the lab uses (RFC 6455 §7.4.1, plus one application code).
const (
	CloseNormal        = websocket.CloseNormalClosure           // 1000
	CloseGoingAway     = websocket.CloseGoingAway               // 1001
	CloseUnsupported   = websocket.CloseUnsupportedData         // 1003
	CloseInvalidUTF8   = websocket.CloseInvalidFramePayloadData // 1007
	ClosePolicy        = websocket.ClosePolicyViolation         // 1008
	CloseTooBig        = websocket.CloseMessageTooBig           // 1009
	CloseInternal      = websocket.CloseInternalServerErr       // 1011
	CloseRestart       = websocket.CloseServiceRestart          // 1012
	CloseTryAgainLater = websocket.CloseTryAgainLater           // 1013
	CloseLabDemo       = 4000                                   // application-defined, for the demo
)

// CloseCodes is the table, in code order.
var CloseCodes = []CloseCode{
	{CloseNormal, "Normal Closure", "The purpose of the connection is done; both sides agree to close."},
	{CloseGoingAway, "Going Away", "The server is shutting down (or the page is navigating away); reconnect later with since."},
	{websocket.CloseProtocolError, "Protocol Error", "A frame that breaks RFC 6455 itself, such as an unmasked frame from a client or a reserved bit set; gorilla closes with it."},
	{CloseUnsupported, "Unsupported Data", "A frame type the endpoint cannot accept: here, a binary frame where JSON text is expected."},
	{CloseInvalidUTF8, "Invalid Frame Payload Data", "A text message that is not valid UTF-8."},
	{ClosePolicy, "Policy Violation", "A message that breaks the protocol's rules: malformed JSON or an unknown message type."},
	{CloseTooBig, "Message Too Big", "A message larger than the server's read limit (64 KiB by default)."},
	{CloseInternal, "Internal Error", "The server met a condition it did not expect and cannot go on with this connection."},
	{CloseRestart, "Service Restart", "The server is restarting; reconnect after a short wait with since."},
	{CloseTryAgainLater, "Try Again Later", "The server is over capacity, or this client fell too far behind to be caught up; reconnect later with since."},
	{CloseLabDemo, "Application Code (4000-4999)", "Reserved for applications; pushlab uses 4000 only to show that such codes exist."},
}

// closeCodeKnown reports whether code is in the table.
func closeCodeKnown(code int) bool {
	for _, c := range CloseCodes {
		if c.Code == code {
			return true
		}
	}
	return false
}
