package bench

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress tells the user where a run is: a bar on a terminal, a plain line
// per phase otherwise (a log, a CI job), nothing when there is no writer.
// The bar moves with wall time against the run's planned length.
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar

	mu         sync.Mutex
	done       time.Duration // planned time of the phases finished
	phaseStart time.Time
	phasePlan  time.Duration
	stop       chan struct{}
	stopped    sync.WaitGroup
}

func newProgress(w io.Writer, total time.Duration) *progress {
	p := &progress{w: w, stop: make(chan struct{})}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(total.Milliseconds(),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		p.stopped.Add(1)
		go p.tick()
	}
	return p
}

// tick moves the bar through the current phase as time passes, never past
// the phase's planned end.
func (p *progress) tick() {
	defer p.stopped.Done()
	t := time.NewTicker(200 * time.Millisecond)
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

// phase starts a new stage of the run, planned to take plan.
func (p *progress) phase(plan time.Duration, format string, a ...any) {
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

// note prints a line that should stay on screen.
func (p *progress) note(format string, a ...any) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.w, "bench: "+format+"\n", a...)
}

func (p *progress) finish() {
	if p.w == nil || p.bar == nil {
		return
	}
	close(p.stop)
	p.stopped.Wait()
	p.bar.Finish()
}
