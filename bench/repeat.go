package bench

import (
	"cmp"
	"math"
	"reflect"
	"slices"
	"strings"
)

// Repeated runs. With --repeat N every transport runs N times at each
// point, and its row combines them: each figure is the median of that
// figure over the runs, and Spread holds its range, lowest to highest. A
// range rather than a 95% interval: with the 3 to 10 runs a bench can
// afford, a range says what was seen, where an interval would claim a
// distribution that so few runs cannot show.

// Combine makes one row of a transport's repeated runs (in the order they
// ran): every number the median of its runs, with its range in Spread
// under its results.json name ("bytes_per_update", "latency_us.p99");
// what is not a number (protocol, flags, the latency CDF) comes from the
// run whose p50 latency is the median. One run is returned as it is.
func Combine(runs []TransportResult) TransportResult {
	if len(runs) <= 1 {
		if len(runs) == 0 {
			return TransportResult{}
		}
		return runs[0]
	}
	out := runs[medianRun(runs)]
	out.Runs, out.Spread = runs, map[string][2]float64{}
	vals := make([]reflect.Value, len(runs))
	for i := range runs {
		vals[i] = reflect.ValueOf(&runs[i]).Elem()
	}
	combineFields(reflect.ValueOf(&out).Elem(), vals, "", out.Spread)
	return out
}

// combineFields sets each numeric field of dst (a struct) to the median of
// the same field in runs, and records its range; nested structs recurse.
func combineFields(dst reflect.Value, runs []reflect.Value, prefix string, spread map[string][2]float64) {
	typ := dst.Type()
	for i := 0; i < typ.NumField(); i++ {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "runs" || name == "spread" {
			continue
		}
		f := dst.Field(i)
		at := func(k int) reflect.Value { return runs[k].Field(i) }
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			xs := make([]float64, len(runs))
			for k := range runs {
				xs[k] = float64(at(k).Int())
			}
			m, lo, hi := medianRange(xs)
			f.SetInt(int64(math.Round(m)))
			spread[prefix+name] = [2]float64{lo, hi}
		case reflect.Float64:
			xs := make([]float64, len(runs))
			for k := range runs {
				xs[k] = at(k).Float()
			}
			m, lo, hi := medianRange(xs)
			f.SetFloat(m)
			spread[prefix+name] = [2]float64{lo, hi}
		case reflect.Struct:
			sub := make([]reflect.Value, len(runs))
			for k := range runs {
				sub[k] = at(k)
			}
			combineFields(f, sub, prefix+name+".", spread)
		}
	}
}

// medianRange is the median of xs (the mean of the middle two when there
// is an even number), its lowest and its highest value.
func medianRange(xs []float64) (median, lo, hi float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}

// medianRun is the index of the run whose p50 latency is the median (the
// lower of the middle two).
func medianRun(runs []TransportResult) int {
	idx := make([]int, len(runs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(runs[a].Latency.P50, runs[b].Latency.P50) })
	return idx[(len(idx)-1)/2]
}

// Range is the lowest and highest value of figure f over the runs of a
// --repeat, for error bars; ok is false when the row is a single run.
func (t TransportResult) Range(f func(TransportResult) float64) (lo, hi float64, ok bool) {
	if len(t.Runs) < 2 {
		return 0, 0, false
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range t.Runs {
		v := f(r)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi, true
}
