// Package progress tells the user where a bench run is: a bar on a
// terminal, a plain line per phase otherwise (a log, a CI job), nothing
// when there is no writer.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar is a run's progress. The bar moves with wall time against the run's
// planned length.
type Bar struct {
	w   io.Writer
	bar *progressbar.ProgressBar

	mu         sync.Mutex
	done       time.Duration // planned time of the phases finished
	phaseStart time.Time
	phasePlan  time.Duration
	stop       chan struct{}
	stopped    sync.WaitGroup
}

// Ticks of the bar on a terminal.
const (
	tickEvery = 200 * time.Millisecond // the bar moves with the clock this often
	redrawMin = 100 * time.Millisecond // and is redrawn at most this often
)

// New starts the progress of a run planned to take total, written to w
// (nil: quiet).
func New(w io.Writer, total time.Duration) *Bar {
	p := &Bar{w: w, stop: make(chan struct{})}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(total.Milliseconds(),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(redrawMin),
			progressbar.OptionClearOnFinish(),
		)
		p.stopped.Add(1)
		go p.tick()
	}
	return p
}

// tick moves the bar through the current phase as time passes, never past
// the phase's planned end.
func (p *Bar) tick() {
	defer p.stopped.Done()
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			at := p.done + min(time.Since(p.phaseStart), p.phasePlan)
			p.mu.Unlock()
			p.bar.Set64(at.Milliseconds())
		}
	}
}

// Phase starts a new stage of the run, planned to take plan.
func (p *Bar) Phase(plan time.Duration, format string, a ...any) {
	if p.w == nil {
		return
	}
	msg := fmt.Sprintf(format, a...)
	p.mu.Lock()
	if !p.phaseStart.IsZero() {
		p.done += p.phasePlan
	}
	p.phaseStart, p.phasePlan = time.Now(), plan
	p.mu.Unlock()
	if p.bar != nil {
		p.bar.Describe(msg)
		return
	}
	fmt.Fprintf(p.w, "bench: %s\n", msg)
}

// Note prints a line that should stay on screen.
func (p *Bar) Note(format string, a ...any) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.w, "bench: "+format+"\n", a...)
}

// Finish ends the bar.
func (p *Bar) Finish() {
	if p.w == nil || p.bar == nil {
		return
	}
	close(p.stop)
	p.stopped.Wait()
	p.bar.Finish()
}
