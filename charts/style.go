package charts

import (
	"image/color"
	"strings"

	"github.com/pushlab/pushlab/transport"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of every figure: 800x500 pixels at 96 dpi, given in points as vg wants.
const (
	dpi          = 96
	widthPixels  = 800
	heightPixels = 500
	width        = vg.Length(widthPixels) * vg.Inch / dpi
	height       = vg.Length(heightPixels) * vg.Inch / dpi
)

// Text sizes, chosen so that the smallest text (tick labels, the caption) is
// still about 14 pixels high at 800x500.
const (
	titleSize   = vg.Length(15)
	labelSize   = vg.Length(13)
	tickSize    = vg.Length(11)
	legendSize  = vg.Length(11)
	captionSize = vg.Length(10)
)

// typeface is Liberation Sans (embedded by gonum, metric-compatible with
// Arial): cleaner than the default serif at small sizes on screen.
var typeface = font.Font{Typeface: "Liberation", Variant: "Sans"}

// transportStyle is how one transport looks in every chart.
type transportStyle struct {
	Label string // legend text, the transport table's label
	Color color.RGBA
	Shape draw.GlyphDrawer
}

// looks are each transport's colour and marker; names and order come from
// the transport table. Colours are from the Okabe–Ito palette, which stays
// distinguishable for colour-blind readers and in greyscale print; the
// markers differ too, so a line can be told apart without colour at all.
var looks = map[string]struct {
	color color.RGBA
	shape draw.GlyphDrawer
}{
	transport.Short: {color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, draw.TriangleGlyph{}},
	transport.Long:  {color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, draw.SquareGlyph{}},
	transport.WS:    {color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, draw.CircleGlyph{}},
	transport.SSE:   {color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, draw.CrossGlyph{}},
	// The floor is the baseline the others are read against: black.
	transport.Floor: {color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, draw.RingGlyph{}},
}

// variantLooks are the looks of a transport run a different way, keyed
// "transport/variant" (see Variant): the Okabe–Ito palette's orange and a
// ring for cache-timed short polling, next to blind polling's vermilion
// triangle.
var variantLooks = map[string]struct {
	color color.RGBA
	shape draw.GlyphDrawer
}{
	transport.Short + "/" + CacheTimed: {color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, draw.RingGlyph{}},
}

// styleOf returns the style of a transport, or of a transport's variant
// when name is "transport/variant"; a name without a look gets grey so a
// chart still draws (a test keeps every table entry in looks).
func styleOf(name string) transportStyle {
	if l, ok := looks[name]; ok {
		return transportStyle{transport.Label(name), l.color, l.shape}
	}
	if t, v, ok := strings.Cut(name, "/"); ok {
		if l, ok := variantLooks[name]; ok {
			return transportStyle{VariantLabel(t, v), l.color, l.shape}
		}
		name = t
	}
	return transportStyle{transport.Label(name), color.RGBA{R: 0x66, G: 0x66, B: 0x66, A: 0xFF}, draw.PlusGlyph{}}
}

// lineStyle is a transport's line; dashed marks the second figure of a
// pair (p99 next to p50).
func lineStyle(name string, dashed bool) draw.LineStyle {
	ls := draw.LineStyle{Color: styleOf(name).Color, Width: vg.Points(2)}
	if dashed {
		ls.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	return ls
}

// glyphStyle is a transport's marker.
func glyphStyle(name string) draw.GlyphStyle {
	s := styleOf(name)
	return draw.GlyphStyle{Color: s.Color, Radius: vg.Points(4), Shape: s.Shape}
}

// lighter mixes a colour with white; the header share of a bar is drawn in
// a lighter tint of the transport's colour so the colour still says which
// transport it is.
func lighter(c color.RGBA, f float64) color.RGBA {
	mix := func(v uint8) uint8 { return uint8(float64(v) + (255-float64(v))*f) }
	return color.RGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 0xFF}
}

// newPlot returns a plot with the lab's fonts and axis titles.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(typeface, titleSize)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(typeface, labelSize)
		a.Tick.Label.Font = font.From(typeface, tickSize)
		a.Tick.Marker = plot.TickerFunc(linearTicks)
	}
	p.Legend.TextStyle.Font = font.From(typeface, legendSize)
	return p
}

// gridColor is light enough that data always draws over it.
var gridColor = color.Gray{Y: 0xDD}
