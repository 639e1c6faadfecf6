// Package held keeps connections the server has taken over from net/http
// (hijacked) to write the live state to: the push streams (WebSocket, SSE,
// the floor) and parked long polls. It provides what they share so that an
// idle held connection costs a few hundred bytes and no goroutine:
//
//   - Conn, a connection that in the shared writers never waits on its
//     socket: what the socket does not take at once waits with that client
//     alone, so one client that does not read holds up nobody;
//   - Set, the held connections of one transport, split into one shard per
//     core, each shard walked by one writer goroutine when the store changes;
//   - Watcher, one epoll set that tells when a connection nobody reads from
//     has something to read (its client going away, or a kept long poll's
//     next request), instead of a goroutine blocked in Read per connection;
//   - Account, a held connection's tally on the server's counters.
package held
