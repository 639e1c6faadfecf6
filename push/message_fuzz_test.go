package push

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeClientMessage feeds arbitrary frames to the client-message
// decoder: it must never panic, and whatever it accepts must be safe to act
// on (valid JSON data to publish, a close code from the table, a reason that
// fits a close frame).
func FuzzDecodeClientMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"publish","data":{"text":"hi"}}`, `{"type":"close","code":4000,"reason":"bye"}`,
		`{"type":"close","code":1005}`, `{"type":`, `[]`, `null`, "\xff\xfe", `{"type":"publish","data":null}`,
	} {
		f.Add(false, []byte(seed))
		f.Add(true, []byte(seed))
	}
	f.Fuzz(func(t *testing.T, chat bool, frame []byte) {
		proto := SubprotocolJSON
		if chat {
			proto = SubprotocolChat
		}
		m, d := DecodeClientMessage(proto, frame)
		if d != nil {
			if !closeCodeKnown(d.Code) {
				t.Fatalf("disconnect with a code outside the table: %d", d.Code)
			}
			return
		}
		if !utf8.Valid(frame) {
			t.Fatalf("accepted invalid UTF-8 %q", frame)
		}
		switch m.Type {
		case "publish":
			if !json.Valid(m.Data) {
				t.Fatalf("accepted publish data that is not JSON: %q", m.Data)
			}
		case "close":
			if !closeCodeKnown(m.Code) || len(m.Reason) > maxReasonBytes || !utf8.ValidString(m.Reason) {
				t.Fatalf("accepted close %d %q", m.Code, m.Reason)
			}
		default:
			t.Fatalf("accepted type %q", m.Type)
		}
	})
}
