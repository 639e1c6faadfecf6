// Package brokertest runs a real NATS server with JetStream inside a test
// process, on a loopback port with its store in the test's temporary
// directory, so that tests of the broker-backed state need nothing
// installed. It can be stopped and started again on the same port and
// store, as a broker that goes away and comes back. Only tests import it.
package brokertest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyWait bounds how long the server may take to accept connections.
const readyWait = 10 * time.Second

// Broker is one NATS server with JetStream.
type Broker struct {
	tb    testing.TB
	dir   string
	port  int
	plain bool // no JetStream: a broker pushlab cannot use
	ns    *server.Server
}

// Start runs a broker until the test ends.
func Start(tb testing.TB) *Broker {
	tb.Helper()
	return start(tb, false)
}

// StartPlain runs a NATS server without JetStream until the test ends.
func StartPlain(tb testing.TB) *Broker {
	tb.Helper()
	return start(tb, true)
}

func start(tb testing.TB, plain bool) *Broker {
	tb.Helper()
	b := &Broker{tb: tb, dir: tb.TempDir(), port: -1, plain: plain}
	b.start()
	b.port = b.ns.Addr().(*net.TCPAddr).Port
	tb.Cleanup(b.Stop)
	return b
}

func (b *Broker) start() {
	b.tb.Helper()
	ns, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      b.port,
		JetStream: !b.plain,
		StoreDir:  b.dir,
		NoLog:     true,
		NoSigs:    true,
	})
	if err != nil {
		b.tb.Fatalf("brokertest: %v", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(readyWait) {
		ns.Shutdown()
		b.tb.Fatalf("brokertest: NATS server not ready within %v", readyWait)
	}
	b.ns = ns
}

// URL is the broker's client URL, nats://127.0.0.1:PORT.
func (b *Broker) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", b.port) }

// Stop shuts the broker down; its store stays for Restart.
func (b *Broker) Stop() {
	if b.ns == nil {
		return
	}
	b.ns.Shutdown()
	b.ns.WaitForShutdown()
	b.ns = nil
}

// Restart starts the broker again on the same port with the same store.
func (b *Broker) Restart() {
	b.tb.Helper()
	if b.ns != nil {
		b.tb.Fatal("brokertest: Restart while running")
	}
	b.start()
}
