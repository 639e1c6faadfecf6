package server_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pushlab/pushlab/bench"
	"github.com/pushlab/pushlab/bench/run"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
)

// serveOn starts a server on a given loopback address (the restart must
// come back on the same port, where the clients are reconnecting).
func serveOn(t *testing.T, addr string, cfg server.Config) (*server.Server, chan struct{}) {
	t.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	servertest.Eventually(t, "listen on "+addr, 5*time.Second, func() bool {
		ln, err = net.Listen("tcp", addr)
		return err == nil
	})
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	return srv, done
}

// The bench's own clients, on every transport, chat while the server is
// shut down gracefully (1001) and started again on the same port every two
// seconds. They reconnect with since; the state file carries the versions
// across; no chat version any client should have received is missing.
func TestRestartLosesNoChat(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a server several times")
	}
	probe := servertest.Start(t, server.Config{}) // only to find a free port
	addr := probe.Addr
	probe.Close()

	cfg := server.Config{Addr: addr, Rate: 20, Payload: 128, StateFile: t.TempDir() + "/state", Logger: quietLogger()}
	srv, done := serveOn(t, addr, cfg)

	sc := bench.DefaultScenario()
	sc.Name = "restart"
	sc.Target = "http://" + addr
	sc.Clients = 4
	sc.Rate = 20
	sc.ChatRate = 3
	sc.Interval = bench.Duration(200 * time.Millisecond)
	sc.Wait = bench.Duration(5 * time.Second)
	sc.Warmup = bench.Duration(300 * time.Millisecond)
	sc.Duration = bench.Duration(4 * time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var res *bench.Results
	var runErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); res, runErr = run.Run(ctx, sc, run.Options{}) }()

	restarts := 0
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	for running := true; running; {
		select {
		case <-stop:
			running = false
		case <-time.After(2 * time.Second):
			sctx, scancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
			if err := srv.Shutdown(sctx); err != nil {
				t.Errorf("shutdown %d: %v", restarts+1, err)
			}
			scancel()
			<-done
			srv, done = serveOn(t, addr, cfg)
			restarts++
		}
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
		defer scancel()
		srv.Shutdown(sctx)
		<-done
	}()
	if runErr != nil {
		t.Fatalf("bench: %v", runErr)
	}
	if restarts < 4 {
		t.Fatalf("only %d restarts during the run", restarts)
	}
	var chats int64
	for _, tr := range res.Points[0].Transports {
		t.Logf("%s: delivered %d, chat missed %d, reconnects %d, errors %d", tr.Transport, tr.Delivered, tr.ChatMissed, tr.Reconnects, tr.Errors)
		if tr.ChatMissed != 0 {
			t.Errorf("%s: %d chat versions missed across %d restarts", tr.Transport, tr.ChatMissed, restarts)
		}
		if tr.Delivered == 0 {
			t.Errorf("%s: delivered nothing", tr.Transport)
		}
		chats += tr.Delivered
	}
}
