package main

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/viewer"
)

// counters are read by the measuring goroutine while the program runs.
type counters struct {
	applied   atomic.Uint64 // show events the viewer applied
	chatLines atomic.Int64
	updates   atomic.Int64 // messages through Update
	views     atomic.Int64 // View calls
	offered   atomic.Int64 // events the feed has made

	liveOnce sync.Once
	live     chan struct{} // closed once the snapshot is applied
}

func newCounters() *counters { return &counters{live: make(chan struct{})} }

// naiveMsg is one event as its own program message.
type naiveMsg live.UpdatesMsg

// probe is the real viewer, counted. It adds nothing to what the viewer
// does but in the naive mode, where it stands in for a bridge that is not
// there: events arrive by Program.Send, so the bridge command the viewer
// arms after each message is dropped (the only command a chat or pin
// event returns) instead of being left to block on the session.
type probe struct {
	m viewer.Model
	c *counters
}

func (p probe) Init() tea.Cmd { return p.m.Init() }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var next tea.Model
	var cmd tea.Cmd
	if nm, ok := msg.(naiveMsg); ok {
		next, _ = p.m.Update(live.UpdatesMsg(nm))
	} else {
		next, cmd = p.m.Update(msg)
	}
	p.m = next.(viewer.Model)
	st := p.m.Stats()
	p.c.applied.Store(st.Applied)
	p.c.chatLines.Store(int64(st.ChatLines))
	p.c.updates.Add(1)
	if st.Seq >= snapshotSeq {
		p.c.liveOnce.Do(func() { close(p.c.live) })
	}
	return p, cmd
}

func (p probe) View() tea.View {
	p.c.views.Add(1)
	return p.m.View()
}

// bare is a program that draws one static screen: what an idle program
// costs before the viewer does anything.
type bare struct {
	c      *counters
	screen string
}

func (b bare) Init() tea.Cmd { return nil }

func (b bare) Update(tea.Msg) (tea.Model, tea.Cmd) {
	b.c.liveOnce.Do(func() { close(b.c.live) })
	return b, nil
}

func (b bare) View() tea.View {
	v := tea.NewView(b.screen)
	v.AltScreen = true
	return v
}

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
