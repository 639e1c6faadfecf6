package netcond

import (
	"time"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
)

// bitrateType is the toxic's name in toxiproxy's registry.
const bitrateType = "pushlab_bitrate"

// bitrateSlice is how much sending time one piece of a chunk takes at
// most: a large chunk goes out as a steady stream, not in one late burst.
const bitrateSlice = 20 * time.Millisecond

// bitrateToxic limits a stream to a number of bits per second. toxiproxy's
// own bandwidth toxic counts in whole KB/s, so it cannot go below 8 kbit/s
// nor between its steps; this one takes any rate.
type bitrateToxic struct {
	BitsPerSecond float64 `json:"bits_per_second"`
}

func init() { toxics.Register(bitrateType, new(bitrateToxic)) }

// sendTime is how long n bytes take at the toxic's rate.
func (t *bitrateToxic) sendTime(n int) time.Duration {
	return time.Duration(float64(n*8) / t.BitsPerSecond * float64(time.Second))
}

func (t *bitrateToxic) sliceBytes() int {
	return max(1, int(t.BitsPerSecond/8*bitrateSlice.Seconds()))
}

// Pipe passes chunks on no faster than the rate: each piece leaves when
// the link would have finished sending it.
func (t *bitrateToxic) Pipe(stub *toxics.ToxicStub) {
	var free time.Time // when the link has sent everything given to it
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			if t.BitsPerSecond <= 0 {
				stub.Output <- c
				continue
			}
			for data := c.Data; len(data) > 0; {
				n := min(len(data), t.sliceBytes())
				free = later(free, time.Now()).Add(t.sendTime(n))
				if wait := time.Until(free); wait > 0 {
					timer := time.NewTimer(wait)
					select {
					case <-timer.C:
					case <-stub.Interrupt:
						timer.Stop()
						// The toxics are being changed: hand on what is left
						// rather than drop it.
						stub.WriteOutput(&stream.StreamChunk{Data: data, Timestamp: time.Now()}, 5*time.Second)
						return
					}
				}
				// The piece leaves now; a toxic after this one (a latency)
				// counts its own delay from here.
				stub.Output <- &stream.StreamChunk{Data: data[:n], Timestamp: time.Now()}
				data = data[n:]
			}
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
