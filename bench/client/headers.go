package client

import (
	"context"
	"crypto/tls"
	"net"
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
//
// Over h2 nothing is added: HPACK codes the fields against a table the
// connection has built up, so their text says nothing of the bytes sent
// (the wire counts those, headers and framing together; see
// bench.TransportResult.WireOverheadPerRequest).
func (t *headerTally) traced(ctx context.Context, method, requestURI string) context.Context {
	// The request line and the blank line ending the headers are counted
	// once per connection the request is written on: net/http may retry an
	// idempotent request on a fresh connection.
	line := int64(len(method) + 1 + len(requestURI) + len(" HTTP/1.1\r\n") + len("\r\n"))
	h2 := false // the request goes out over h2: tally nothing
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if h2 = isH2(info.Conn); !h2 {
				t.reqHeaders.Add(line)
			}
		},
		WroteHeaderField: func(key string, values []string) {
			if h2 {
				return
			}
			var n int64
			for _, v := range values {
				n += int64(len(key) + len(": ") + len(v) + len("\r\n"))
			}
			t.reqHeaders.Add(n)
		},
	})
}

// isH2 reports whether a connection net/http got for a request speaks h2
// (it hands over the *tls.Conn an h2 connection runs on).
func isH2(conn net.Conn) bool {
	tc, ok := conn.(*tls.Conn)
	return ok && tc.ConnectionState().NegotiatedProtocol == "h2"
}

// response adds the status line and headers of resp as the server wrote
// them: net/http's server writes canonical names, one "Name: value" line per
// value, so the parsed header gives back the byte count. An h2 response is
// left out, as its request was.
func (t *headerTally) response(resp *http.Response) {
	if resp.ProtoMajor != 1 {
		return
	}
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
