package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/pushlab/pushlab/transport"
)

// eventSource keeps an EventSource-like stream open, reading events as
// they come; when the stream breaks it reconnects with Last-Event-ID, as a
// browser does, after a bounded backoff. It chats with POST.
type eventSource struct{}

func (eventSource) publishesInBand() bool { return false }

func (eventSource) follow(ctx context.Context, c *Client) { c.reconnecting(ctx, c.sseStream) }

// sseStream opens GET /sse and reads events until the stream ends. It
// reports whether the stream opened.
func (c *Client) sseStream(ctx context.Context) bool {
	req, err := c.newRequest(ctx, transport.SSE, http.MethodGet, "/sse", nil, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.track.joined {
		req.Header.Set("Last-Event-ID", strconv.FormatUint(c.track.held, 10))
	}
	c.n.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	c.gotResponse(resp)
	if resp.StatusCode != http.StatusOK {
		c.drain(resp.Body)
		return false
	}
	// A stream that goes silent longer than the keep-alive period is dead.
	idle := time.AfterFunc(readIdle, func() { resp.Body.Close() })
	defer idle.Stop()
	r := bufio.NewReaderSize(c.body(resp), 4096)
	var data, line []byte
	for {
		line, err = readLine(r, line[:0])
		if err != nil {
			return true
		}
		idle.Reset(readIdle)
		switch {
		case len(line) == 0: // a blank line ends an event
			if len(data) > 0 {
				c.received(data, time.Now())
				data = data[:0]
			}
		case line[0] == ':': // comment (keep-alive)
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			if string(field) == "data" {
				if len(data) > 0 {
					data = append(data, '\n')
				}
				data = append(data, value...)
			}
			// id: is the update's version, which the data carries too;
			// retry: is for browsers, the backoff here is our own.
		}
	}
}

// readLine reads one line of an event stream into buf, without its line
// ending ("\n", "\r\n" or "\r" per the SSE spec; "\n" is what servers send).
func readLine(r *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if err == io.EOF && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	return bytes.TrimSuffix(buf, []byte("\r")), nil
}

// countingReader adds what it reads to n.
type countingReader struct {
	r io.Reader
	n interface{ Add(int64) int64 }
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n.Add(int64(n))
	return n, err
}
