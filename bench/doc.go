// Package bench drives a pushlab server with simulated clients of each
// transport and measures what they cost and what they get: publish-to-seen
// latency, bytes on the wire, requests and empty responses. It reaches the
// server only over the network.
package bench
