package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/pushlab/pushlab/transport"
)

// shortPoll asks for news every interval (jittered, from a random phase, so
// that clients do not poll in step), whether or not there is any.
type shortPoll struct{}

func (shortPoll) publishesInBand() bool { return false }

func (shortPoll) follow(ctx context.Context, c *Client) {
	interval := c.cfg.Interval
	if !sleep(ctx, time.Duration(c.rng.Float64()*float64(interval))) {
		return
	}
	var buf bytes.Buffer
	next := time.Now()
	for ctx.Err() == nil {
		c.track.run.Hush.wait(ctx)
		c.poll(ctx, &buf, 0)
		next = next.Add(c.jittered(interval, PollJitter))
		if now := time.Now(); next.Before(now) {
			next = now // a slow answer does not make the next polls bunch up
		}
		if !sleep(ctx, time.Until(next)) {
			return
		}
	}
}

// longPoll holds a poll open until the server has news or the wait passes,
// then asks again at once; after an error it backs off.
type longPoll struct{}

func (longPoll) publishesInBand() bool { return false }

func (longPoll) follow(ctx context.Context, c *Client) {
	var (
		buf bytes.Buffer
		b   backoff
	)
	for ctx.Err() == nil {
		if c.poll(ctx, &buf, c.cfg.Wait) {
			b.reset()
		} else if !b.wait(ctx, c) {
			return
		}
	}
}

// PollBody is a 200 answer to /api/poll; each update is kept as the bytes
// the server sent.
type PollBody struct {
	V       uint64            `json:"v"`
	Updates []json.RawMessage `json:"updates"`
}

// poll makes one GET /api/poll (with wait > 0 a long poll) and records what
// it brings. It reports whether the exchange went well.
func (c *Client) poll(ctx context.Context, buf *bytes.Buffer, wait time.Duration) bool {
	q := c.sinceQuery()
	timeout := requestTimeout
	if wait > 0 {
		q.Set("wait", wait.String())
		timeout = wait + waitSlack
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	kind := transport.Short
	if wait > 0 {
		kind = transport.Long
	}
	req, err := c.newRequest(ctx, kind, http.MethodGet, "/api/poll", q, nil)
	if err != nil {
		c.fail(ctx)
		return false
	}
	c.n.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		c.unanswered(ctx)
		return false
	}
	defer resp.Body.Close()
	c.gotResponse(resp)
	buf.Reset()
	_, err = buf.ReadFrom(c.body(resp))
	at := time.Now()
	if err != nil {
		c.unanswered(ctx)
		return false
	}
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusNotModified:
		c.n.empty.Add(1)
		return true
	case http.StatusOK:
	default:
		c.fail(ctx)
		return false
	}
	var pb PollBody
	if err := json.Unmarshal(buf.Bytes(), &pb); err != nil {
		c.fail(ctx)
		return false
	}
	for _, raw := range pb.Updates {
		c.received(raw, at)
	}
	return true
}

// drain reads and discards what is left of a body so its connection can be
// used again, counting the bytes.
func (c *Client) drain(r io.Reader) {
	n, _ := io.Copy(io.Discard, r)
	c.n.bodyDown.Add(n)
}
