// Package proc reads what the bench needs from /proc, through
// github.com/prometheus/procfs: a process's CPU time and memory (the child
// server's, the harness's own), and this machine's CPU model, whether it
// runs under a hypervisor, and its load.
package proc

import (
	"os"
	"runtime"
	"slices"
	"syscall"

	"github.com/prometheus/procfs"
)

// Sample is a process's CPU and memory at one moment.
type Sample struct {
	CPU float64 // user+system seconds since it started
	RSS int64   // resident set now, bytes
}

// Read samples process pid from /proc/PID/stat (CPU, in clock ticks of
// 10 ms) and /proc/PID/status (VmRSS).
func Read(pid int) (Sample, error) {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return Sample{}, err
	}
	stat, err := p.Stat()
	if err != nil {
		return Sample{}, err
	}
	status, err := p.NewStatus()
	if err != nil {
		return Sample{}, err
	}
	return Sample{CPU: stat.CPUTime(), RSS: int64(status.VmRSS)}, nil
}

// Self samples this process: CPU from getrusage (microsecond resolution,
// finer than /proc's ticks), memory from /proc.
func Self() Sample {
	s, _ := Read(os.Getpid())
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.CPU = seconds(ru.Utime) + seconds(ru.Stime)
	}
	return s
}

func seconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// Machine is this machine as /proc/cpuinfo and /proc/loadavg describe it.
type Machine struct {
	CPU        string  // model name of the first CPU; the architecture when unknown
	Hypervisor bool    // the CPU flags say it runs in a virtual machine
	Load1      float64 // 1-minute load average
	LoadKnown  bool
}

// ThisMachine reads this machine's description.
func ThisMachine() Machine {
	m := Machine{CPU: runtime.GOARCH}
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return m
	}
	if cpus, err := fs.CPUInfo(); err == nil && len(cpus) > 0 {
		if cpus[0].ModelName != "" {
			m.CPU = cpus[0].ModelName
		}
		m.Hypervisor = slices.Contains(cpus[0].Flags, "hypervisor")
	}
	if l, err := fs.LoadAvg(); err == nil {
		m.Load1, m.LoadKnown = l.Load1, true
	}
	return m
}

// MachineBusy is the CPU seconds all this machine's processes have spent
// (every core, everything but idle and I/O wait) since boot, from
// /proc/stat; ok is false when it cannot be read. Two readings apart tell
// how busy the machine was in between, the bench's and others' work.
func MachineBusy() (seconds float64, ok bool) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0, false
	}
	st, err := fs.Stat()
	if err != nil {
		return 0, false
	}
	c := st.CPUTotal
	return c.User + c.Nice + c.System + c.IRQ + c.SoftIRQ + c.Steal, true
}
