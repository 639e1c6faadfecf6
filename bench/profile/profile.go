// Package profile holds what a real browser sends with each of the demo
// page's requests, and puts it on the bench's Go clients, so that a
// simulated client pays a browser's header bytes rather than Go's minimal
// ones.
//
// The data (chromium.json) is recorded from the headless Chromium that the
// web package's end-to-end test drives: the test serves the demo page,
// keeps the bytes the server reads on each connection, and writes down each
// request's header fields in the order, spelling and size they crossed the
// wire. Refresh it with
//
//	go test ./web -run TestChromiumProfile -update
//
// which also checks, on every run without -update, that a Go client
// applying this profile costs the server what Chromium costs it.
package profile

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/pushlab/pushlab/transport"
)

// Publish is the request kind of the page's chat POST to /api/publish; the
// other kinds are the browser transports' names (transport.Short, ...).
const Publish = "publish"

// Source says where a field's value comes from when the profile is applied.
type Source string

const (
	// Copy fields carry the recorded value: User-Agent, Accept, sec-ch-ua...
	Copy Source = "copy"
	// Host is the target's host:port; net/http and gorilla write it.
	Host Source = "host"
	// Origin is the target's origin, scheme://host:port.
	Origin Source = "origin"
	// Referer is the demo page's URL on the target: its origin and Page.
	Referer Source = "referer"
	// Client fields are made per request by the client library or the
	// application, at the same size: Content-Length, Sec-WebSocket-Key,
	// Sec-WebSocket-Version, Upgrade, the WebSocket's Connection and
	// Sec-WebSocket-Protocol (the Dialer's Subprotocols).
	Client Source = "client"
)

// Field is one request header field as the browser sent it.
type Field struct {
	Name   string `json:"name"` // spelt as on the wire (Chromium sends sec-ch-ua in lower case)
	Value  string `json:"value"`
	Source Source `json:"source"`
}

// Request is what the browser sent for one kind of request.
type Request struct {
	Method string `json:"method"`
	// URI is the request target as recorded; its client id and versions
	// were the page's at the time.
	URI string `json:"uri"`
	// HeaderBytes is the request line, the fields and the blank line, as
	// recorded: what the browser paid for this request besides its body.
	HeaderBytes int     `json:"header_bytes"`
	Fields      []Field `json:"fields"` // in the browser's order
}

// Profile is one browser's requests for the demo page.
type Profile struct {
	Name string `json:"name"` // "chromium"
	// Product is the browser's name and version as it reports them over the
	// DevTools protocol, e.g. "HeadlessChrome/156.0.8078.108".
	Product string `json:"product"`
	// Recorded is the day the data was taken (YYYY-MM-DD).
	Recorded string `json:"recorded"`
	// Refresh is the command that records it again.
	Refresh string `json:"refresh"`
	// Origin is the server it was recorded against; Page is the demo page's
	// path and query there (the Referer of every request).
	Origin   string             `json:"origin"`
	Page     string             `json:"page"`
	Requests map[string]Request `json:"requests"`
}

//go:embed chromium.json
var chromiumJSON []byte

var chromium = sync.OnceValues(func() (*Profile, error) { return Parse(chromiumJSON) })

// Chromium is the profile recorded from Chromium. The data is part of the
// binary; a broken file fails this package's tests, not a bench run.
func Chromium() *Profile {
	p, err := chromium()
	if err != nil {
		panic("profile: chromium.json: " + err.Error())
	}
	return p
}

// Parse reads a profile and checks that each request is usable: a method,
// a Host field and a header size.
func Parse(b []byte) (*Profile, error) {
	var p Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	if len(p.Requests) == 0 {
		return nil, errors.New("no requests")
	}
	for kind, r := range p.Requests {
		if r.Method == "" || r.HeaderBytes <= 0 {
			return nil, fmt.Errorf("%s: no method or header size", kind)
		}
		host := false
		for _, f := range r.Fields {
			switch f.Source {
			case Copy, Origin, Referer, Client:
			case Host:
				host = true
			default:
				return nil, fmt.Errorf("%s: field %s: unknown source %q", kind, f.Name, f.Source)
			}
		}
		if !host {
			return nil, fmt.Errorf("%s: no Host field", kind)
		}
		if n := r.headSize(); n != r.HeaderBytes {
			return nil, fmt.Errorf("%s: fields make a %d-byte head, header_bytes says %d", kind, n, r.HeaderBytes)
		}
	}
	return &p, nil
}

// Kinds are the request kinds a profile must hold: every transport a
// browser speaks, and the chat POST.
func Kinds() []string {
	var kinds []string
	for _, t := range transport.All() {
		if t.Browser {
			kinds = append(kinds, t.Name)
		}
	}
	return append(kinds, Publish)
}

// Request returns the recorded request of a kind.
func (p *Profile) Request(kind string) (Request, error) {
	r, ok := p.Requests[kind]
	if !ok {
		return Request{}, fmt.Errorf("profile %s has no %q request (it has %d kinds; refresh it with %s)",
			p.Name, kind, len(p.Requests), p.Refresh)
	}
	return r, nil
}

// Encode writes the profile as chromium.json keeps it: indented, one field
// per line, so that a refresh reads as a short diff.
func (p *Profile) Encode() ([]byte, error) {
	var b bytes.Buffer
	str := func(v any) string {
		var s bytes.Buffer
		enc := json.NewEncoder(&s)
		enc.SetEscapeHTML(false) // keep the & of a URI readable
		enc.Encode(v)
		return strings.TrimSuffix(s.String(), "\n")
	}
	fmt.Fprintf(&b, "{\n  \"name\": %s,\n  \"product\": %s,\n  \"recorded\": %s,\n  \"refresh\": %s,\n",
		str(p.Name), str(p.Product), str(p.Recorded), str(p.Refresh))
	fmt.Fprintf(&b, "  \"origin\": %s,\n  \"page\": %s,\n  \"requests\": {", str(p.Origin), str(p.Page))
	for i, kind := range slices.Sorted(maps.Keys(p.Requests)) {
		r := p.Requests[kind]
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    %s: {\n      \"method\": %s,\n      \"uri\": %s,\n      \"header_bytes\": %d,\n      \"fields\": [",
			str(kind), str(r.Method), str(r.URI), r.HeaderBytes)
		for j, f := range r.Fields {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n        %s", str(f))
		}
		b.WriteString("\n      ]\n    }")
	}
	b.WriteString("\n  }\n}\n")
	if _, err := Parse(b.Bytes()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
