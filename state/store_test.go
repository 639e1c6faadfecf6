package state

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSinceWithinAndBeyondTheLog(t *testing.T) {
	m := NewMemory(8)
	for i := 1; i <= 20; i++ {
		if _, err := m.Publish(KindChat, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	ups := Since(m, 15)
	if len(ups) != 5 || ups[0].V != 16 || ups[4].V != 20 {
		t.Fatalf("Since(15): %d updates from %d", len(ups), ups[0].V)
	}
	if got := Since(m, 20); got != nil {
		t.Fatalf("Since(latest) = %d updates, want none", len(got))
	}
	// 12 is the oldest kept (20-8+1 = 13 is the first after it): still exact.
	if ups := Since(m, 12); len(ups) != 8 || ups[0].Reset {
		t.Fatalf("Since(12): %d updates, reset=%v", len(ups), ups[0].Reset)
	}
	for _, v := range []uint64{0, 11, 21, 1 << 40} {
		ups := Since(m, v)
		if len(ups) != 1 || !ups[0].Reset || ups[0].Kind != KindSnapshot || ups[0].V != 20 {
			t.Fatalf("Since(%d): want one snapshot with reset at v=20, got %+v", v, ups)
		}
	}
	var snap struct {
		Chat []json.RawMessage `json:"chat"`
	}
	json.Unmarshal(m.Snapshot().Data, &snap)
	if len(snap.Chat) != 20 || string(snap.Chat[19]) != `{"n":20}` {
		t.Fatalf("snapshot chat: %s", m.Snapshot().Data)
	}
}

func TestUpdateEncodingIsMadeOnce(t *testing.T) {
	m := NewMemory(4)
	u, _ := m.Publish(KindTick, json.RawMessage(`{"a": 1}`))
	var back struct {
		V    uint64          `json:"v"`
		T    int64           `json:"t"`
		Kind string          `json:"kind"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(u.Raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.V != 1 || back.Kind != KindTick || string(back.Data) != `{"a": 1}` || back.T != u.T {
		t.Fatalf("raw %s decodes to %+v", u.Raw, back)
	}
	if &Since(m, 0)[0].Raw[0] != &u.Raw[0] {
		t.Fatal("Since returned a re-encoded update")
	}
	if _, err := m.Publish("snapshot", json.RawMessage(`{}`)); err != ErrBadKind {
		t.Fatalf("publish snapshot: %v", err)
	}
	if _, err := m.Publish(KindChat, json.RawMessage(`{`)); err != ErrBadData {
		t.Fatalf("publish bad JSON: %v", err)
	}
}

func TestChangedWakesEveryWaiter(t *testing.T) {
	m := NewMemory(16)
	const waiters = 50
	var wg sync.WaitGroup
	for i := 0; i < waiters; i++ {
		ch := m.Changed()
		wg.Add(1)
		go func() { defer wg.Done(); <-ch }()
	}
	m.Publish(KindChat, json.RawMessage(`1`))
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a waiter was not woken")
	}
}

func TestGeneratorPadsToThePayload(t *testing.T) {
	for _, size := range []int{0, 64, 256, 4096} {
		m := NewMemory(4)
		g := NewGenerator(m, 0, size)
		u := g.Tick()
		if !json.Valid(u.Data) {
			t.Fatalf("payload %d: invalid JSON %s", size, u.Data)
		}
		if size >= 128 && len(u.Data) != size {
			t.Errorf("payload %d: data is %d bytes", size, len(u.Data))
		}
	}
}

func TestSaveAndLoadCarryOnTheVersions(t *testing.T) {
	a := NewMemory(8)
	g := NewGenerator(a, 0, 64)
	for i := 0; i < 12; i++ {
		if i%3 == 0 {
			a.Publish(KindChat, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)))
		} else {
			g.Tick()
		}
	}
	path := t.TempDir() + "/state"
	if err := a.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	b := NewMemory(8)
	if err := b.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if b.Latest() != 12 {
		t.Fatalf("latest %d after load", b.Latest())
	}
	before, after := Since(a, 5), Since(b, 5)
	if len(before) != len(after) {
		t.Fatalf("%d updates after load, %d before", len(after), len(before))
	}
	for i := range before {
		if string(before[i].Raw) != string(after[i].Raw) {
			t.Fatalf("update %d differs:\n%s\n%s", before[i].V, before[i].Raw, after[i].Raw)
		}
	}
	if string(a.Snapshot().Raw) != string(b.Snapshot().Raw) {
		t.Fatalf("snapshots differ")
	}
	u, _ := b.Publish(KindChat, json.RawMessage(`1`))
	if u.V != 13 {
		t.Fatalf("next version %d, want 13", u.V)
	}
	if err := NewMemory(8).LoadFile(t.TempDir() + "/missing"); err != nil {
		t.Fatalf("missing file: %v", err)
	}
	if err := NewMemory(8).Load(strings.NewReader("{\"format\":\"x\"}\n")); err == nil {
		t.Fatal("loaded a file of another format")
	}
}

func TestApplyTakesVersionsAndTimesFromOutside(t *testing.T) {
	m := NewMirror(8)
	m.Skip(2) // the log starts at 2 with a message that is not ours
	if _, err := m.Apply(3, 111, KindChat, json.RawMessage(`"a"`)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Apply(6, 222, KindTick, json.RawMessage(`"b"`)); err != nil { // 4 and 5: holes
		t.Fatal(err)
	}
	if _, err := m.Apply(6, 333, KindChat, json.RawMessage(`"c"`)); err != ErrStaleVersion {
		t.Fatalf("apply v6 twice: %v", err)
	}
	if _, err := m.Apply(7, 1, "snapshot", json.RawMessage(`{}`)); err != ErrBadKind {
		t.Fatalf("apply a snapshot: %v", err)
	}
	versions := func(ups []*Update) (vs []uint64) {
		for _, u := range ups {
			vs = append(vs, u.V)
		}
		return vs
	}
	for since, want := range map[uint64][]uint64{1: {3, 6}, 2: {3, 6}, 4: {6}, 5: {6}, 6: nil} {
		if got := versions(Since(m, since)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("since %d: %v, want %v", since, got, want)
		}
	}
	if ups := Since(m, 0); len(ups) != 1 || !ups[0].Reset {
		t.Errorf("since 0, before the first version held: want a snapshot")
	}
	if u := Since(m, 5)[0]; string(u.Raw) != `{"v":6,"t":222,"kind":"tick","data":"b"}` {
		t.Errorf("applied update encodes as %s", u.Raw)
	}
	if m.Latest() != 6 || m.Snapshot().T != 222 {
		t.Errorf("latest %d, snapshot time %d", m.Latest(), m.Snapshot().T)
	}
}

func TestAMirrorsSnapshotIsItsWindowAlone(t *testing.T) {
	mem, mir := NewMemory(4), NewMirror(4)
	for v := uint64(1); v <= 6; v++ {
		kind, data := KindChat, json.RawMessage(fmt.Sprintf(`"c%d"`, v))
		if v == 1 {
			kind, data = KindTick, json.RawMessage(`"t1"`)
		}
		mem.Publish(kind, data)
		mir.Apply(v, int64(v), kind, data)
	}
	var s struct {
		Tick json.RawMessage   `json:"tick"`
		Chat []json.RawMessage `json:"chat"`
	}
	json.Unmarshal(mir.Snapshot().Data, &s)
	if string(s.Tick) != "null" || len(s.Chat) != 4 || string(s.Chat[0]) != `"c3"` {
		t.Fatalf("mirror snapshot %s: want no tick and chats c3..c6 (versions 3-6)", mir.Snapshot().Data)
	}
	json.Unmarshal(mem.Snapshot().Data, &s)
	if string(s.Tick) != `"t1"` || len(s.Chat) != 5 {
		t.Fatalf("memory snapshot %s: want the last tick and every chat", mem.Snapshot().Data)
	}
}
