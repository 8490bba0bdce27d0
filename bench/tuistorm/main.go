// Command tuistorm runs the real viewer (viewer.Model in a tea.Program, by ui/headless) through
// a chat storm with no terminal, and prints one JSON line of what it cost:
// every event offered must be applied, at a steady frame rate, in little
// CPU and flat memory.
//
// The program runs headless: no input, its output counted and discarded,
// a fixed window size and a true-colour profile, so the renderer does the
// work it would do in a real terminal. A synthetic session stands in for
// the socket: it hands over the welcome snapshot, then chat lines at -rate
// a second and a pin every -pin-every, encoded as the server's wire bytes
// and decoded as the client's reader decodes them.
//
// Modes:
//
//	(default)  the viewer's own bridge: the feed delivers a network frame
//	           every -net-frame through the session, as client.Session
//	           does, and the viewer takes whatever is queued once a frame.
//	-naive     the same viewer, one Program.Send per event, each event its
//	           own message; reports how far it falls behind.
//	-idle      a live show with no events: the CPU of sitting still.
//
// Usage:
//
//	go run ./bench/tuistorm -duration 30s
//	go run ./bench/tuistorm -naive -duration 30s
//	go run ./bench/tuistorm -idle -duration 10s
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/headless"
	"github.com/livecart/livecart/ui/viewer"
)

type config struct {
	duration      time.Duration
	rate          int
	pinEvery      time.Duration
	width, height int
	netFrame      time.Duration
	naive, idle   bool
	bare          bool
	scrollback    int
	cpuProfile    string
}

// Bounds on what one run may ask for.
const (
	maxDuration = 10 * time.Minute
	maxRate     = 100_000
	startBudget = 10 * time.Second // to the first frame of the live show
	drainBudget = 10 * time.Second // for the viewer to apply what is in flight
)

func main() {
	var c config
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "how long the storm (or the idle show) lasts")
	flag.IntVar(&c.rate, "rate", 2000, "chat lines a second")
	flag.DurationVar(&c.pinEvery, "pin-every", time.Second, "time between pins; 0: none")
	flag.IntVar(&c.width, "width", 120, "window width in cells")
	flag.IntVar(&c.height, "height", 40, "window height in cells")
	flag.DurationVar(&c.netFrame, "net-frame", time.Millisecond, "how often the feed delivers what is due, as frames arriving on a socket")
	flag.BoolVar(&c.naive, "naive", false, "one program message per event")
	flag.BoolVar(&c.idle, "idle", false, "no events: measure a live show sitting still")
	flag.BoolVar(&c.bare, "bare", false, "with -idle: a program with a static screen instead of the viewer, for the floor bubbletea and the runtime cost on their own")
	flag.IntVar(&c.scrollback, "scrollback", 0, "chat lines kept; 0: the viewer's default")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the storm to this file")
	flag.Parse()
	if err := c.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "tuistorm:", err)
		os.Exit(2)
	}
	res, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tuistorm:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if !res.ok() {
		os.Exit(1)
	}
}

func (c config) validate() error {
	switch {
	case c.duration <= 0 || c.duration > maxDuration:
		return fmt.Errorf("-duration %v: want more than 0 and at most %v", c.duration, maxDuration)
	case c.rate < 0 || c.rate > maxRate:
		return fmt.Errorf("-rate %d: want 0 to %d", c.rate, maxRate)
	case c.pinEvery < 0:
		return errors.New("-pin-every must not be negative")
	case c.width < 20 || c.height < 8 || c.width > 1000 || c.height > 500:
		return fmt.Errorf("-width %d -height %d: want at least 20x8, at most 1000x500", c.width, c.height)
	case c.netFrame < 100*time.Microsecond:
		return errors.New("-net-frame: want at least 100µs")
	case c.naive && c.idle:
		return errors.New("-naive and -idle: pick one")
	case c.bare && !c.idle:
		return errors.New("-bare goes with -idle")
	}
	return nil
}

// result is the JSON line. CPU is the whole process's (viewer, program,
// renderer and the feed standing in for the socket reader), over the
// storm; 100 is one core.
type result struct {
	Mode      string  `json:"mode"`
	DurationS float64 `json:"duration_s"`
	Size      string  `json:"size"`
	Rate      int     `json:"rate"`
	GOMAXPROC int     `json:"gomaxprocs"`

	Offered      int64 `json:"offered"`        // events the schedule made during the storm
	AppliedAtEnd int64 `json:"applied_at_end"` // applied when the storm ended
	BacklogAtEnd int64 `json:"backlog_at_end"` // offered but not yet applied then
	Applied      int64 `json:"applied"`        // applied once what was in flight had landed
	AllApplied   bool  `json:"all_applied"`
	DrainMS      int64 `json:"drain_ms"` // from the end of the storm until all was applied

	Messages     int64   `json:"messages"` // through Update during the storm
	Views        int64   `json:"views"`
	Frames       int64   `json:"frames"` // renderer writes during the storm
	FramesPerS   float64 `json:"frames_per_s"`
	OutputKBPerS float64 `json:"output_kb_per_s"`

	CPUSeconds    float64 `json:"cpu_s"`
	CPUPct        float64 `json:"cpu_pct"`
	CPUUsPerEvent float64 `json:"cpu_us_per_event,omitempty"`

	RSSStartMB float64 `json:"rss_mb_start"`
	RSSMidMB   float64 `json:"rss_mb_mid"`
	RSSEndMB   float64 `json:"rss_mb_end"`
	RSSMaxMB   float64 `json:"rss_mb_max"`

	ChatLines int64 `json:"chat_lines"` // the pane at the end: capped by its scrollback
}

