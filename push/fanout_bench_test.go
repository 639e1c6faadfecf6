package push_test

import (
	"bufio"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state"
)

const fanoutClients = 1000

type lineKey struct{}

// rawLine is the update's bytes and a newline, made once per update.
func rawLine(u *state.Update) []byte {
	return u.Memo(lineKey{}, func(u *state.Update) any {
		return append(append([]byte(nil), u.Raw...), '\n')
	}).([]byte)
}

// BenchmarkFanoutWS1000 measures one update reaching 1,000 WebSocket clients
// over loopback through the whole server (send policy, PreparedMessage,
// wire accounting). Compare it with BenchmarkFanoutRawTCP1000, the same
// bytes written to 1,000 plain TCP sockets, in the same run.
func BenchmarkFanoutWS1000(b *testing.B) {
	lab := servertest.Start(b, server.Config{Payload: 256})
	var seen sync.WaitGroup
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, fanoutClients)
	for i := range conns {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+lab.Addr+"/ws?since=0", nil)
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, _, err := c.ReadMessage()
				if err != nil {
					return
				}
				seen.Done()
			}
		}()
	}
	// Each client first reads its welcome snapshot.
	seen.Add(fanoutClients)
	lab.Generator().Tick()
	seen.Wait()
	b.ResetTimer()
	for b.Loop() {
		seen.Add(fanoutClients)
		lab.Generator().Tick()
		seen.Wait()
	}
	b.StopTimer()
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
}

// BenchmarkFanoutRawTCP1000 is the baseline: the same update bytes, woken
// the same way, written with one Write per socket and read line by line.
func BenchmarkFanoutRawTCP1000(b *testing.B) {
	store := state.NewMemory(state.DefaultRetain)
	gen := state.NewGenerator(store, 0, 256)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	var writers sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			writers.Add(1)
			go func() {
				defer writers.Done()
				defer c.Close()
				held := store.Latest()
				var buf []*state.Update
				for {
					ch := store.Changed()
					buf = store.AppendSince(buf[:0], held)
					for _, u := range buf {
						c.SetWriteDeadline(time.Now().Add(10 * time.Second))
						if _, err := c.Write(rawLine(u)); err != nil {
							return
						}
						held = u.V
					}
					select {
					case <-ch:
					case <-done:
						return
					}
				}
			}()
		}
	}()
	var seen sync.WaitGroup
	var readers sync.WaitGroup
	conns := make([]net.Conn, fanoutClients)
	for i := range conns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
		readers.Add(1)
		go func() {
			defer readers.Done()
			r := bufio.NewReader(c)
			for {
				if _, err := r.ReadSlice('\n'); err != nil {
					return
				}
				seen.Done()
			}
		}()
	}
	time.Sleep(100 * time.Millisecond) // let every writer take its place
	b.ResetTimer()
	for b.Loop() {
		seen.Add(fanoutClients)
		gen.Tick()
		seen.Wait()
	}
	b.StopTimer()
	close(done)
	for _, c := range conns {
		c.Close()
	}
	readers.Wait()
	writers.Wait()
}
