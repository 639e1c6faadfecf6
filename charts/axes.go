package charts

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// setLog makes a a log axis spanning lo..hi with a little room either side.
// gonum's LogScale panics on values <= 0, so callers pass positive data only.
func setLog(a *plot.Axis, lo, hi float64) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = plot.TickerFunc(logTicks)
	a.Min, a.Max = lo/1.25, hi*1.25
}

// logTicks labels powers of ten, and 2 and 5 times them when the axis spans
// less than three decades, so a narrow log axis still carries numbers.
func logTicks(min, max float64) []plot.Tick {
	dense := max/min < 1000
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		decade := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := decade * float64(m)
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (dense && (m == 2 || m == 5)) {
				t.Label = formatTick(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// formatTick writes a tick value without an exponent (0.001, 20, 50000).
func formatTick(v float64) string {
	// Round away float noise first (0.30000000000000004 -> 0.3).
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// positiveRange returns the smallest and largest positive x or y of the
// series, for a log axis; ok is false when there is none.
func positiveRange(series []plotter.XYs, useY bool) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s {
			v := p.X
			if useY {
				v = p.Y
			}
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi, !math.IsInf(lo, 0)
}

// addGrid draws light grid lines under the data.
func addGrid(p *plot.Plot, vertical bool) {
	g := plotter.NewGrid()
	g.Horizontal.Color = gridColor
	g.Vertical.Color = gridColor
	if !vertical {
		g.Vertical.Width = 0
	}
	p.Add(g)
}

// linearTicks are gonum's default ticks labelled without trailing zeros
// ("25", not "25.00").
func linearTicks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = formatTick(ticks[i].Value)
		}
	}
	return ticks
}
