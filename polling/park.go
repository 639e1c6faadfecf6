package polling

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/held"
	"github.com/pushlab/pushlab/state"
)

// parked is a long poll waiting outside net/http. Its handler hijacked the
// connection and returned, so while it waits the poll costs this struct
// and its socket: no goroutine (net/http would keep two) and none of
// net/http's buffers. The poller's writers (a held.Set, one per core)
// answer it when the store moves past its version, a timer when its wait
// passes, from bytes made once for every poll waiting at that version;
// then the connection goes back to the HTTP server for the client's next
// request. A client that goes away meanwhile is noticed by the watcher.
//
// One writer at a time, as in package push: whoever holds the token.
type parked struct {
	p       *Poller
	conn    *held.Conn
	since   uint64
	extra   http.Header // headers middleware set (CORS, say); nil when none
	rep     *repeat     // what its next request must be to be served here; nil: net/http serves it
	acct    held.Account
	timer   *waitTimer // shared with the connection's next polls (kept.go)
	until   time.Time  // when its wait ends
	expired atomic.Bool
	token   atomic.Bool

	closing bool // the token holder's: answer with Connection: close, then close
	resp    []byte
	updates int

	stirred atomic.Bool // the client sent something, or went
	next    atomic.Pointer[kept]
	over    atomic.Bool // answered, or ended
	once    sync.Once
	slot    held.Slot
	watch   held.Watch
}

// park takes a long poll with nothing to answer yet out of net/http. It
// reports false when the connection cannot leave (TLS, HTTP/2, a request
// that asks to close): the caller then waits in the handler.
func (p *Poller) park(w http.ResponseWriter, r *http.Request, q PollQuery) bool {
	// A parked poll is watched through its socket (epoll): a goroutine
	// reading it instead would take the first bytes of the client's next
	// request, which belong to net/http once the poll is answered.
	if p.parked == nil || p.watch == nil || r.Method != http.MethodGet || r.Close || !p.resume.CanResume(r) {
		return false
	}
	var extra http.Header
	if len(w.Header()) > 0 {
		extra = w.Header().Clone()
	}
	c, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	// net/http's deadlines are its own; a write that waits sets its own
	// (held.Conn), and one past would fail even a read that does not wait.
	c.SetDeadline(time.Time{})
	pp := &parked{p: p, conn: held.NewConn(c, p.writeWait), since: q.Since, extra: extra, acct: held.Attach(p.meter, r)}
	if pp.conn.CanTryRead() {
		pp.rep = newRepeat(p.resume.Head(r), r)
	}
	// The client sent its next request before this one was answered
	// (pipelining): those bytes are in net/http's buffer, which is gone, so
	// the poll is answered now and the connection closed.
	pp.closing = brw.Reader.Buffered() > 0
	pp.wait(q.Wait, false)
	return true
}

// wait puts the poll among the parked for up to d, and answers it at once
// if it is due. shared: the caller must not wait on the socket.
func (pp *parked) wait(d time.Duration, shared bool) {
	p := pp.p
	pp.token.Store(true)
	p.open.Add(1)
	pp.timer = pp.timer.start(pp, d)
	p.parked.Add(pp, &pp.slot)
	watched := false
	if pp.watch.Watching() { // handed on by the connection kept (kept.go)
		watched = p.watch.Rearm(pp.conn, pp, &pp.watch)
	} else {
		watched = p.watch.Add(pp.conn, pp, &pp.watch)
	}
	if !watched {
		// The connection closed since the hijack: its client is gone.
		pp.end()
		return
	}
	pp.drive(shared)
}

// Due reports whether the poll can be answered: the store moved past its
// version, its wait passed, or the server is shutting down.
func (pp *parked) Due(latest uint64, _ int64) bool {
	return latest != pp.since || pp.expired.Load() || pp.shuttingDown()
}

func (pp *parked) shuttingDown() bool { return pp.p.shuttingDown() }

