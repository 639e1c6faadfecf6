package bench

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"time"
)

// environment describes this machine for results.json.
func environment(target string, remote bool) Environment {
	host, _ := os.Hostname()
	e := Environment{
		Go:      runtime.Version(),
		CPU:     cpuModel(),
		Cores:   runtime.NumCPU(),
		OS:      runtime.GOOS + "/" + runtime.GOARCH,
		Host:    host,
		Started: time.Now().UTC().Format(time.RFC3339),
		Target:  target,
		Remote:  remote,
	}
	if remote {
		e.ClockNote = clockNote
	}
	return e
}

// cpuModel is the "model name" line of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
