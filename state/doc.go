// Package state owns the lab's single live state: a store that versions every
// update, encodes it to JSON once, keeps the last N of them so a client that
// says which version it holds can be brought up to date, and wakes waiting
// readers without a goroutine or an allocation per waiter. A generator
// publishes ticks. The package imports no transport.
package state
