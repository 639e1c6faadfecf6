// Package bench is what a bench run is and what it produced: the scenario
// (every parameter, typed, with its flag and sweep axis), the results
// (results.json and results.csv, written and read back), every figure
// derived from them, the built-in scenarios and the summary table. It runs
// nothing: the subpackages carry a run out (bench/run and what it uses), and
// the charts and the report read only this package, so a chart can be
// redrawn from a results.json long after the run.
package bench
