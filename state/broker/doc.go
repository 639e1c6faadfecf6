// Package broker is a state.Store shared by many pushlab instances through
// NATS JetStream. Every update, wherever it was published, goes to one
// stream; every instance reads that stream in order into its own in-memory
// mirror, so the stream's sequence is the version and every instance serves
// the same versions with the same bytes. A client may therefore move from
// one instance to another and resume with since.
//
// The stream (StreamName) takes one subject (Subject). A message's data is
// the update's data verbatim; its kind and publish time ride in headers, so
// the bytes every instance builds are the same. A message that does not
// have that shape is not ours: it is logged, skipped, and its sequence is a
// version that holds no update (clients see the version jump over it).
package broker
