package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pushlab/pushlab/transport"
)

// Bounds of cache-timed short polling (--poll-schedule cache).
const (
	cacheFloor  = 100 * time.Millisecond // the shortest wait, whatever an answer says (max-age=0 while a tick is late)
	cacheLimit  = time.Minute            // the longest an answer is trusted to stay current
	cacheSpread = 20 * time.Millisecond  // clients ask within this after Expires, as browsers' timers differ, not all in one instant
)

// shortPoll asks for news every interval (jittered, from a random phase, so
// that clients do not poll in step), whether or not there is any. With
// FollowCache it asks instead when the last answer said the next update is
// due (just after its Expires), and every interval only while answers say
// nothing of it (no-cache).
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
		_, fresh := c.poll(ctx, &buf, 0)
		now := time.Now()
		if c.cfg.FollowCache && !fresh.IsZero() {
			wait := fresh.Sub(now) + time.Duration(c.rng.Float64()*float64(cacheSpread))
			next = now.Add(min(max(wait, cacheFloor), cacheLimit))
		} else {
			next = next.Add(c.jittered(interval, PollJitter))
		}
		if next.Before(now) {
			next = now // a slow answer does not make the next polls bunch up
		}
		if !sleep(ctx, time.Until(next)) {
			return
		}
	}
}

// freshUntil is when an answer stops being current by its own headers:
// Date + max-age (RFC 9111 ages an answer from its Date), else Expires;
// zero when it says no-cache or nothing.
func freshUntil(h http.Header) time.Time {
	cc := h.Get("Cache-Control")
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(d)
		if d == "no-cache" || d == "no-store" {
			return time.Time{}
		}
		if v, ok := strings.CutPrefix(d, "max-age="); ok {
			age, err1 := strconv.Atoi(v)
			date, err2 := http.ParseTime(h.Get("Date"))
			if err1 == nil && err2 == nil && age >= 0 {
				return date.Add(time.Duration(age) * time.Second)
			}
		}
	}
	if t, err := http.ParseTime(h.Get("Expires")); err == nil {
		return t
	}
	return time.Time{}
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
		if ok, _ := c.poll(ctx, &buf, c.cfg.Wait); ok {
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
// it brings. It reports whether the exchange went well, and until when the
// answer says it stays current (zero when it does not say).
func (c *Client) poll(ctx context.Context, buf *bytes.Buffer, wait time.Duration) (ok bool, fresh time.Time) {
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
		return false, time.Time{}
	}
	c.n.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		c.unanswered(ctx)
		return false, time.Time{}
	}
	defer resp.Body.Close()
	c.gotResponse(resp)
	buf.Reset()
	_, err = buf.ReadFrom(c.body(resp))
	at := time.Now()
	if err != nil {
		c.unanswered(ctx)
		return false, time.Time{}
	}
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusNotModified:
		c.n.empty.Add(1)
		return true, freshUntil(resp.Header)
	case http.StatusOK:
	default:
		c.fail(ctx)
		return false, time.Time{}
	}
	var pb PollBody
	if err := json.Unmarshal(buf.Bytes(), &pb); err != nil {
		c.fail(ctx)
		return false, time.Time{}
	}
	for _, raw := range pb.Updates {
		c.received(raw, at)
	}
	return true, freshUntil(resp.Header)
}

// drain reads and discards what is left of a body so its connection can be
// used again, counting the bytes.
func (c *Client) drain(r io.Reader) {
	n, _ := io.Copy(io.Discard, r)
	c.n.bodyDown.Add(n)
}
