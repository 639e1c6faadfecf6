package client

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Update is what the harness reads of each update: enough to place it.
type Update struct {
	V     uint64 `json:"v"`
	T     int64  `json:"t"`
	Kind  string `json:"kind"`
	Reset bool   `json:"reset"`
}

var errNoVersion = errors.New("update without a version")

// ParseUpdate reads an update's version, time, kind and reset flag.
func ParseUpdate(b []byte) (Update, error) {
	if u, ok := scanUpdate(b); ok {
		return u, nil
	}
	var u Update
	if err := json.Unmarshal(b, &u); err != nil {
		return u, err
	}
	if u.V == 0 && u.Kind != "snapshot" { // the state before any update is snapshot 0
		return u, errNoVersion
	}
	return u, nil
}

// errorFrame reads the one WebSocket message from the server that is not
// an update, {"type":"error","error":"..."}: a publish the server could not
// take (its broker is away), answered on a connection that stays open. ok
// is false for anything else.
func errorFrame(b []byte) (msg string, ok bool) {
	if bytes.HasPrefix(b, []byte(`{"v":`)) { // every update, without decoding it
		return "", false
	}
	var f struct{ Type, Error string }
	if json.Unmarshal(b, &f) != nil || f.Type != "error" {
		return "", false
	}
	return f.Error, true
}

// scanUpdate reads the fields from the front of an update as the server
// writes it, {"v":N,"t":N,"kind":"K"[,"reset":true],"data":...}, without
// decoding data: at 10,000 clients the harness would otherwise spend most
// of its CPU decoding payloads it does not look at. Anything else is left
// to encoding/json (ok false).
func scanUpdate(b []byte) (u Update, ok bool) {
	var v, t uint64
	if b, ok = cutPrefix(b, `{"v":`); !ok {
		return u, false
	}
	if v, b, ok = scanUint(b); !ok {
		return u, false
	}
	if b, ok = cutPrefix(b, `,"t":`); !ok {
		return u, false
	}
	if t, b, ok = scanUint(b); !ok {
		return u, false
	}
	if b, ok = cutPrefix(b, `,"kind":"`); !ok {
		return u, false
	}
	i := bytes.IndexByte(b, '"')
	if i < 0 || bytes.IndexByte(b[:i], '\\') >= 0 {
		return u, false
	}
	u.Kind, b = string(b[:i]), b[i+1:]
	if rest, isReset := cutPrefix(b, `,"reset":true`); isReset {
		u.Reset, b = true, rest
	}
	if _, ok = cutPrefix(b, `,"data":`); !ok || b[len(b)-1] != '}' || v == 0 && u.Kind != "snapshot" {
		return u, false
	}
	u.V, u.T = v, int64(t)
	return u, true
}

func cutPrefix(b []byte, p string) ([]byte, bool) {
	if len(b) < len(p) || string(b[:len(p)]) != p {
		return b, false
	}
	return b[len(p):], true
}

// scanUint reads a decimal number of up to 19 digits (no overflow).
func scanUint(b []byte) (uint64, []byte, bool) {
	var n uint64
	i := 0
	for i < len(b) && i < 19 && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + uint64(b[i]-'0')
		i++
	}
	return n, b[i:], i > 0 && i < len(b) && (b[i] < '0' || b[i] > '9')
}
