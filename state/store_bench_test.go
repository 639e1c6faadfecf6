package state

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkPublish measures one publish of a 256-byte tick: version,
// encoding once, the ring and the broadcast.
func BenchmarkPublish(b *testing.B) {
	m := NewMemory(DefaultRetain)
	data := json.RawMessage(`{"prices":{"ACME":101.25},"pad":"` + string(make([]byte, 0)) + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		m.Publish(KindTick, data)
	}
}

// BenchmarkFanout1000 measures one publish reaching 1,000 subscribers that
// wait the way WS/SSE connections and long polls do (Changed, then Since).
// ns/op is per update delivered to all 1,000.
func BenchmarkFanout1000(b *testing.B) {
	const subscribers = 1000
	m := NewMemory(DefaultRetain)
	data := json.RawMessage(`{"prices":{"ACME":101.25}}`)
	var stop atomic.Bool
	var seen sync.WaitGroup // one Done per subscriber per round
	var wg sync.WaitGroup
	for i := 0; i < subscribers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var held uint64
			var buf []*Update
			for {
				ch := m.Changed()
				buf = m.AppendSince(buf[:0], held)
				if ups := buf; len(ups) > 0 {
					held = ups[len(ups)-1].V
					seen.Done()
				}
				if stop.Load() {
					return
				}
				<-ch
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		seen.Add(subscribers)
		m.Publish(KindTick, data)
		seen.Wait()
	}
	b.StopTimer()
	stop.Store(true)
	seen.Add(subscribers)
	m.Publish(KindTick, data) // wake everyone to see stop
	wg.Wait()
}
