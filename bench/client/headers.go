package client

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// headerTally adds up one client's HTTP header bytes. They are rebuilt
// from the header fields as net/http writes and parses them, not read off
// the byte counters, so that a test can check the counted bytes against
// requests × (request headers + response headers) + bodies.
type headerTally struct {
	reqHeaders  atomic.Int64 // request lines and headers written
	respHeaders atomic.Int64 // status lines and headers read
	responses   atomic.Int64 // responses whose headers were tallied
}

// traced returns ctx with a ClientTrace that adds each request's request
// line ("METHOD URI HTTP/1.1"), header lines and closing blank line to t
// as net/http writes them.
func (t *headerTally) traced(ctx context.Context, method, requestURI string) context.Context {
	// The request line and the blank line ending the headers are counted
	// once per connection the request is written on: net/http may retry an
	// idempotent request on a fresh connection.
	line := int64(len(method) + 1 + len(requestURI) + len(" HTTP/1.1\r\n") + len("\r\n"))
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { t.reqHeaders.Add(line) },
		WroteHeaderField: func(key string, values []string) {
			var n int64
			for _, v := range values {
				n += int64(len(key) + len(": ") + len(v) + len("\r\n"))
			}
			t.reqHeaders.Add(n)
		},
	})
}

// response adds the status line and headers of resp as the server wrote
// them: net/http's server writes canonical names, one "Name: value" line per
// value, so the parsed header gives back the byte count.
func (t *headerTally) response(resp *http.Response) {
	t.respHeaders.Add(int64(responseHeaderBytes(resp)))
	t.responses.Add(1)
}

func responseHeaderBytes(resp *http.Response) int {
	n := len(resp.Proto) + 1 + len(resp.Status) + len("\r\n") + len("\r\n")
	for k, vs := range resp.Header {
		for _, v := range vs {
			n += len(k) + len(": ") + len(v) + len("\r\n")
		}
	}
	// net/http moves Transfer-Encoding out of the header map.
	for _, te := range resp.TransferEncoding {
		n += len("Transfer-Encoding: ") + len(te) + len("\r\n")
	}
	return n
}
