package state

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The retained log can be written at a graceful shutdown and read back at
// the next start, so a restarted server carries on with the same versions
// and clients that come back with since lose nothing. The file is JSON
// lines: a header, then each retained update exactly as it was sent.

type persistHeader struct {
	Format string            `json:"format"`
	Latest uint64            `json:"latest"`
	Tick   json.RawMessage   `json:"tick"` // the state a snapshot carries,
	Chat   []json.RawMessage `json:"chat"` // which reaches back past the log
}

const persistFormat = "pushlab-state-v1"

// Save writes the retained log to w.
func (m *Memory) Save(w io.Writer) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	bw := bufio.NewWriter(w)
	hdr, _ := json.Marshal(persistHeader{persistFormat, m.latest, m.lastTick, m.chatData()})
	bw.Write(append(hdr, '\n'))
	if m.latest > 0 {
		for v := m.oldestLocked(); v <= m.latest; v++ {
			if u := m.ring[v%uint64(len(m.ring))]; u != nil {
				bw.Write(u.Raw)
				bw.WriteByte('\n')
			}
		}
	}
	return bw.Flush()
}

// Load replaces an empty store's state with what Save wrote.
func (m *Memory) Load(r io.Reader) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.latest != 0 {
		return errors.New("load: store is not empty")
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	if !sc.Scan() {
		return fmt.Errorf("load: no header: %v", sc.Err())
	}
	var hdr persistHeader
	if err := json.Unmarshal(sc.Bytes(), &hdr); err != nil || hdr.Format != persistFormat {
		return fmt.Errorf("load: not a %s file", persistFormat)
	}
	var prev uint64
	for line := 2; sc.Scan(); line++ {
		var u struct {
			V    uint64          `json:"v"`
			T    int64           `json:"t"`
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			return fmt.Errorf("load: line %d: %w", line, err)
		}
		if (u.Kind != KindTick && u.Kind != KindChat) || (prev != 0 && u.V != prev+1) || u.V > hdr.Latest {
			return fmt.Errorf("load: line %d: version %d kind %q out of order", line, u.V, u.Kind)
		}
		if prev == 0 {
			m.first = u.V
		}
		prev = u.V
		m.ring[u.V%uint64(len(m.ring))] = newUpdate(u.V, u.T, u.Kind, false, append(json.RawMessage(nil), u.Data...))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if prev != hdr.Latest {
		return fmt.Errorf("load: file ends at version %d, header says %d", prev, hdr.Latest)
	}
	m.latest = hdr.Latest
	m.lastTick, m.chats = hdr.Tick, nil
	for _, c := range hdr.Chat {
		m.chats = append(m.chats, chatEntry{data: c})
	}
	m.snap = nil
	return nil
}

// SaveFile writes the retained log to path atomically (temp file, rename).
func (m *Memory) SaveFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pushlab-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := m.Save(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadFile loads path if it exists; a missing file is a fresh start.
func (m *Memory) LoadFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return m.Load(f)
}