func (r result) ok() bool { return r.Mode != "batched" || r.AllApplied }

func run(c config) (result, error) {
	res := result{
		Mode: "batched", DurationS: c.duration.Seconds(), Size: fmt.Sprintf("%dx%d", c.width, c.height),
		Rate: c.rate, GOMAXPROC: runtime.GOMAXPROCS(0),
	}
	switch {
	case c.naive:
		res.Mode = "naive"
	case c.idle:
		res.Mode, res.Rate = "idle", 0
		c.rate, c.pinEvery = 0, 0
		if c.bare {
			res.Mode = "idle-bare"
		}
	}

	sess := newSession()
	out := newOutput()
	var offeredN atomic.Int64 // events the feed has made
	hp := headless.Start(headless.Options{
		Width: c.width, Height: c.height, Output: out, Session: sess.open(), LiveSeq: snapshotSeq, Bare: c.bare,
		Viewer: viewer.Options{URL: "ws://127.0.0.1:7420/ws", Name: "me", Theme: "dark", Scrollback: c.scrollback},
	})
	cnt := &hp.Counters
	stop := func() error {
		err := hp.Stop()
		sess.Close()
		return err
	}
	defer stop()

	deadline := time.After(startBudget)
	for _, ch := range []<-chan struct{}{hp.Live(), out.first} {
		select {
		case <-ch:
		case <-hp.Done():
			return res, fmt.Errorf("the program ended before the show was on screen: %v", hp.Err())
		case <-deadline:
			return res, fmt.Errorf("the show was not on screen within %v", startBudget)
		}
	}

	start := time.Now()
	until := start.Add(c.duration)
	st := newStream(c.rate, c.pinEvery, start)
	offered := func(n int) { offeredN.Store(int64(n)) }
	switch {
	case c.naive:
		sess.feedNaive(st, func(envs []protocol.Envelope) bool {
			hp.SendEvents(envs)
			return sess.ctx.Err() == nil
		}, until, offered)
	case !c.idle:
		sess.feedBatched(st, c.netFrame, until, offered)
	default:
		close(sess.fed)
	}

	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	cpu0, upd0, views0, frames0, bytes0 := cpuTime(), cnt.Updates.Load(), cnt.Views.Load(), out.writes.Load(), out.bytes.Load()
	res.RSSStartMB = rssMB()
	res.RSSMaxMB = res.RSSStartMB
	sample := time.NewTicker(time.Second)
	end := time.NewTimer(c.duration)
	mid := time.NewTimer(c.duration / 2)
wait:
	for {
		select {
		case <-sample.C:
			res.RSSMaxMB = max(res.RSSMaxMB, rssMB())
		case <-mid.C:
			res.RSSMidMB = rssMB()
		case <-end.C:
			break wait
		case <-hp.Done():
			return res, fmt.Errorf("the program ended during the storm: %v", hp.Err())
		}
	}
	sample.Stop()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	res.AppliedAtEnd = int64(cnt.Applied.Load())
	res.Messages = cnt.Updates.Load() - upd0
	res.Views = cnt.Views.Load() - views0
	res.Frames = out.writes.Load() - frames0
	res.FramesPerS = float64(res.Frames) / elapsed.Seconds()
	res.OutputKBPerS = float64(out.bytes.Load()-bytes0) / 1024 / elapsed.Seconds()
	res.CPUSeconds = cpu.Seconds()
	res.CPUPct = 100 * cpu.Seconds() / elapsed.Seconds()
	res.RSSEndMB = rssMB()
	res.RSSMaxMB = max(res.RSSMaxMB, res.RSSEndMB)
	res.ChatLines = cnt.ChatLines.Load()

	if res.AppliedAtEnd > 0 {
		res.CPUUsPerEvent = float64(cpu.Microseconds()) / float64(res.AppliedAtEnd)
	}

	// Let what is in flight land. The naive feed is stopped at once (what
	// it never sent is its backlog); the batched one sends what was due by
	// the end and stops.
	if c.naive {
		sess.stop()
	}
	drainStart := time.Now()
	drainBy := time.NewTimer(drainBudget)
	poll := time.NewTicker(5 * time.Millisecond)
drain:
	for {
		select {
		case <-sess.fed:
			if int64(cnt.Applied.Load()) >= offeredN.Load() {
				break drain
			}
		default:
		}
		select {
		case <-poll.C:
		case <-drainBy.C:
			break drain
		case <-hp.Done():
			return res, fmt.Errorf("the program ended while draining: %v", hp.Err())
		}
	}
	poll.Stop()
	res.Offered = offeredN.Load()
	if c.naive {
		// What the schedule held by the end, sent or not.
		res.Offered = int64(st.scheduled(until))
	}
	res.BacklogAtEnd = res.Offered - res.AppliedAtEnd
	res.Applied = int64(cnt.Applied.Load())
	res.AllApplied = res.Applied >= res.Offered
	if res.AllApplied {
		res.DrainMS = time.Since(drainStart).Milliseconds()
	}
	res.ChatLines = cnt.ChatLines.Load()
	return res, stop()
}
