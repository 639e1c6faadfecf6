package profile

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pushlab/pushlab/transport"
)

// SourceOf says where the value of a field named name comes from in a
// request of a kind: what must be computed for the target, what the client
// makes per request, and what is copied.
func SourceOf(kind, name string) Source {
	switch strings.ToLower(name) {
	case "host":
		return Host
	case "origin":
		return Origin
	case "referer":
		return Referer
	case "content-length", "upgrade", "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol":
		return Client
	case "connection":
		if kind == transport.WS {
			return Client // "Upgrade", which the Dialer writes
		}
	}
	return Copy
}

// ParseHead turns the head of an HTTP/1.1 request as it crossed the wire
// (request line through the blank line) into the Request of a kind.
func ParseHead(kind string, head []byte) (Request, error) {
	text, ok := bytes.CutSuffix(head, []byte("\r\n\r\n"))
	if !ok {
		return Request{}, fmt.Errorf("%s: head does not end with a blank line", kind)
	}
	lines := strings.Split(string(text), "\r\n")
	parts := strings.SplitN(lines[0], " ", 3)
	if len(parts) != 3 || parts[2] != "HTTP/1.1" {
		return Request{}, fmt.Errorf("%s: request line %q", kind, lines[0])
	}
	r := Request{Method: parts[0], URI: parts[1], HeaderBytes: len(head)}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			return Request{}, fmt.Errorf("%s: field line %q is not \"Name: value\"", kind, line)
		}
		r.Fields = append(r.Fields, Field{Name: name, Value: value, Source: SourceOf(kind, name)})
	}
	return r, nil
}

// headSize is the size of r's head written out again: it must equal the
// recorded HeaderBytes, or the data has been edited inconsistently.
func (r Request) headSize() int {
	n := len(r.Method) + 1 + len(r.URI) + len(" HTTP/1.1\r\n") + len("\r\n")
	for _, f := range r.Fields {
		n += len(f.Name) + len(": ") + len(f.Value) + len("\r\n")
	}
	return n
}
