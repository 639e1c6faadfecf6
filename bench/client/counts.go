package client

import (
	"sync/atomic"

	"github.com/pushlab/pushlab/bench"
)

// counters are one client's counts of what it did and got; the run reads
// them at the window's edges.
type counters struct {
	requests   atomic.Int64 // HTTP requests sent (a WS or SSE connection is one)
	empty      atomic.Int64 // 204 and 304 responses
	errors     atomic.Int64 // failed requests, broken streams, unexpected statuses
	aborted    atomic.Int64 // requests that ended without an answer: timed out, or cut off by the run's end
	reconnects atomic.Int64 // WS and SSE streams opened again after the first
	updates    atomic.Int64 // updates received (each one in a poll response counts)
	payload    atomic.Int64 // bytes of update JSON received
	bodyUp     atomic.Int64 // request bodies and WS message payloads sent
	bodyDown   atomic.Int64 // response bodies (de-chunked) and WS message payloads received
	chats      atomic.Int64 // chat updates published
	http1, h2  atomic.Int64 // responses over HTTP/1.x and over h2, since the start (Negotiated)
	compressed atomic.Int64 // responses that came compressed, since the start
	refused    atomic.Int64 // publishes the server refused: a 503, or a WebSocket error frame (its broker is away)
}

// Counts reads the client's counters now, with the bytes its sockets
// carried and the header bytes of its HTTP exchanges.
func (c *Client) Counts() bench.Counts {
	return bench.Counts{
		Requests: c.n.requests.Load(), Empty: c.n.empty.Load(),
		Errors: c.n.errors.Load(), Aborted: c.n.aborted.Load(), Reconnects: c.n.reconnects.Load(),
		Updates: c.n.updates.Load(), Payload: c.n.payload.Load(),
		BodyUp: c.n.bodyUp.Load(), BodyDown: c.n.bodyDown.Load(),
		Up: c.wire.up.Load(), Down: c.wire.down.Load(),
		RequestHeaders: c.hdr.reqHeaders.Load(), ResponseHeaders: c.hdr.respHeaders.Load(),
		Responses: c.hdr.responses.Load(),
	}
}
