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
		if rate > 0 {
			ticker = time.NewTicker(time.Duration(float64(time.Second) / rate))
			tick = ticker.C
		}
	}
	start()
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.retune:
			start()
		case <-tick:
			g.Tick()
		}
	}
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
