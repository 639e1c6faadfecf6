package bench

// tally is the sum of all clients' counters at one moment; the window's
// figures are the difference of two tallies.
type tally struct {
	requests, empty, errors, reconnects int64
	updates, payload, bodyUp, bodyDown  int64
	up, down                            int64
	reqHeaders, respHeaders, responses  int64
}

func takeTally(clients []*simClient) tally {
	var t tally
	for _, c := range clients {
		t.requests += c.n.requests.Load()
		t.empty += c.n.empty.Load()
		t.errors += c.n.errors.Load()
		t.reconnects += c.n.reconnects.Load()
		t.updates += c.n.updates.Load()
		t.payload += c.n.payload.Load()
		t.bodyUp += c.n.bodyUp.Load()
		t.bodyDown += c.n.bodyDown.Load()
		t.up += c.dial.up.Load()
		t.down += c.dial.down.Load()
		t.reqHeaders += c.hdr.reqHeaders.Load()
		t.respHeaders += c.hdr.respHeaders.Load()
		t.responses += c.hdr.responses.Load()
	}
	return t
}

func (a tally) minus(b tally) tally {
	return tally{
		requests: a.requests - b.requests, empty: a.empty - b.empty,
		errors: a.errors - b.errors, reconnects: a.reconnects - b.reconnects,
		updates: a.updates - b.updates, payload: a.payload - b.payload,
		bodyUp: a.bodyUp - b.bodyUp, bodyDown: a.bodyDown - b.bodyDown,
		up: a.up - b.up, down: a.down - b.down,
		reqHeaders: a.reqHeaders - b.reqHeaders, respHeaders: a.respHeaders - b.respHeaders,
		responses: a.responses - b.responses,
	}
}
