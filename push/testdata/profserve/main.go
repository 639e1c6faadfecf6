// Command profserve is `pushlab serve` with a CPU profile, for loadgen's
// -server flag: it takes the same serve flags that loadgen passes and writes
// the profile to $CPUPROFILE when it is interrupted.
//
//	go build -o /tmp/profserve ./push/testdata/profserve
//	CPUPROFILE=/tmp/long.prof go run ./push/testdata/loadgen -server /tmp/profserve -transports long
//	go tool pprof -top -cum /tmp/profserve /tmp/long.prof
//
// PROFILE_AFTER=25s starts the profile that long after the start.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"time"

	"github.com/pushlab/pushlab/server"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: profserve serve [--addr A] [--rate HZ] [--payload BYTES]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	rate := fs.Float64("rate", 0, "ticks per second")
	payload := fs.Int("payload", 100, "bytes of tick data")
	fs.Parse(os.Args[2:])
	if err := serve(*addr, *rate, *payload, os.Getenv("CPUPROFILE")); err != nil {
		fmt.Fprintln(os.Stderr, "profserve:", err)
		os.Exit(1)
	}
}

func serve(addr string, rate float64, payload int, profile string) error {
	srv, err := server.New(server.Config{Addr: addr, Rate: rate, Payload: payload})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	f, err := os.Create(profile)
	if err != nil {
		return err
	}
	defer f.Close()
	// $PROFILE_AFTER (a duration) leaves the clients' connecting out of
	// the profile: loadgen's measured window starts about 25 s in at 10,000.
	after, _ := time.ParseDuration(os.Getenv("PROFILE_AFTER"))
	time.AfterFunc(after, func() { pprof.StartCPUProfile(f) })
	fmt.Printf("listening http://%s\n", ln.Addr())
	go srv.Serve(ln)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	pprof.StopCPUProfile()
	sctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(sctx)
}
