// Package push serves the live state to clients that keep a connection open:
// WebSocket (gorilla/websocket) and Server-Sent Events. Both follow one send
// policy: a connection pulls what it has not sent yet from the store when the
// store says something changed, so a slow client costs no queue; ticks it
// fell behind on coalesce to the latest, chat updates are always sent, and a
// client that falls out of the retained log is told to come back with since.
package push
