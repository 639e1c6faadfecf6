package target_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/target"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// The control client reads a real server: its health, config, counters,
// the process figures in /metrics and the updates it retains.
func TestTheControlClientReadsARealServer(t *testing.T) {
	s := servertest.Start(t, server.Config{Rate: 0, Payload: 64})
	base, _ := url.Parse(s.URL)
	srv := target.New(base)
	defer srv.Close()
	ctx := context.Background()
	if err := srv.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if rate, payload, ok := srv.Config(ctx); !ok || rate != 0 || payload != 64 {
		t.Errorf("config: rate %g payload %d (%v), want 0 and 64", rate, payload, ok)
	}
	before, err := srv.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Publish("chat", []byte(`{"text":"hello"}`)); err != nil {
		t.Fatal(err)
	}
	ups, err := srv.UpdatesAfter(ctx, before.Version)
	if err != nil || len(ups) != 1 || ups[0].Kind != "chat" || ups[0].V != before.Version+1 || ups[0].T == 0 {
		t.Errorf("updates after %d: %+v %v", before.Version, ups, err)
	}
	m := srv.Metrics(ctx)
	if !m.OK || m.RSS < 1<<20 || m.Heap <= 0 || m.CPU < 0 {
		t.Errorf("metrics %+v: want the process's own figures", m)
	}
}

func TestAnUnreachableTargetIsTheUsersMistake(t *testing.T) {
	srv := target.New(&url.URL{Scheme: "http", Host: "127.0.0.1:1"})
	err := srv.Check(context.Background())
	var ie *bench.InputError
	if !errors.As(err, &ie) {
		t.Errorf("got %v, want an input error", err)
	}
	if m := srv.Metrics(context.Background()); m.OK {
		t.Errorf("metrics from nowhere: %+v", m)
	}
}
