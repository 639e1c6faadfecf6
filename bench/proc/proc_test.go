package proc

import (
	"os"
	"testing"
	"time"
)

func TestThisProcessUsesCPUAndMemory(t *testing.T) {
	before := Self()
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	after := Self()
	if after.CPU <= before.CPU || after.RSS < 1<<20 {
		t.Errorf("before %+v, after %+v: want CPU spent and memory resident", before, after)
	}
	s, err := Read(os.Getpid())
	if err != nil || s.RSS < 1<<20 {
		t.Errorf("/proc/self: %+v %v", s, err)
	}
	if _, err := Read(1 << 30); err == nil {
		t.Error("a process that does not exist was read")
	}
}

func TestThisMachineHasACPU(t *testing.T) {
	m := ThisMachine()
	if m.CPU == "" || !m.LoadKnown || m.Load1 < 0 {
		t.Errorf("machine %+v", m)
	}
}
