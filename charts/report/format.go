package report

import (
	"fmt"
	"strconv"

	"github.com/pushlab/pushlab/charts"
)

// ms writes microseconds as milliseconds with three significant digits
// (0.412, 4.12, 41.2, 412), enough to compare transports and no more.
func ms(us int64) string { return sig3(charts.Millis(us)) }

// sig3 is the report's precision, the same as the charts' labels.
func sig3(v float64) string { return charts.Sig3(v) }

// pct writes a fraction as a percentage with one decimal.
func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) }

// count writes an integer with thin grouping for reading (12,345).
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := ""
	for len(s) > 3 {
		out = "," + s[len(s)-3:] + out
		s = s[:len(s)-3]
	}
	if neg {
		s = "-" + s
	}
	return s + out
}

// mbit writes bits per second as Mbit/s (10^6).
func mbit(bps float64) string { return sig3(bps / 1e6) }

// bytesf writes a mean byte count with one decimal.
func bytesf(b float64) string { return strconv.FormatFloat(b, 'f', 1, 64) }

// mib writes a byte count in MiB with one decimal.
func mib(b int64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }
