package state

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Bounds of the generator's settings; the server's flags, /api/config and
// the bench's scenarios are all checked against these.
const (
	MaxRate    = 1000    // ticks per second
	MaxPayload = 1 << 20 // bytes of data per tick
)

// CheckSettings says which setting is out of bounds, in words fit for a
// flag's or a request's error.
func CheckSettings(rate float64, payload int) error {
	if !(rate >= 0 && rate <= MaxRate) { // also refuses NaN
		return fmt.Errorf("rate must be between 0 and %d ticks per second, got %g", MaxRate, rate)
	}
	if payload < 0 || payload > MaxPayload {
		return fmt.Errorf("payload must be between 0 and %d bytes, got %d", MaxPayload, payload)
	}
	return nil
}

// DefaultInstruments are the prices the generator moves.
var DefaultInstruments = []string{"ACME", "GLOBX", "INITech", "UMBRL", "WAYNE"}

// Generator publishes tick updates at a rate: a live data stream of a few
// instruments' prices, padded to a payload size so that the cost of bigger
// messages can be measured. Rate and payload may change while it runs.
type Generator struct {
	store Store

	mu      sync.Mutex
	rate    float64 // ticks per second; 0 = paused
	payload int     // bytes of data per tick
	retune  chan struct{}
	// The schedule of a running ticker: ticks fall on the grid origin +
	// k × period. lastDue is the grid point of the latest tick published
	// (the origin before the first); period is 0 when not ticking.
	origin, lastDue time.Time
	period          time.Duration

	prices []float64
	rng    *rand.Rand
	pad    *rand.Rand // the padding's own stream, so the prices walk as before
}

// NewGenerator returns a generator for store. It does nothing until Run.
func NewGenerator(store Store, rate float64, payload int) *Generator {
	g := &Generator{
		store:   store,
		rate:    rate,
		payload: payload,
		retune:  make(chan struct{}, 1),
		rng:     rand.New(rand.NewPCG(1, 2)),
		pad:     rand.New(rand.NewPCG(3, 4)),
	}
	g.prices = make([]float64, len(DefaultInstruments))
	for i := range g.prices {
		g.prices[i] = 100 + 20*float64(i)
	}
	return g
}

// Settings returns the current rate and payload.
func (g *Generator) Settings() (rate float64, payload int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rate, g.payload
}

// Set changes rate and payload; a running generator picks them up at once.
func (g *Generator) Set(rate float64, payload int) {
	g.mu.Lock()
	g.rate, g.payload = rate, payload
	g.mu.Unlock()
	select {
	case g.retune <- struct{}{}:
	default:
	}
}

// Run publishes ticks until ctx ends.
func (g *Generator) Run(ctx context.Context) {
	var tick <-chan time.Time
	var ticker *time.Ticker
	stop := func() {
		if ticker != nil {
			ticker.Stop()
			ticker, tick = nil, nil
		}
	}
	defer stop()
	start := func() {
		stop()
		rate, _ := g.Settings()
		var period time.Duration
		if rate > 0 {
			period = time.Duration(float64(time.Second) / rate)
			ticker = time.NewTicker(period)
			tick = ticker.C
		}
		g.setSchedule(time.Now(), period)
	}
	defer g.setSchedule(time.Time{}, 0)
	start()
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.retune:
			start()
		case at := <-tick:
			g.Tick()
			// Noted after the publish: a poll answered in between is told
			// the tick is still due and comes back for it, where noting it
			// first would tell that poll to wait a whole period for a tick
			// it does not hold yet.
			g.ticked(at)
		}
	}
}

// setSchedule starts a grid of ticks at origin every period (0: none).
func (g *Generator) setSchedule(origin time.Time, period time.Duration) {
	g.mu.Lock()
	g.origin, g.lastDue, g.period = origin, origin, period
	g.mu.Unlock()
}

// ticked notes that the tick the ticker sent at time at was published: its
// grid point is the one nearest at (a ticker keeps its phase, and sends
// late rather than early).
func (g *Generator) ticked(at time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.period <= 0 {
		return
	}
	k := (at.Sub(g.origin) + g.period/2) / g.period
	if due := g.origin.Add(k * g.period); due.After(g.lastDue) {
		g.lastDue = due
	}
}

// NextTick says when the next tick is due: one period after the grid point
// of the latest tick published, so in the past while a due tick is late.
// ok is false when the generator does not tick periodically (rate 0, or not
// running), and nobody can say when the next update comes.
func (g *Generator) NextTick() (due time.Time, period time.Duration, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.period <= 0 {
		return time.Time{}, 0, false
	}
	return g.lastDue.Add(g.period), g.period, true
}

// Tick publishes one tick now.
func (g *Generator) Tick() *Update {
	g.mu.Lock()
	data := g.nextLocked()
	g.mu.Unlock()
	u, _ := g.store.Publish(KindTick, data) // data is built valid
	return u
}

// padAlphabet is base64's: every character is plain inside a JSON string.
const padAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendPadLocked appends n characters that look like base64 of random
// bytes, different in every tick but the same in every run (a seeded
// stream). A run of one letter would deflate to almost nothing and make
// every compressed figure a fiction; this compresses as a real token or
// blob would, to about 6 bits a character.
func (g *Generator) appendPadLocked(b []byte, n int) []byte {
	for n > 0 {
		r := g.pad.Uint64()
		for k := 0; k < 10 && n > 0; k++ { // 10 characters of 6 bits from 64
			b = append(b, padAlphabet[r&63])
			r >>= 6
			n--
		}
	}
	return b
}

// nextLocked moves every price a little (a random walk) and encodes them,
// padded so that the data is exactly payload bytes when payload allows.
func (g *Generator) nextLocked() []byte {
	b := make([]byte, 0, max(g.payload, 128))
	b = append(b, `{"prices":{`...)
	for i, name := range DefaultInstruments {
		g.prices[i] = math.Max(1, g.prices[i]*(1+0.001*g.rng.NormFloat64()))
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, name)
		b = append(b, ':')
		b = strconv.AppendFloat(b, math.Round(g.prices[i]*100)/100, 'f', 2, 64)
	}
	b = append(b, '}')
	const padOverhead = len(`,"pad":""}`)
	if n := g.payload - len(b) - padOverhead; n > 0 {
		b = append(b, `,"pad":"`...)
		b = g.appendPadLocked(b, n)
		b = append(b, '"')
	}
	return append(b, '}')
}
