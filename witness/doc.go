// Package witness holds an outside witness for the lab's wire counters: a
// Node.js client (witness.mjs, Node's own HTTP stack and the ws library)
// that follows the live state over each transport and counts the bytes on
// its own sockets. Its test runs it against a real server and checks that
// the server's /api/stats agrees with it to the byte. The Go package itself
// is empty; the witness is the script.
package witness
