package broker

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pushlab/pushlab/state"
)

// errForeign says a message is not one a pushlab instance published.
var errForeign = errors.New("not a pushlab update")

// receive takes one message of the stream, in stream order (the ordered
// consumer guarantees it, and starts again after the last sequence read
// when the broker comes back). A message that is not ours is logged and
// skipped: its sequence becomes a version that holds no update, and the
// instance goes on.
func (s *Store) receive(msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		s.log.Warn("broker message without metadata skipped", "err", err)
		return
	}
	seq := meta.Sequence.Stream
	s.raiseHead(seq + meta.NumPending)
	kind, t, err := decode(msg)
	if err == nil {
		_, err = s.mem.Apply(seq, t, kind, msg.Data())
	}
	if err != nil {
		s.skipped.Add(1)
		s.mem.Skip(seq)
		s.log.Warn("skipped a stream message that is not a pushlab update", "stream", StreamName, "seq", seq,
			"subject", msg.Subject(), "err", err)
	}
	s.consumed.Store(seq)
	s.progressMu.Lock()
	close(s.progress)
	s.progress = make(chan struct{})
	s.progressMu.Unlock()
}

// decode reads a message's kind and publish time; Apply checks its data.
func decode(msg jetstream.Msg) (kind string, t int64, err error) {
	if msg.Subject() != Subject {
		return "", 0, fmt.Errorf("%w: subject %q", errForeign, msg.Subject())
	}
	h := msg.Headers()
	kind = h.Get(hdrKind)
	if kind != state.KindTick && kind != state.KindChat {
		return "", 0, fmt.Errorf("%w: header %s is %q", errForeign, hdrKind, kind)
	}
	t, err = strconv.ParseInt(h.Get(hdrTime), 10, 64)
	if err != nil || t <= 0 {
		return "", 0, fmt.Errorf("%w: header %s is %q", errForeign, hdrTime, h.Get(hdrTime))
	}
	return kind, t, nil
}
