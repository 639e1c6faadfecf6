// Package server assembles the lab: a chi router over the polling and push
// handlers, middleware, wire-byte accounting per transport and per client,
// /api/stats, /metrics, the demo page and graceful shutdown.
package server
