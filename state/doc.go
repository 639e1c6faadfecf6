// Package state owns the lab's single live state: a store that versions every
// update, encodes it to JSON once, keeps the last N of them so a client that
// says which version it holds can be brought up to date, and wakes waiting
// readers without a goroutine or an allocation per waiter. A generator
// publishes ticks. The package imports no transport. Memory numbers its own
// updates, or mirrors a log whose versions are decided elsewhere (Apply):
// package state/broker shares one live state among many instances that
// way, through NATS JetStream.
package state
