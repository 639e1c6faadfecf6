// Package charts draws the bench's results as figures fit for a paper:
// latency CDFs, bytes per update received, request rates and the sweep line
// charts. It reads results only (a *bench.Results or plain values) and writes
// PNG and SVG; it never runs a bench or talks to a server, so any chart can be
// redrawn from a results.json long after the run.
//
// Every chart uses the same colour and marker for a transport (style.go), an
// axis title with units on both axes and a caption line naming the scenario.
package charts
