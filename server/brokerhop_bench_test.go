package server_test

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state/broker/brokertest"
)

// hopClients is how many WebSocket clients listen on each instance.
const hopClients = 10

// hopListener is one WebSocket client that notes, for each update, how long
// after its publish time it arrived.
type hopListener struct {
	lat  []time.Duration
	seen chan struct{}
}

func listenHop(b *testing.B, lab *servertest.Server, seen chan struct{}) *hopListener {
	b.Helper()
	c, _, err := websocket.DefaultDialer.Dial(wsURL(lab, fmt.Sprintf("?since=%d", lab.Store.Latest())), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	l := &hopListener{seen: seen}
	go func() {
		var u struct{ T int64 }
		for {
			if err := c.ReadJSON(&u); err != nil {
				return
			}
			l.lat = append(l.lat, time.Since(time.Unix(0, u.T)))
			l.seen <- struct{}{}
		}
	}()
	return l
}

// percentiles reports p50 and p99 of the listeners' latencies in µs.
func percentiles(b *testing.B, name string, ls []*hopListener) {
	var all []time.Duration
	for _, l := range ls {
		all = append(all, l.lat...)
	}
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	q := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))]) / float64(time.Microsecond) }
	b.ReportMetric(q(0.50), name+"p50-µs")
	b.ReportMetric(q(0.99), name+"p99-µs")
}

// runHop publishes b.N chats over HTTP on pub, one at a time, each once
// every listener has the previous one: latency without queueing.
func runHop(b *testing.B, pub *servertest.Server, seen chan struct{}, listeners int) {
	hc := &http.Client{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := hc.Post(pub.URL+"/api/publish", "application/json", strings.NewReader(`{"data":{"text":"hop"}}`))
		if err != nil || resp.StatusCode != http.StatusAccepted {
			b.Fatalf("publish: %v %v", err, resp)
		}
		resp.Body.Close()
		timeout := time.After(10 * time.Second)
		for n := 0; n < listeners; n++ {
			select {
			case <-seen:
			case <-timeout:
				b.Fatalf("update %d: %d of %d listeners got it", i, n, listeners)
			}
		}
	}
	b.StopTimer()
}

// BenchmarkBrokerHop measures what the broker hop costs a WebSocket client:
// publish on instance A over HTTP, then the time until clients on A and on
// a second instance B hold the update (receive time minus the update's t),
// against one in-memory instance with the same clients. The broker is
// PUSHLAB_NATS_URL (a nats-server -js) if set, else one in this process.
//
//	go test -run '^$' -bench BrokerHop -benchtime 2000x ./server/
func BenchmarkBrokerHop(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		lab := servertest.Start(b, server.Config{})
		seen := make(chan struct{}, hopClients)
		var ls []*hopListener
		for i := 0; i < hopClients; i++ {
			ls = append(ls, listenHop(b, lab, seen))
		}
		runHop(b, lab, seen, hopClients)
		percentiles(b, "", ls)
	})
	b.Run("broker", func(b *testing.B) {
		url := os.Getenv("PUSHLAB_NATS_URL")
		if url == "" {
			url = brokertest.Start(b).URL()
		}
		labA := servertest.Start(b, server.Config{Broker: url})
		labB := servertest.Start(b, server.Config{Broker: url})
		seen := make(chan struct{}, 2*hopClients)
		var onA, onB []*hopListener
		for i := 0; i < hopClients; i++ {
			onA = append(onA, listenHop(b, labA, seen))
			onB = append(onB, listenHop(b, labB, seen))
		}
		runHop(b, labA, seen, 2*hopClients)
		percentiles(b, "A-", onA)
		percentiles(b, "B-", onB)
	})
}
