package client

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestScanUpdateAgreesWithEncodingJSON(t *testing.T) {
	pad := strings.Repeat("x", 200)
	for _, raw := range []string{
		`{"v":1042,"t":1764000000123456789,"kind":"tick","data":{"prices":{"ACME":101.23},"pad":"` + pad + `"}}`,
		`{"v":7,"t":1764000000123456789,"kind":"snapshot","reset":true,"data":{"tick":null,"chat":[]}}`,
		`{"v":0,"t":1764000000123456789,"kind":"snapshot","data":{}}`,
		`{"v":8,"t":1,"kind":"chat","data":{"from":"ws-1","n":3}}`,
	} {
		got, ok := scanUpdate([]byte(raw))
		var want Update
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatal(err)
		}
		if !ok || got != want {
			t.Errorf("%s: scanned %+v (ok %v), encoding/json says %+v", raw[:40], got, ok, want)
		}
	}
	// Other shapes are left to encoding/json, which still reads them.
	for _, raw := range []string{
		`{"t":5,"v":3,"kind":"tick","data":{}}`,
		`{"v":3, "t":5,"kind":"tick","data":{}}`,
		`{"v":99999999999999999999,"t":5,"kind":"tick","data":{}}`,
		`{"v":3,"t":5,"kind":"ti\"ck","data":{}}`,
	} {
		if _, ok := scanUpdate([]byte(raw)); ok {
			t.Errorf("%s: scanned, want it left to encoding/json", raw)
		}
	}
	if u, err := ParseUpdate([]byte(`{"t":5,"v":3,"kind":"tick","data":{}}`)); err != nil || u.V != 3 || u.T != 5 {
		t.Errorf("fallback: %+v %v", u, err)
	}
	if _, err := ParseUpdate([]byte(`{"v":0,"t":5,"kind":"tick","data":{}}`)); err == nil {
		t.Error("a tick without a version accepted")
	}
}

func BenchmarkParseUpdate(b *testing.B) {
	raw := []byte(`{"v":1042,"t":1764000000123456789,"kind":"tick","data":{"prices":{"ACME":101.23,"GLOBX":55.1,"INIT":12.5},"pad":"` + strings.Repeat("x", 200) + `"}}`)
	for b.Loop() {
		if _, err := ParseUpdate(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAnErrorFrameIsToldFromAnUpdate(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"type":"error","error":"broker unreachable: the update was not published; try again"}`: true,
		`{"error":"x","type":"error"}`:                        true,
		`{"v":8,"t":1,"kind":"chat","data":{"type":"error"}}`: false,
		`{"type":"publish","data":{}}`:                        false,
		`not json`:                                            false,
	} {
		if _, got := errorFrame([]byte(raw)); got != want {
			t.Errorf("%s: error frame %v, want %v", raw, got, want)
		}
	}
}
