package charts

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushlab/pushlab/bench"
)

// errorCap is the width of an error bar's caps.
const errorCap = vg.Length(8)

// spreadPoints are the points of a line or the tops of bars with the range
// of the runs behind each (--repeat): what plotter.YErrorBars draws.
type spreadPoints struct {
	plotter.XYs
	plotter.YErrors
}

// add appends the point (x, y) and its range lo..hi.
func (s *spreadPoints) add(x, y, lo, hi float64) {
	s.XYs = append(s.XYs, plotter.XY{X: x, Y: y})
	s.YErrors = append(s.YErrors, struct{ Low, High float64 }{y - lo, hi - y})
}

// errorBars draws the ranges of s in c; nil when s is empty (results
// without repeated runs draw exactly as before).
func errorBars(s spreadPoints, c color.Color) (*plotter.YErrorBars, error) {
	if len(s.XYs) == 0 {
		return nil, nil
	}
	e, err := plotter.NewYErrorBars(s)
	if err != nil {
		return nil, err
	}
	e.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.2)}
	e.CapWidth = errorCap
	return e, nil
}

// clientCaption is the caption's part about the clients: their profile
// and cookie, TLS and HTTP, compression, and the runs behind each figure.
// Results from before profiles have none.
func clientCaption(sc bench.Scenario) string {
	if sc.Profile == "" {
		return ""
	}
	parts := []string{string(sc.Profile) + " headers"}
	if sc.CookieBytes > 0 {
		parts = append(parts, fmt.Sprintf("%d B cookie", sc.CookieBytes))
	}
	switch {
	case sc.TLS && sc.HTTP1:
		parts = append(parts, "HTTPS, HTTP/1.1")
	case sc.TLS:
		parts = append(parts, "HTTPS, h2 (WS on HTTP/1.1)")
	}
	if sc.Compress {
		parts = append(parts, "compressed")
	}
	if n := sc.Runs(); n > 1 {
		parts = append(parts, fmt.Sprintf("median of %d runs, bars min–max", n))
	}
	return " · " + strings.Join(parts, " · ")
}

// positiveOnly keeps the points whose whole range can be drawn on a log
// axis.
func (s spreadPoints) positiveOnly() spreadPoints {
	var out spreadPoints
	for i, p := range s.XYs {
		if e := s.YErrors[i]; p.Y-e.Low > 0 {
			out.add(p.X, p.Y, p.Y-e.Low, p.Y+e.High)
		}
	}
	return out
}
