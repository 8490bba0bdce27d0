package main

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// output counts what the renderer writes: one Write per frame that changed
// the screen.
type output struct {
	writes, bytes atomic.Int64
	first         chan struct{}
	once          sync.Once
}

func newOutput() *output { return &output{first: make(chan struct{})} }

func (o *output) Write(b []byte) (int, error) {
	o.writes.Add(1)
	o.bytes.Add(int64(len(b)))
	o.once.Do(func() { close(o.first) })
	return len(b), nil
}

// cpuTime is the process's user and system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssMB is the process's resident set (VmRSS), in MB.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
