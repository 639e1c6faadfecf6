package push

import "github.com/pushlab/pushlab/state"

// cursor is one subscriber's place in the store: the version it has sent.
// Because a subscriber pulls from the store's retained log instead of
// having updates pushed into a queue of its own, a client that stops
// reading costs no memory beyond this struct; the retained log is the bound.
type cursor struct {
	store state.Store
	held  uint64          // version the client holds (sent by us)
	fresh bool            // nothing sent yet: a snapshot is a welcome, not a sign of lag
	ups   []*state.Update // reused: no allocation per update
	buf   []*state.Update
}

func newCursor(store state.Store, since uint64, haveSince bool) *cursor {
	c := &cursor{store: store, fresh: true}
	if haveSince {
		c.held = since
	} else {
		// No version: start from the whole state.
		c.held = ^uint64(0)
	}
	return c
}

// next returns what to send now, applying the send policy: every chat and
// snapshot, and of the ticks only the latest (state semantics: a tick that a
// later tick replaces is not worth the bytes to a client that is behind).
// It returns a Disconnect when the client has fallen out of the retained
// log. The caller reports each update it writes with sent; what it did not
// get to comes back in the next call.
func (c *cursor) next() ([]*state.Update, *Disconnect) {
	c.ups = c.store.AppendSince(c.ups[:0], c.held)
	ups := c.ups
	if len(ups) == 0 {
		return nil, nil
	}
	if ups[0].Reset && !c.fresh {
		d := disconnectBehind(c.held)
		return nil, &d
	}
	lastTick := -1
	for i, u := range ups {
		if u.Kind == state.KindTick {
			lastTick = i
		}
	}
	c.buf = c.buf[:0]
	for i, u := range ups {
		if u.Kind != state.KindTick || i == lastTick {
			c.buf = append(c.buf, u)
		}
	}
	return c.buf, nil
}

// sent notes that u went out: the client now holds its version.
func (c *cursor) sent(u *state.Update) {
	c.held = u.V
	c.fresh = false
}
