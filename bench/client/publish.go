package client

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/pushlab/pushlab/bench/profile"
)

// chatData is what a simulated client says: who it is and its count, so a
// chat update can be traced back to its sender.
type chatData struct {
	From string `json:"from"`
	N    int64  `json:"n"`
}

// chatGaps yields the waits between one client's chat messages: a Poisson
// process of the given rate, so that clients do not talk in step and a
// window shorter than 1/rate still sees its share of messages.
func chatGaps(rate float64, seed uint64) func() time.Duration {
	rng := rand.New(rand.NewPCG(seed, 7))
	mean := float64(time.Second) / rate
	return func() time.Duration { return time.Duration(mean * rng.ExpFloat64()) }
}

// chatOverHTTP publishes chat with POST /api/publish on the client's own
// HTTP client (its second connection when a long poll or stream is open).
func (c *Client) chatOverHTTP(ctx context.Context, seed uint64) {
	gap := chatGaps(c.cfg.ChatRate, seed)
	for sleep(ctx, gap()) {
		c.track.run.Hush.wait(ctx)
		c.publish(ctx)
	}
}

// publish sends one chat update over HTTP.
func (c *Client) publish(ctx context.Context) {
	n := c.n.chats.Add(1)
	data, _ := json.Marshal(chatData{From: c.id, N: n})
	body := append(append([]byte(`{"kind":"chat","data":`), data...), '}')
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, profile.Publish, http.MethodPost, "/api/publish", nil, body)
	if err != nil {
		c.fail(ctx)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	c.n.requests.Add(1)
	c.n.bodyUp.Add(int64(len(body)))
	resp, err := c.http.Do(req)
	if err != nil {
		c.unanswered(ctx)
		return
	}
	defer resp.Body.Close()
	c.gotResponse(resp)
	c.drain(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		c.fail(ctx)
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		c.n.refused.Add(1)
	}
}
