package netcond_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pushlab/pushlab/netcond"
)

// echoServer answers each line with the same line, on 127.0.0.1.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func startProxy(t *testing.T, upstream string) *netcond.Proxy {
	p, err := netcond.Start("127.0.0.1:0", upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// roundTrip sends a line and times its echo.
func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader) time.Duration {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	if _, err := c.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("echo %q, %v", line, err)
	}
	return time.Since(start)
}

// A round trip through the proxy takes at least the RTT, and a change of
// conditions reaches a connection that is already open.
func TestRTTAppliesToOpenConnections(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	fast := roundTrip(t, c, r)

	const rtt = 200 * time.Millisecond
	if err := p.Set(netcond.Conditions{RTT: rtt}); err != nil {
		t.Fatal(err)
	}
	slow := roundTrip(t, c, r)
	if slow < rtt || slow > rtt+2*time.Second {
		t.Errorf("round trip with %v added took %v (without: %v)", rtt, slow, fast)
	}
	if err := p.Set(netcond.None); err != nil {
		t.Fatal(err)
	}
	if back := roundTrip(t, c, r); back >= rtt {
		t.Errorf("round trip after the conditions were removed took %v", back)
	}
}

// The bandwidth holds for rates toxiproxy's own toxic cannot express (it
// counts whole KB/s): 4 kbit/s is half a kilobyte a second.
func TestBandwidthBelowOneKilobytePerSecond(t *testing.T) {
	const size = 250 // bytes: half a second at 4 kbit/s
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(strings.Repeat("b", size)))
	}()
	p := startProxy(t, ln.Addr().String())
	if err := p.Set(netcond.Conditions{Bandwidth: 4000}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, c)
	took := time.Since(start)
	if err != nil || n != size {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	if want := 500 * time.Millisecond; took < want*9/10 || took > want*4 {
		t.Errorf("%d bytes at 4 kbit/s took %v, want about %v", size, took, want)
	}
}

func TestValidateRefusesWhatCannotBe(t *testing.T) {
	for _, c := range []netcond.Conditions{
		{RTT: -time.Millisecond},
		{RTT: 10*time.Second + time.Millisecond},
		{RTT: 100 * time.Millisecond, Jitter: 200 * time.Millisecond},
		{Bandwidth: 999},
		{Bandwidth: -1},
		{Bandwidth: 2e10},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v passed", c)
		}
	}
	for _, p := range netcond.Presets {
		if err := p.Conditions.Validate(); err != nil || p.Source == "" {
			t.Errorf("preset %s: %v, source %q", p.Name, err, p.Source)
		}
	}
}

// A refused setting leaves the previous one in place.
func TestSetRefusesBadConditionsAndKeepsTheOld(t *testing.T) {
	p := startProxy(t, echoServer(t))
	good := netcond.Conditions{RTT: 40 * time.Millisecond, Bandwidth: 1e6}
	if err := p.Set(good); err != nil {
		t.Fatal(err)
	}
	if err := p.Set(netcond.Conditions{RTT: 11 * time.Second}); err == nil {
		t.Fatal("an 11 s RTT was accepted")
	}
	if got := p.Conditions(); got != good {
		t.Errorf("conditions after a refused change: %+v, want %+v", got, good)
	}
}
