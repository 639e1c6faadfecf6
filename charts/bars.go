package charts

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushlab/pushlab/bench"
)

var plotterBlack = color.Gray{Y: 0}

// Bar widths that fit four bars with gaps in a panel of an 800 px figure,
// alone or as one of two panels.
const (
	barWidth     = vg.Length(48)
	halfBarWidth = vg.Length(32)
)

// headerTint is how much lighter the overhead part of a bar is drawn;
// compressedTint, a compressed transport's single bar.
const (
	headerTint     = 0.6
	compressedTint = 0.3
)

// BytesPerUpdate draws for each transport at point i the wire bytes per
// update received (both directions), split into the update JSON itself
// (dark) and everything else (light: headers, framing, envelopes, pings).
func BytesPerUpdate(r *bench.Results, i int) (*Figure, error) {
	p := newPlot("Wire bytes per update received", "transport", "bytes per update received (B, up + down)")
	addGrid(p, false)
	f := newFigure("bytes-per-update", "Bytes per update received, payload vs headers and framing", pointCaption(r, i), p)

	var (
		names           []string
		top             = 0.0
		spread          spreadPoints
		plain, squeezed bool // some bars split payload from overhead; some are compressed
	)
	for _, t := range r.Points[i].InTableOrder() {
		if t.Updates() == 0 {
			continue
		}
		x := float64(len(names))
		c := styleOf(t.Transport).Color
		payload, over := t.PayloadPerUpdate(), t.OverheadPerUpdate()
		text := "%.0f B"
		if t.Compressed {
			// The JSON is counted inflated, the wire carried it deflated:
			// one bar, of what crossed the wire.
			payload, over, text, squeezed = t.BytesPerUpdate, 0, "%.0f B, compressed", true
			c = lighter(c, compressedTint)
		} else {
			plain = true
		}
		pb, err := bar(t.Transport, x, payload, c, barWidth)
		if err != nil {
			return nil, err
		}
		ob, err := bar(t.Transport, x, over, lighter(c, headerTint), barWidth)
		if err != nil {
			return nil, err
		}
		ob.StackOn(pb)
		total := payload + over
		above := total // the label goes above the bar, and above its error bar
		if lo, hi, ok := t.Range(func(t bench.TransportResult) float64 { return t.BytesPerUpdate }); ok {
			spread.add(x, t.BytesPerUpdate, lo, hi)
			above = math.Max(above, hi)
		}
		lbl, err := valueLabel(x, above, fmt.Sprintf(text, total))
		if err != nil {
			return nil, err
		}
		p.Add(pb, ob, lbl)
		top = math.Max(top, above)
		names = append(names, styleOf(t.Transport).Label)
	}
	bars, err := errorBars(spread, plotterBlack)
	if err != nil {
		return nil, err
	}
	if bars != nil {
		p.Add(bars)
	}
	if len(names) == 0 {
		return nil, &NoDataError{"bytes-per-update", fmt.Sprintf("points[%d].transports[].received", i), "no transport received an update"}
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, top*1.15
	grey := color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xFF}
	if plain {
		f.addKey("update JSON", swatch{grey})
		f.addKey("headers, framing", swatch{lighter(grey, headerTint)})
	}
	if squeezed {
		f.addKey("compressed, all bytes", swatch{lighter(grey, compressedTint)})
	}
	return f, nil
}

// RequestRates draws two panels for point i: HTTP requests per second per
// transport, and the share of those responses that carried no update.
func RequestRates(r *bench.Results, i int) (*Figure, error) {
	secs := r.Seconds(i)
	if secs <= 0 {
		return nil, fmt.Errorf("field points[%d].duration_s: missing or 0, needed for requests/s", i)
	}
	rate := newPlot("HTTP requests per second", "transport", "requests/s (all clients)")
	empty := newPlot("Responses without an update", "transport", "empty responses (% of requests)")
	addGrid(rate, false)
	addGrid(empty, false)

	var names []string
	topRate, topEmpty := 0.0, 0.0
	for _, t := range r.Points[i].InTableOrder() {
		x := float64(len(names))
		c := styleOf(t.Transport).Color
		rs, es := t.RequestsPerSecond(secs), t.EmptyShare()*100
		for _, panel := range []struct {
			p     *plot.Plot
			v     float64
			label string
		}{{rate, rs, Sig3(rs)}, {empty, es, Sig3(es) + "%"}} {
			b, err := bar(t.Transport, x, panel.v, c, halfBarWidth)
			if err != nil {
				return nil, err
			}
			lbl, err := valueLabel(x, panel.v, panel.label)
			if err != nil {
				return nil, err
			}
			panel.p.Add(b, lbl)
		}
		topRate, topEmpty = math.Max(topRate, rs), math.Max(topEmpty, es)
		names = append(names, styleOf(t.Transport).Label)
	}
	rate.NominalX(names...)
	empty.NominalX(names...)
	rate.Y.Min, rate.Y.Max = 0, math.Max(topRate*1.15, 1)
	empty.Y.Min, empty.Y.Max = 0, math.Max(topEmpty*1.15, 10)
	return newFigure("requests", "Requests per second and empty-response share per transport", pointCaption(r, i), rate, empty), nil
}

// bar is one bar at x in a transport's colour.
func bar(name string, x, v float64, c color.Color, w vg.Length) (*plotter.BarChart, error) {
	b, err := plotter.NewBarChart(plotter.Values{v}, w)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	b.XMin = x
	b.Color = c
	b.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x33}, Width: vg.Points(0.5)}
	return b, nil
}

// valueLabel writes a bar's value just above it.
func valueLabel(x, y float64, s string) (*plotter.Labels, error) {
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: y}}, Labels: []string{s}})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(typeface, tickSize)
		l.TextStyle[i].XAlign = draw.XCenter
		l.TextStyle[i].YAlign = draw.YBottom
	}
	l.Offset = vg.Point{Y: vg.Points(2)}
	return l, nil
}

// swatch is a filled square legend sample.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y},
	}
	c.FillPolygon(s.c, pts)
}
