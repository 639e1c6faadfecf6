// Package push serves the live state to clients that keep a connection
// open: WebSocket (gorilla/websocket), Server-Sent Events and the floor, a
// bare TCP stream of update lines that the others are measured against.
//
// The three share one subscriber type and one Hub. The hub decides what a
// subscriber is sent: the backlog after its since, live updates under the
// send policy (ticks it fell behind on coalesce to the latest, chats are
// always sent, a client that falls out of the retained log is closed and
// told to come back with since), keepalives, and a Disconnect at the end.
// A transport only frames and writes that (its wire).
//
// Nothing waits per idle connection (package held): per transport, one
// writer goroutine per core walks its share of the subscribers when the
// store changes and writes each one what it lacks, without ever waiting on
// a socket; a client whose socket is full gets a goroutine of its own until
// it has caught up or is dropped. Connections are watched with epoll: an SSE
// or floor stream for its client going away, a WebSocket for anything its
// client sends, which a reader started then reads.
package push
