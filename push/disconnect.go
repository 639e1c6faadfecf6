package push

import "fmt"

// Disconnect is why the server ends a WebSocket connection: a close code from
// the table and a reason sent in the close frame.
type Disconnect struct {
	Code   int
	Reason string
}

func (d *Disconnect) Error() string { return fmt.Sprintf("close %d: %s", d.Code, d.Reason) }

// Disconnects the server sends.
var (
	disconnectShutdown  = &Disconnect{CloseGoingAway, "server shutting down"}
	disconnectFull      = &Disconnect{CloseTryAgainLater, "server over capacity"}
	disconnectBinary    = &Disconnect{CloseUnsupported, "binary frames are not accepted; send JSON text"}
	disconnectBadUTF8   = &Disconnect{CloseInvalidUTF8, "text message is not valid UTF-8"}
	disconnectTooBig    = &Disconnect{CloseTooBig, "message larger than the read limit"}
	disconnectPublished = &Disconnect{CloseInternal, "could not publish"}
)

// disconnectBehind tells a client that fell out of the retained log to come
// back with the version it holds.
func disconnectBehind(held uint64) *Disconnect {
	return &Disconnect{CloseTryAgainLater, fmt.Sprintf("too far behind; reconnect with since=%d", held)}
}
