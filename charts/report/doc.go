// Package report writes docs/report.md from bench results: the
// environment, the commands that produced it, tables of the figures, the
// charts (drawn by package charts) and a short plain-language reading of
// each. It reads results only; running the bench is the caller's business
// (`pushlab report`), so a report can be rebuilt from saved results.json
// files without running anything.
package report
