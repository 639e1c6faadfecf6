package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pushlab/pushlab/state"
)

// Headers that carry what is not data. The publish time travels with the
// message so that every instance builds the same bytes from it.
const (
	hdrKind = "Pushlab-Kind"
	hdrTime = "Pushlab-Time" // Unix nanoseconds, the publishing instance's clock
)

const (
	// publishTimeout bounds a publish, retries included: past it the caller
	// is told the broker is unavailable.
	publishTimeout = 2 * time.Second
	// attemptTimeout bounds one try; a try whose acknowledgement is lost is
	// sent again with the same Nats-Msg-Id, which the stream stores once.
	attemptTimeout = 500 * time.Millisecond
	// retryPause spaces the tries.
	retryPause = 50 * time.Millisecond
)

// Publish implements state.Store: the update goes to the stream, and its
// version is the sequence the stream gave it. Publish returns once this
// instance has read the update back (or publishTimeout has passed), so a
// client that publishes and then polls the same instance finds it.
//
// Nothing is stored here first: an update exists only once the stream holds
// it, so a publish that fails leaves no trace on any instance. While the
// broker is unreachable it fails at once with state.ErrUnavailable.
func (s *Store) Publish(kind string, data json.RawMessage) (*state.Update, error) {
	if err := state.CheckUpdate(kind, data); err != nil {
		return nil, err
	}
	t := time.Now().UnixNano()
	msg := nats.NewMsg(Subject)
	msg.Header.Set(hdrKind, kind)
	msg.Header.Set(hdrTime, strconv.FormatInt(t, 10))
	msg.Header.Set(jetstream.MsgIDHeader, s.id+"-"+strconv.FormatUint(s.nextID.Add(1), 10))
	msg.Data = data

	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	ack, err := s.publish(ctx, msg)
	if err != nil {
		return nil, err
	}
	if s.failing.CompareAndSwap(true, false) {
		s.log.Info("publishing again", "seq", ack.Sequence)
	}
	s.raiseHead(ack.Sequence)
	s.waitConsumed(ctx, ack.Sequence) // past the deadline the update is still published
	return state.NewUpdate(ack.Sequence, t, kind, append(json.RawMessage(nil), data...)), nil
}

// publish sends msg until the stream acknowledges it or ctx ends. Only a
// try that may have been lost on the way is repeated; the Nats-Msg-Id makes
// a repeat of a try that did arrive harmless.
func (s *Store) publish(ctx context.Context, msg *nats.Msg) (*jetstream.PubAck, error) {
	for {
		if !s.nc.IsConnected() {
			s.publishFailed(nats.ErrConnectionReconnecting)
			return nil, state.ErrUnavailable
		}
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		ack, err := s.js.PublishMsg(actx, msg, jetstream.WithExpectStream(StreamName))
		cancel()
		if err == nil {
			return ack, nil
		}
		if errors.Is(err, nats.ErrMaxPayload) {
			return nil, fmt.Errorf("update larger than the broker's max_payload (%d bytes)", s.nc.MaxPayload())
		}
		lost := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
			errors.Is(err, jetstream.ErrNoStreamResponse)
		if !lost || ctx.Err() != nil {
			s.publishFailed(err)
			return nil, fmt.Errorf("%w (%v)", state.ErrUnavailable, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(retryPause):
		}
	}
}

// publishFailed logs the first failure of an outage; the generator would
// otherwise log every tick.
func (s *Store) publishFailed(err error) {
	if s.failing.CompareAndSwap(false, true) {
		s.log.Warn("publish refused: the broker did not take it", "err", err)
	}
}
