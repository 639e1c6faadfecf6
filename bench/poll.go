package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// runShort asks for news every interval (jittered, from a random phase, so
// that clients do not poll in step), whether or not there is any.
func (c *simClient) runShort(ctx context.Context) {
	interval := c.sc.Interval.D()
	if !sleep(ctx, time.Duration(c.rng.Float64()*float64(interval))) {
		return
	}
	var buf bytes.Buffer
	next := time.Now()
	for ctx.Err() == nil {
		c.track.run.hush.wait(ctx)
		c.poll(ctx, &buf, 0)
		next = next.Add(c.jittered(interval, pollJitter))
		if now := time.Now(); next.Before(now) {
			next = now // a slow answer does not make the next polls bunch up
		}
		if !sleep(ctx, time.Until(next)) {
			return
		}
	}
}

// runLong holds a poll open until the server has news or the wait passes,
// then asks again at once; after an error it backs off.
func (c *simClient) runLong(ctx context.Context) {
	var (
		buf bytes.Buffer
		b   backoff
	)
	for ctx.Err() == nil {
		if c.poll(ctx, &buf, c.sc.Wait.D()) {
			b.reset()
		} else if !b.wait(ctx, c) {
			return
		}
	}
}

// pollBody is a 200 answer to /api/poll; each update is kept as the bytes
// the server sent.
type pollBody struct {
	V       uint64            `json:"v"`
	Updates []json.RawMessage `json:"updates"`
}

// poll makes one GET /api/poll (with wait > 0 a long poll) and records what
// it brings. It reports whether the exchange went well.
func (c *simClient) poll(ctx context.Context, buf *bytes.Buffer, wait time.Duration) bool {
	q := c.sinceQuery()
	timeout := requestTimeout
	if wait > 0 {
		q.Set("wait", wait.String())
		timeout = wait + waitSlack
	}
	u := c.url(c.base.Scheme, "/api/poll", q)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(c.hdr.traced(ctx, http.MethodGet, u.RequestURI()), http.MethodGet, u.String(), nil)
	if err != nil {
		c.fail(ctx)
		return false
	}
	c.n.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		c.fail(ctx)
		return false
	}
	defer resp.Body.Close()
	c.hdr.response(resp)
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	at := time.Now()
	c.n.bodyDown.Add(int64(buf.Len()))
	if err != nil {
		c.fail(ctx)
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
	var pb pollBody
	if err := json.Unmarshal(buf.Bytes(), &pb); err != nil {
		c.fail(ctx)
		return false
	}
	for _, raw := range pb.Updates {
		c.received(raw, at)
	}
	return true
}

// received records one update's bytes as read at time at.
func (c *simClient) received(raw []byte, at time.Time) {
	u, err := parseUpdate(raw)
	if err != nil {
		c.n.errors.Add(1)
		return
	}
	c.n.updates.Add(1)
	c.n.payload.Add(int64(len(raw)))
	c.track.receive(u, at)
}

// drain reads and discards what is left of a body so its connection can be
// used again, counting the bytes.
func (c *simClient) drain(r io.Reader) {
	n, _ := io.Copy(io.Discard, r)
	c.n.bodyDown.Add(n)
}
