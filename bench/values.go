package bench

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Value is the value of a scenario parameter that --sweep can vary: one Go
// type per kind (Count, Rate, Bytes, Duration, Bandwidth). It reads the
// syntax of a flag or a sweep list (flag.Value) and says where it falls on a
// chart's axis.
type Value interface {
	Set(string) error
	String() string
	// Axis is the value in the unit a chart's axis uses: a count, Hz,
	// bytes, milliseconds, bits per second.
	Axis() float64
}

// Count is a number of things: clients.
type Count int

// Set reads a whole number.
func (c *Count) Set(s string) error { return setWhole((*int)(c), s, "a whole number") }

func (c Count) String() string { return strconv.Itoa(int(c)) }

// Axis is the count itself.
func (c Count) Axis() float64 { return float64(c) }

// setWhole reads s into n, or says it wanted a whole number.
func setWhole(n *int, s, want string) error {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("want %s, got %q", want, s)
	}
	*n = v
	return nil
}

// Rate is a frequency in events per second (Hz).
type Rate float64

// Set reads a number of events per second.
func (r *Rate) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return fmt.Errorf("want a number per second, got %q", s)
	}
	*r = Rate(f)
	return nil
}

// String writes the rate as fmt writes a float64 ("10", "0.5").
func (r Rate) String() string { return strconv.FormatFloat(float64(r), 'g', -1, 64) }

// Axis is the rate in Hz.
func (r Rate) Axis() float64 { return float64(r) }

// Bytes is a size in bytes: a tick's payload.
type Bytes int

// Set reads a whole number of bytes.
func (b *Bytes) Set(s string) error { return setWhole((*int)(b), s, "a whole number of bytes") }

func (b Bytes) String() string { return strconv.Itoa(int(b)) }

// Axis is the size in bytes.
func (b Bytes) Axis() float64 { return float64(b) }

// Duration is a time.Duration that reads and writes as "250ms" in flags,
// JSON and YAML, and also accepts a number of nanoseconds in JSON.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// Axis is the duration in milliseconds.
func (d Duration) Axis() float64 { return time.Duration(d).Seconds() * 1000 }

// Set reads a Go duration ("250ms", "2s").
func (d *Duration) Set(s string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("want a duration like 250ms, got %q", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts "250ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return d.Set(s)
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("duration: want a string like \"250ms\" or nanoseconds, got %s", b)
	}
	*d = Duration(n)
	return nil
}

// UnmarshalText lets YAML use the flag syntax.
func (d *Duration) UnmarshalText(b []byte) error { return d.Set(string(b)) }

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Bandwidth is a link rate as written ("1mbit", "512kbit", "10mbps",
// "100KB" for bytes, or a bare number of bits per second); empty means no
// limit. It is kept as written so that results say what was asked for.
type Bandwidth string

// Set reads a link rate, refusing one BytesPerSecond cannot read.
func (b *Bandwidth) Set(s string) error {
	v := Bandwidth(strings.TrimSpace(s))
	if _, err := v.BytesPerSecond(); err != nil {
		return err
	}
	*b = v
	return nil
}

func (b Bandwidth) String() string { return string(b) }

// Axis is the rate in bits per second (0 when unreadable).
func (b Bandwidth) Axis() float64 {
	bps, _ := b.BytesPerSecond()
	return bps * 8
}

// BytesPerSecond reads the rate as bytes per second.
func (b Bandwidth) BytesPerSecond() (float64, error) {
	t := strings.ToLower(strings.TrimSpace(string(b)))
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q: want a positive rate like 1mbit or 512kbit", string(b))
	}
	unit := strings.TrimSuffix(strings.TrimSpace(t[i:]), "/s")
	bits := map[string]float64{"": 1, "bit": 1, "bps": 1, "kbit": 1e3, "kbps": 1e3, "mbit": 1e6, "mbps": 1e6, "gbit": 1e9, "gbps": 1e9}
	bytes := map[string]float64{"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9}
	if m, ok := bits[unit]; ok {
		return n * m / 8, nil
	}
	if m, ok := bytes[strings.TrimSuffix(unit, "ytes")]; ok {
		return n * m, nil
	}
	return 0, fmt.Errorf("%q: unknown unit %q (bit, kbit, mbit, gbit, or KB, MB for bytes)", string(b), unit)
}
