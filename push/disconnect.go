package push

import "fmt"

// Disconnect is why the server ends a connection: a close code from the
// table and a reason. A WebSocket client reads both in the close frame; an
// SSE stream ends with the reason as a comment; the floor, which has no
// framing, just ends. Either way the server logs it.
type Disconnect struct {
	Code   int
	Reason string
}

func (d Disconnect) Error() string { return fmt.Sprintf("close %d: %s", d.Code, d.Reason) }

// Disconnects the server decides on.
var (
	disconnectShutdown  = Disconnect{CloseGoingAway, "server shutting down"}
	disconnectFull      = Disconnect{CloseTryAgainLater, "server over capacity"}
	disconnectSlow      = Disconnect{CloseTryAgainLater, "too slow: took nothing for the write deadline"}
	disconnectBinary    = Disconnect{CloseUnsupported, "binary frames are not accepted; send JSON text"}
	disconnectBadUTF8   = Disconnect{CloseInvalidUTF8, "text message is not valid UTF-8"}
	disconnectTooBig    = Disconnect{CloseTooBig, "message larger than the read limit"}
	disconnectPublished = Disconnect{CloseInternal, "could not publish"}
	disconnectSpoke     = Disconnect{ClosePolicy, "wrote on a stream that only reads"}
)

// disconnectBehind tells a client that fell out of the retained log to come
// back with the version it holds.
func disconnectBehind(held uint64) Disconnect {
	return Disconnect{CloseTryAgainLater, fmt.Sprintf("too far behind; reconnect with since=%d", held)}
}
