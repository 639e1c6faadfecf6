package state

import (
	"bytes"
	"compress/flate"
	"testing"
)

// The padding must compress as real data would, or every compressed byte
// figure would flatter compression: random base64 keeps about 6 of every 8
// bits. It differs from tick to tick (a compressor keeping its window across
// messages must not find the last one again) and is the same in every run.
func TestGeneratorPaddingCompressesLikeRealData(t *testing.T) {
	const size = 4096
	g := NewGenerator(NewMemory(4), 0, size)
	a, b := g.Tick().Data, g.Tick().Data
	if len(a) != size || len(b) != size {
		t.Fatalf("ticks of %d and %d bytes, want %d", len(a), len(b), size)
	}
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(a)
	w.Close()
	if ratio := float64(z.Len()) / size; ratio < 0.7 {
		t.Errorf("a %d-byte tick deflates to %d bytes (%.0f%%): the padding is too regular", size, z.Len(), 100*ratio)
	}
	if bytes.Equal(a[len(a)-100:], b[len(b)-100:]) {
		t.Error("two ticks end with the same padding")
	}
	again := NewGenerator(NewMemory(4), 0, size).Tick().Data
	if !bytes.Equal(a, again) {
		t.Error("a new generator's first tick differs: the padding is not deterministic")
	}
}
