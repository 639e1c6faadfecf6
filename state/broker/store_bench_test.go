package broker

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pushlab/pushlab/state"
	"github.com/pushlab/pushlab/state/broker/brokertest"
)

// benchBroker is PUSHLAB_NATS_URL (a nats-server -js, whose PUSHLAB stream
// is deleted first) or a broker in this process.
func benchBroker(b *testing.B) string {
	url := os.Getenv("PUSHLAB_NATS_URL")
	if url == "" {
		return brokertest.Start(b).URL()
	}
	nc, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	js.DeleteStream(context.Background(), StreamName)
	return url
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// BenchmarkPublishThroughTheBroker is how many updates per second one
// instance gets into the stream and back with many publishers at once
// (each Publish returns once the instance has read its update back).
//
//	go test -run '^$' -bench PublishThrough -benchtime 20000x ./state/broker/
func BenchmarkPublishThroughTheBroker(b *testing.B) {
	s, err := Open(Config{URLs: benchBroker(b), Retain: 1024, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	data := json.RawMessage(`{"text":"a chat line of a usual length, some forty bytes"}`)
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Publish(state.KindChat, data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkCatchUp is how fast an instance reads the stream: b.N updates
// are put in the stream, then a new instance opens and reads them all.
//
//	go test -run '^$' -bench CatchUp -benchtime 50000x ./state/broker/
func BenchmarkCatchUp(b *testing.B) {
	url := benchBroker(b)
	seed, err := Open(Config{URLs: url, Retain: b.N, Logger: quiet()}) // creates the stream
	if err != nil {
		b.Fatal(err)
	}
	defer seed.Close()
	data := make([]byte, 0, 256)
	data = append(data, `{"prices":{"ACME":101.5},"pad":"`...)
	for len(data) < 254 {
		data = append(data, 'x')
	}
	data = append(data, `"}`...)
	for i := 0; i < b.N; i++ {
		msg := nats.NewMsg(Subject)
		msg.Header.Set(hdrKind, state.KindTick)
		msg.Header.Set(hdrTime, strconv.FormatInt(time.Now().UnixNano(), 10))
		msg.Data = data
		if _, err := seed.js.PublishMsgAsync(msg); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-seed.js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		b.Fatal("async publishes not acknowledged")
	}
	b.ResetTimer()
	s, err := Open(Config{URLs: url, Retain: b.N, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	defer s.Close()
	if s.Latest() < uint64(b.N) {
		b.Fatalf("read up to %d of %d", s.Latest(), b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