// Kick answers the poll from the calling goroutine if it is due, never
// waiting on the client's socket.
func (pp *parked) Kick() {
	if pp.token.CompareAndSwap(false, true) {
		pp.drive(true)
	}
}

// drive writes the answer while the caller holds the token: shared, the
// caller must not wait, and what the socket does not take goes on in a
// goroutine of the poll's own, waiting up to the write deadline.
func (pp *parked) drive(shared bool) {
	if shared && !pp.conn.CanShare() {
		pp.alone()
		return
	}
	pp.conn.Share(shared)
	if err := pp.conn.Flush(); err != nil {
		pp.end()
		return
	}
	for pp.resp == nil {
		if pp.over.Load() {
			return
		}
		if !pp.closing && !pp.Due(pp.p.store.Latest(), 0) {
			pp.token.Store(false)
			if !pp.Due(pp.p.store.Latest(), 0) || !pp.token.CompareAndSwap(false, true) {
				return
			}
			continue
		}
		pp.resp, pp.updates = pp.answer()
		if _, err := pp.conn.Write(pp.resp); err != nil {
			pp.end()
			return
		}
		if pp.conn.Stuck() {
			pp.alone()
			return
		}
	}
	pp.answered() // the token is kept: the poll is over
}

func (pp *parked) alone() {
	pp.p.busy.Add(1)
	go func() {
		defer pp.p.busy.Done()
		pp.drive(false)
	}()
}

// answer is the response, whole: the updates after the poll's version, or
// 204 when there are none. It is the same bytes for every poll waiting at
// one version, unless middleware gave this one headers of its own.
func (pp *parked) answer() ([]byte, int) {
	pp.closing = pp.closing || pp.shuttingDown()
	buf := upsPool.Get().(*[]*state.Update)
	ups := pp.p.store.AppendSince((*buf)[:0], pp.since)
	defer func() {
		clear(ups)
		*buf = ups[:0]
		upsPool.Put(buf)
	}()
	if len(ups) == 0 {
		return emptyResponse(pp.extra, pp.closing), 0
	}
	b := pollBody(pp.since, ups)
	if pp.extra != nil {
		return response(http.StatusOK, pp.extra, b, pp.closing), len(ups)
	}
	last := ups[len(ups)-1]
	return last.Memo(responseKey{pp.since, pp.closing}, func(*state.Update) any {
		return response(http.StatusOK, nil, b, pp.closing)
	}).([]byte), len(ups)
}

// answered runs once the response is out: the poll is counted and its
// connection kept for the client's next poll (kept.go), given back to the
// HTTP server, or closed, at shutdown.
func (pp *parked) answered() {
	pp.finish(func() {
		if pp.updates > 0 {
			pp.acct.Deliver(pp.updates)
		} else {
			pp.acct.Empty()
		}
		pp.acct.Close()
		c := pp.conn.Conn
		if !pp.closing && pp.rep != nil {
			if idle, ok := pp.p.resume.Keep(c); ok {
				pp.p.keep(pp, idle) // the watch goes with it
				return
			}
		}
		pp.p.watch.Remove(pp.conn, &pp.watch)
		if pp.closing {
			c.Close()
		} else {
			pp.p.resume.Resume(c)
		}
	})
}

// end drops a poll whose client went away or whose write failed.
func (pp *parked) end() {
	pp.finish(func() {
		pp.p.watch.Remove(pp.conn, &pp.watch)
		pp.conn.Close()
		pp.acct.Close()
	})
}

// Stirred is the watcher's news: the client went away, and the poll ends;
// or it sent bytes, which stay in the socket for whoever has the
// connection after the answer (its next request, sent early, or sent
// while the answer was going out), and the news goes to it when that is
// the poller (kept.go). The watcher tells of every arrival (edge), some
// of them of bytes already read: news of bytes is never a reason to end.
func (pp *parked) Stirred(gone bool) {
	pp.stirred.Store(true)
	if gone {
		pp.end() // nothing, once answered
	}
	if k := pp.next.Load(); k != nil {
		k.Stirred(gone)
	}
}

