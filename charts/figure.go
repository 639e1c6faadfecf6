package charts

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats are the file formats every figure is written in.
var Formats = []string{"png", "svg"}

// Figure is one chart ready to be written: one or more plots side by side,
// a legend in a strip on the right shared by the panels, and a caption line
// along the bottom that says which scenario produced the data.
type Figure struct {
	Name    string // file stem, e.g. "latency-cdf"
	Title   string // what the figure shows, for alt text and the report
	Panels  []*plot.Plot
	Caption string

	legend plot.Legend
	hasKey bool
}

func newFigure(name, title, caption string, panels ...*plot.Plot) *Figure {
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	l.TextStyle.Font = font.From(typeface, legendSize)
	l.Padding = vg.Points(3)
	return &Figure{Name: name, Title: title, Caption: caption, Panels: panels, legend: l}
}

// addKey adds a legend entry to the figure's shared legend.
func (f *Figure) addKey(name string, thumbs ...plot.Thumbnailer) {
	f.legend.Add(name, thumbs...)
	f.hasKey = true
}

// WriteTo writes the figure at 800x500 pixels in format "png" or "svg".
func (f *Figure) WriteTo(w io.Writer, format string) error {
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))}
	case "svg":
		c = vgsvg.New(width, height)
	default:
		return fmt.Errorf("chart %s: unknown format %q (want png or svg)", f.Name, format)
	}
	if err := f.draw(draw.New(c)); err != nil {
		return err
	}
	_, err := c.WriteTo(w)
	return err
}

// Save writes DIR/NAME.png and DIR/NAME.svg and returns their paths.
func (f *Figure) Save(dir string) ([]string, error) {
	var paths []string
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := f.WriteTo(&buf, format); err != nil {
			return paths, err
		}
		path := filepath.Join(dir, f.Name+"."+format)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// draw lays the figure out on c. gonum/plot panics on data it cannot draw
// (a zero on a log axis, say); that is turned into an error naming the
// chart so one bad figure cannot take the whole command down.
func (f *Figure) draw(c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart %s: %v", f.Name, r)
		}
	}()
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())

	capStyle := draw.TextStyle{
		Color:   color.Gray{Y: 0x44},
		Font:    font.From(typeface, captionSize),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
	margin := vg.Points(6)
	caption := wrap(capStyle, f.Caption, c.Max.X-c.Min.X-2*margin)
	capH := capStyle.Height(caption) + 2*margin
	c.FillText(capStyle, vg.Point{X: c.Min.X + margin, Y: c.Min.Y + margin}, caption)

	body := draw.Crop(c, margin, -margin, capH, -margin)
	if f.hasKey {
		w := f.legend.Rectangle(body).Size().X + 2*margin
		strip := draw.Crop(body, body.Max.X-body.Min.X-w+margin, 0, 0, 0)
		// Start the legend level with the data area, below the panels' titles.
		if len(f.Panels) > 0 && f.Panels[0].Title.Text != "" {
			p := f.Panels[0]
			strip.Max.Y -= p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
		}
		f.legend.Draw(strip)
		body = draw.Crop(body, 0, -w, 0, 0)
	}
	tiles := draw.Tiles{Cols: len(f.Panels), Rows: 1, PadX: vg.Points(18)}
	for i, p := range f.Panels {
		drawPanel(p, tiles.At(body, i, 0))
	}
	return nil
}

// drawPanel draws one plot. The y axis title is drawn here rather than by
// gonum: gonum sizes it at the arithmetic middle of the axis range, which on
// a log axis lies near the top and pushes the whole plot down.
func drawPanel(p *plot.Plot, c draw.Canvas) {
	label := p.Y.Label.Text
	if label == "" {
		p.Draw(c)
		return
	}
	sty := p.Y.Label.TextStyle
	sty.Rotation = math.Pi / 2
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	w := sty.Height(label) + vg.Points(4)
	title := vg.Length(0)
	if p.Title.Text != "" {
		title = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	}
	c.FillText(sty, vg.Point{X: c.Min.X, Y: (c.Min.Y + c.Max.Y - title) / 2}, label)

	p.Y.Label.Text = ""
	defer func() { p.Y.Label.Text = label }()
	p.Draw(draw.Crop(c, w, 0, 0, 0))
}

// wrap breaks a caption at its " · " separators so that no line is wider
// than w.
func wrap(sty draw.TextStyle, s string, w vg.Length) string {
	parts := strings.Split(s, " · ")
	var lines []string
	line := ""
	for _, part := range parts {
		next := part
		if line != "" {
			next = line + " · " + part
		}
		if line != "" && sty.Width(next) > w {
			lines = append(lines, line)
			next = part
		}
		line = next
	}
	return strings.Join(append(lines, line), "\n")
}
