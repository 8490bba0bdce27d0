package main

import (
	"errors"
	"fmt"
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

// server is one process of the server under test: a name for the JSON
// line (owner, edge0, …) and its PID.
type server struct {
	Name string
	PID  int
}

// serverList is the -server-pid flag: PID or NAME=PID, repeated or
// comma-separated. A show on several processes (an owner and its edges)
// is measured as their sum, and each apart.
type serverList []server

func (l *serverList) String() string {
	var parts []string
	for _, s := range *l {
		parts = append(parts, s.Name+"="+strconv.Itoa(s.PID))
	}
	return strings.Join(parts, ",")
}

func (l *serverList) Set(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, pidStr, named := strings.Cut(item, "=")
		if !named {
			pidStr = name
		}
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid <= 0 {
			return fmt.Errorf("%q: want PID or NAME=PID", item)
		}
		if !named {
			name = "server"
			if len(*l) > 0 {
				name = "server" + strconv.Itoa(len(*l))
			}
		} else if name == "" {
			return fmt.Errorf("%q: empty name", item)
		}
		for _, s := range *l {
			if s.Name == name || s.PID == pid {
				return fmt.Errorf("%q: name or PID given twice", item)
			}
		}
		*l = append(*l, server{Name: name, PID: pid})
	}
	return nil
}

// setSample is one sample of each server process; ok[i] is false for a
// process that could not be read (it has exited, or was killed).
type setSample struct {
	each []procSample
	ok   []bool
}

func readSet(l serverList) setSample {
	s := setSample{each: make([]procSample, len(l)), ok: make([]bool, len(l))}
	for i, p := range l {
		ps, err := readProc(strconv.Itoa(p.PID))
		s.each[i], s.ok[i] = ps, err == nil
	}
	return s
}

// rssKB is the RSS of the processes that could be read, summed.
func (s setSample) rssKB() int64 {
	var kb int64
	for i, p := range s.each {
		if s.ok[i] {
			kb += p.rssKB
		}
	}
	return kb
}

// serversCPU is each server's CPU from a to b, and their sum; a process
// missing from either sample counts nothing and is marked gone.
func serversCPU(l serverList, a, b setSample) (total float64, each []ProcStat) {
	for i, p := range l {
		st := ProcStat{Name: p.Name, PID: p.PID}
		if a.ok[i] && b.ok[i] {
			st.CPUPct = round(cpuPct(a.each[i], b.each[i]), 1)
			st.RSSKB = b.each[i].rssKB
			total += cpuPct(a.each[i], b.each[i])
		} else {
			st.Gone = true
		}
		each = append(each, st)
	}
	return round(total, 1), each
}

// cpuWindow is server, generator and whole-machine CPU over one stretch
// of a run.
type cpuWindow struct {
	servers serverList
	srv     setSample
	self    procSample
	machine int64
}

func startCPU(servers serverList) cpuWindow {
	w := cpuWindow{servers: servers, machine: machineBusy()}
	w.self, _ = readProc("self")
	w.srv = readSet(servers)
	return w
}

// stop fills in the CPU over the window and returns the servers' last
// sample.
func (w cpuWindow) stop(r *result) setSample {
	self, _ := readProc("self")
	r.GenCPUPct = round(cpuPct(w.self, self), 1)
	r.GenRSSKB = self.rssKB
	srv := readSet(w.servers)
	if len(w.servers) > 0 {
		r.ServerCPUPct, r.Servers = serversCPU(w.servers, w.srv, srv)
		r.CPUWindowS = round(self.at.Sub(w.self.at).Seconds(), 3)
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

func sampleRSS(servers serverList) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if len(servers) == 0 {
			return
		}
		start := time.Now()
		tk := time.NewTicker(rssEvery)
		defer tk.Stop()
		for range maxRSSSamples {
			if p := readSet(servers); p.rssKB() > 0 {
				s.mu.Lock()
				s.at = append(s.at, time.Since(start).Seconds())
				s.kb = append(s.kb, p.rssKB())
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