// finish lets go of the poll everywhere, once, then does last.
func (pp *parked) finish(last func()) {
	pp.once.Do(func() {
		pp.over.Store(true)
		pp.timer.t.Stop()
		held.Remove(&pp.slot)
		last() // lets go of the watch, or hands it on
		pp.p.open.Done()
	})
}

// waitTimer ends a parked poll's wait. One serves every poll of a
// connection in turn: a timer made and stopped for each poll costs more
// than one reset. A timer that fires late for a poll already answered
// finds the next one, whose wait has not passed, and leaves it be.
type waitTimer struct {
	t   *time.Timer
	cur atomic.Pointer[parked]
}

// start times pp's wait of d, on wt or, when nil, on a new timer.
func (wt *waitTimer) start(pp *parked, d time.Duration) *waitTimer {
	pp.until = time.Now().Add(d)
	if wt == nil {
		wt = &waitTimer{}
		wt.cur.Store(pp)
		wt.t = time.AfterFunc(d, wt.fire)
		return wt
	}
	wt.cur.Store(pp)
	wt.t.Reset(d)
	return wt
}

func (wt *waitTimer) fire() {
	pp := wt.cur.Load()
	if pp == nil || time.Now().Before(pp.until) {
		return
	}
	pp.expired.Store(true)
	pp.Kick()
}

// upsPool lends the writers a slice to read the store into: no allocation
// per poll answered.
var upsPool = sync.Pool{New: func() any { return new([]*state.Update) }}

type responseKey struct {
	since   uint64
	closing bool
}

// response is a whole HTTP/1.1 response as net/http writes it for a
// handler that sets Cache-Control, Content-Type and Content-Length: the
// handler's headers sorted, then Connection (when closing) and Date.
func response(status int, extra http.Header, b body, closing bool) []byte {
	h := http.Header{"Cache-Control": noStore}
	if status == http.StatusOK {
		h["Content-Type"] = jsonType
		h["Content-Length"] = b.length
	}
	for k, v := range extra {
		if _, ours := h[k]; !ours {
			h[k] = v
		}
	}
	out := make([]byte, 0, 160+len(b.bytes))
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(status), 10)
	out = append(out, ' ')
	out = append(out, http.StatusText(status)...)
	out = append(out, "\r\n"...)
	w := appender{out}
	h.Write(&w)
	out = w.b
	if closing {
		out = append(out, "Connection: close\r\n"...)
	}
	out = append(out, "Date: "...)
	out = append(out, httpDate()...)
	out = append(out, "\r\n\r\n"...)
	return append(out, b.bytes...)
}

type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) { a.b = append(a.b, p...); return len(p), nil }

// emptyResponse is the 204, made once per second (its Date) for polls
// without headers of their own.
func emptyResponse(extra http.Header, closing bool) []byte {
	if extra != nil {
		return response(http.StatusNoContent, extra, body{}, closing)
	}
	now := time.Now().Unix()
	i := 0
	if closing {
		i = 1
	}
	if e := empties[i].Load(); e != nil && e.at == now {
		return e.b
	}
	e := &stamped{at: now, b: response(http.StatusNoContent, nil, body{}, closing)}
	empties[i].Store(e)
	return e.b
}

type stamped struct {
	at int64
	b  []byte
}

var empties [2]atomic.Pointer[stamped]

// httpDate is the Date header's value now, formatted once per second.
func httpDate() string {
	now := time.Now()
	if d := date.Load(); d != nil && d.at == now.Unix() {
		return string(d.b)
	}
	d := &stamped{at: now.Unix(), b: []byte(now.UTC().Format(http.TimeFormat))}
	date.Store(d)
	return string(d.b)
}

var date atomic.Pointer[stamped]
