package netem

import (
	"io"
	"net"
	"testing"
	"time"
)

// A bandwidth limits each connection through the proxy: 30 KB at 1 mbit/s
// (125 KB/s) takes about a quarter of a second instead of nothing.
func TestBandwidthLimitsEachConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const size = 30_000
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write(make([]byte, size))
	}()
	ne, err := Start(ln.Addr().String(), Conditions{Bandwidth: 125_000})
	if err != nil {
		t.Fatal(err)
	}
	defer ne.Stop()

	start := time.Now()
	c, err := net.Dial("tcp", ne.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, c)
	took := time.Since(start)
	if err != nil || n != size {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	if want := size * time.Second / 125_000; took < want*8/10 || took > want*4 {
		t.Errorf("%d bytes at 1mbit took %s, want about %s", size, took, want)
	}
}
