package main

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssEvery is how often the server's RSS is sampled while publishing;
// maxRSSSamples bounds the series (a 10-minute run at 4 a second).
const (
	rssEvery      = 250 * time.Millisecond
	maxRSSSamples = int(maxDuration/rssEvery) + 16
)

type procSample struct {
	ticks int64 // utime + stime
	rssKB int64
	at    time.Time
}

// readProc samples a process: pid is a number or "self".
func readProc(pid string) (procSample, error) {
	s := procSample{at: time.Now()}
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return s, err
	}
	// The command name may hold spaces; fields after the last ')'.
	str := string(b)
	k := strings.LastIndexByte(str, ')')
	if k < 0 {
		return s, errors.New("malformed stat")
	}
	f := strings.Fields(str[k+1:])
	// f[0] is field 3 (state); utime is field 14, stime 15.
	if len(f) < 13 {
		return s, errors.New("short stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	s.ticks = ut + st
	st2, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return s, err
	}
	for _, line := range strings.Split(string(st2), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			if fs := strings.Fields(rest); len(fs) > 0 {
				s.rssKB, _ = strconv.ParseInt(fs[0], 10, 64)
			}
		}
	}
	return s, nil
}

func cpuPct(a, b procSample) float64 {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return 0
	}
	return float64(b.ticks-a.ticks) / clkTck / wall * 100
}

// machineBusy is the CPU time, in ticks, all CPUs spent not idle (steal
// included: a vCPU the hypervisor took is not ours either).
func machineBusy() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
		if i == 3 || i == 4 {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return busy
}

// cpuWindow is server, generator and whole-machine CPU over one stretch
// of a run.
type cpuWindow struct {
	srvPID    string
	srv, self procSample
	machine   int64
}

func startCPU(srvPID string) cpuWindow {
	w := cpuWindow{srvPID: srvPID, machine: machineBusy()}
	w.self, _ = readProc("self")
	if srvPID != "" {
		w.srv, _ = readProc(srvPID)
	}
	return w
}

// stop fills in the CPU over the window and returns the server's last
// sample.
func (w cpuWindow) stop(r *result) procSample {
	self, _ := readProc("self")
	r.GenCPUPct = round(cpuPct(w.self, self), 1)
	r.GenRSSKB = self.rssKB
	var srv procSample
	if w.srvPID != "" {
		srv, _ = readProc(w.srvPID)
		r.ServerCPUPct = round(cpuPct(w.srv, srv), 1)
	}
	if wall := self.at.Sub(w.self.at).Seconds(); wall > 0 && w.machine > 0 {
		r.MachineCPUPct = round(float64(machineBusy()-w.machine)/clkTck/wall*100, 1)
		r.OtherCPUPct = round(max(r.MachineCPUPct-r.ServerCPUPct-r.GenCPUPct, 0), 1)
	}
	r.CPUBound = r.ServerCPUPct+r.GenCPUPct > saturatedCPUPct || r.MachineCPUPct > saturatedCPUPct
	return srv
}

// rssSampler records the server's RSS every rssEvery until stopped.
type rssSampler struct {
	mu   sync.Mutex
	at   []float64 // seconds since start
	kb   []int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(srvPID string) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if srvPID == "" {
			return
		}
		start := time.Now()
		tk := time.NewTicker(rssEvery)
		defer tk.Stop()
		for range maxRSSSamples {
			if p, err := readProc(srvPID); err == nil {
				s.mu.Lock()
				s.at = append(s.at, p.at.Sub(start).Seconds())
				s.kb = append(s.kb, p.rssKB)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-tk.C:
			}
		}
	}()
	return s
}

// finish stops the sampler and summarizes the series; nil without samples.
func (s *rssSampler) finish() *RSSTrend {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return rssTrend(s.at, s.kb)
}

func rssTrend(at []float64, kb []int64) *RSSTrend {
	if len(kb) == 0 {
		return nil
	}
	t := &RSSTrend{FirstKB: kb[0], LastKB: kb[len(kb)-1], Samples: len(kb)}
	for _, v := range kb {
		t.MaxKB = max(t.MaxKB, v)
	}
	h := len(kb) / 2
	t.SlopeKBs = round(slope(at[h:], kb[h:]), 2)
	return t
}

// slope is the least-squares slope of y over x; 0 with fewer than two
// distinct x.
func slope(x []float64, y []int64) float64 {
	n := float64(len(x))
	if len(x) < 2 {
		return 0
	}
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += float64(y[i])
	}
	mx, my := sx/n, sy/n
	var num, den float64
	for i := range x {
		num += (x[i] - mx) * (float64(y[i]) - my)
		den += (x[i] - mx) * (x[i] - mx)
	}
	if den == 0 {
		return 0
	}
	return num / den
}
