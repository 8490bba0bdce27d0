package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// Failover is what the failover scenario found. A viewer is exact when it
// applied, from its first welcome's seq to the reference's last, every
// event the reference applied, each once, with the same type and data, on
// one snapshot (every reconnection resumed).
type Failover struct {
	KillPID    int     `json:"kill_pid"`
	KilledAtS  float64 `json:"killed_at_s"` // after publishing began
	KillError  string  `json:"kill_error,omitempty"`
	RefLastSeq uint64  `json:"ref_last_seq"`
	RefEvents  int     `json:"ref_events"` // sequenced events the reference applied
	// Moved viewers were connected to another URL at the end than at
	// their first welcome; Reconnected ones welcomed more than once.
	Moved       int `json:"moved"`
	Reconnected int `json:"reconnected"`
	Resumes     int `json:"resumes"`
	// ExtraSnapshots counts welcomes with a full snapshot after a
	// viewer's first: a resume the server could not do.
	ExtraSnapshots int `json:"extra_snapshots"`
	Exact          int `json:"exact"`
	// Viewers with: a seq missing between their first welcome and the
	// reference's last; a seq applied twice; an event unlike the
	// reference's at its seq; not at the reference's last seq by the
	// -catch-up deadline; a session that gave up.
	Gaps     int `json:"viewers_with_gap"`
	Dups     int `json:"viewers_with_dup"`
	Mismatch int `json:"viewers_with_mismatch"`
	Behind   int `json:"viewers_behind"`
	Failed   int `json:"sessions_failed"`
	// What the sessions repaired on the way (client.Stats, summed): events
	// a server sent twice and the session dropped, and gaps it resumed.
	SessionDups int `json:"session_duplicates"`
	SessionGaps int `json:"session_gaps"`
	// From the kill to the resumed (or new) welcome of each viewer that
	// reconnected after it.
	MoveP50ms float64 `json:"move_p50_ms"`
	MoveP99ms float64 `json:"move_p99_ms"`
	MoveMaxMs float64 `json:"move_max_ms"`
	CatchUpMs float64 `json:"catch_up_ms"` // after publishing ended, until every viewer was at the reference's last seq
}

// fviewer is one session and what it applied, by seq.
type fviewer struct {
	s      *client.Session
	up     chan struct{} // closed at the first welcome, or when the session fails
	upOnce sync.Once
	last   atomic.Uint64 // the last sequenced event applied

	mu        sync.Mutex
	first     uint64   // the first welcome's seq
	hashes    []uint64 // the event at seq first+1+k
	dup, gap  bool
	snapshots int
	welcomes  int
	resumes   int
	firstURL  string
	url       string
	reconnAt  int64 // unix ns of the first welcome after the kill
	failed    bool
	lat       [64]uint32
	nlat      int
	seen      int64 // stamped chat lines
}

// eventHash names an event's type and data.
func eventHash(env protocol.Envelope) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(env.Type))
	_, _ = h.Write([]byte{' '})
	_, _ = h.Write(env.Data)
	return h.Sum64()
}

// apply records one update; killedAt is the kill's unix ns, 0 before it.
func (v *fviewer) apply(u client.Update, killedAt *atomic.Int64, chat *histogram) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch u.Kind {
	case client.UpdateSnapshot, client.UpdateResumed:
		v.welcomes++
		v.url = u.URL
		if u.Kind == client.UpdateSnapshot {
			v.snapshots++
		} else {
			v.resumes++
		}
		if v.welcomes == 1 {
			v.first, v.firstURL = u.Seq, u.URL
			v.last.Store(u.Seq)
			v.upOnce.Do(func() { close(v.up) })
		} else if k := killedAt.Load(); k > 0 && v.reconnAt == 0 {
			v.reconnAt = time.Now().UnixNano()
		}
	case client.UpdateFailed:
		v.failed = true
		v.upOnce.Do(func() { close(v.up) })
	case client.UpdateEvents:
		now := time.Now().UnixNano()
		for _, env := range u.Events {
			if env.Seq == 0 || v.welcomes == 0 {
				continue
			}
			last := v.last.Load()
			switch {
			case env.Seq <= last:
				v.dup = true
				continue
			case env.Seq > last+1:
				v.gap = true
				for range env.Seq - last - 1 {
					v.hashes = append(v.hashes, 0)
				}
			}
			v.hashes = append(v.hashes, eventHash(env))
			v.last.Store(env.Seq)
			if env.Type == protocol.TypeChat {
				if t, ok := parseStamp(env.Data); ok {
					v.lat[v.nlat] = micros(now - t)
					v.seen++
					if v.nlat++; v.nlat == len(v.lat) {
						chat.add(v.lat[:v.nlat])
						v.nlat = 0
					}
				}
			}
		}
	}
}

// hashAt is the event this viewer applied at seq, false outside what it
// holds.
func (v *fviewer) hashAt(seq uint64) (uint64, bool) {
	if seq <= v.first || seq > v.first+uint64(len(v.hashes)) {
		return 0, false
	}
	return v.hashes[seq-v.first-1], true
}

func startViewer(ctx context.Context, name string, urls []string, killedAt *atomic.Int64, chat *histogram) *fviewer {
	v := &fviewer{up: make(chan struct{})}
	v.s = client.StartSession(ctx, client.SessionOptions{
		URLs: urls, Options: client.Options{Name: name, HandshakeTimeout: connectTimeout},
	})
	go func() {
		for u := range v.s.Updates() {
			v.apply(u, killedAt, chat)
		}
		v.upOnce.Do(func() { close(v.up) })
	}()
	return v
}

// rotate is urls starting at the i-th: viewer i starts on URL i mod n and
// fails over to the next ones in turn.
func rotate(urls []string, i int) []string {
	n := len(urls)
	out := make([]string, 0, n)
	for k := range n {
		out = append(out, urls[(i+k)%n])
	}
	return out
}

// runFailover runs the failover scenario: a reference session on the
// publishers' URL (the owner), -viewers sessions spread over -url, chat
// at -rate for -duration, and -kill-pid killed at -kill-after.
func runFailover(cfg config) (*result, error) {
	n, pubs, rate, dur := cfg.viewers, cfg.publishers, cfg.rate, cfg.duration
	res := &result{Scenario: cfg.scenario, Target: cfg.target, Viewers: n, Publishers: pubs, Rate: rate, DurationS: dur.Seconds()}
	if err := serversBefore(cfg, res); err != nil {
		return nil, err
	}
	fo := &Failover{KillPID: cfg.killPID}
	res.Failover = fo
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var killedAt atomic.Int64
	var chat, ignored histogram

	ref := startViewer(ctx, "bench-ref", []string{cfg.pubURL}, &killedAt, &ignored)
	defer ref.s.Close()
	select {
	case <-ref.up:
	case <-time.After(connectTimeout):
		return nil, errors.New("the reference viewer did not connect")
	}
	vs := make([]*fviewer, n)
	defer func() {
		var wg sync.WaitGroup
		for _, v := range vs {
			if v != nil {
				wg.Go(v.s.Close)
			}
		}
		wg.Wait()
	}()
	t0 := time.Now()
	var next atomic.Int64
	var lat histogram
	var wg sync.WaitGroup
	deadline := time.Now().Add(connectBudget)
	for range min(cfg.dialParallel, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				s := time.Now()
				v := startViewer(ctx, fmt.Sprintf("bench-v%d", i), rotate(cfg.urls, i), &killedAt, &chat)
				vs[i] = v
				select {
				case <-v.up:
					lat.add([]uint32{micros(time.Since(s).Nanoseconds())})
				case <-time.After(time.Until(deadline)):
				}
			}
		})
	}
	wg.Wait()
	for _, v := range vs {
		v.mu.Lock()
		if v.welcomes > 0 {
			res.ViewersUp++
		} else {
			res.ConnectFailures++
		}
		v.mu.Unlock()
	}
	res.ConnectRate = round(float64(res.ViewersUp)/time.Since(t0).Seconds(), 1)
	res.ConnectP50ms, res.ConnectP99ms = lat.quantileMs(0.5), lat.quantileMs(0.99)
	if res.ViewersUp == 0 {
		return nil, errNoViewer
	}

	pub, err := startPublishers(ctx, cfg, pubs, n, "")
	if err != nil {
		return nil, err
	}
	defer pub.close() // on an early return; a second Close is harmless

	cpu := startCPU(cfg.servers)
	start := time.Now()
	end := start.Add(dur)
	var preKill setSample
	killDone := make(chan struct{})
	kill := time.AfterFunc(cfg.killAfter, func() {
		defer close(killDone)
		preKill = readSet(cfg.servers)
		killedAt.Store(time.Now().UnixNano())
		fo.KilledAtS = round(time.Since(start).Seconds(), 3)
		if cfg.killPID > 0 {
			if err := syscall.Kill(cfg.killPID, syscall.SIGKILL); err != nil {
				fo.KillError = err.Error()
			}
		}
	})
	offered, sendErrs := publish(cfg.target, pub.conns, pub.mu, rate, start, end)
	time.Sleep(time.Until(end))
	if !kill.Stop() {
		<-killDone
	}
	res.ServerRSSKB = cpu.stop(res).rssKB()
	if preKill.each != nil {
		res.ServerCPUPct = addKilled(cfg.servers, cpu.srv, preKill, res)
	}
	res.Offered = offered
	res.PublishErrors = sendErrs

	// Every viewer must reach the reference's last event.
	time.Sleep(drainGrace)
	refLast := ref.last.Load()
	caughtUp := time.Now()
	for wait := time.Now().Add(cfg.settleWait); time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
		behind := 0
		for _, v := range vs {
			if v.last.Load() < refLast {
				behind++
			}
		}
		if behind == 0 {
			break
		}
	}
	fo.CatchUpMs = round(float64(time.Since(caughtUp).Microseconds())/1000, 1)
	pub.close()
	pub.wg.Wait()
	res.PublishErrors += pub.errors.Load()
	var cwg sync.WaitGroup
	for _, v := range vs {
		cwg.Go(v.s.Close)
	}
	cwg.Go(ref.s.Close)
	cwg.Wait()

	tallyFailover(res, fo, ref, vs, refLast, killedAt.Load(), &chat)
	res.CPUusPerDelivery = cpuPerDelivery(res)
	res.Saturated = res.CPUBound || fo.Exact < res.Viewers || fo.KillError != "" || killedAt.Load() == 0
	return res, nil
}

// addKilled counts the CPU a process used up to its kill (read just
// before it), which the window's end cannot read, and returns the new sum.
func addKilled(l serverList, start, preKill setSample, res *result) float64 {
	total := res.ServerCPUPct
	for i := range l {
		if i >= len(res.Servers) || !res.Servers[i].Gone || !start.ok[i] || !preKill.ok[i] {
			continue
		}
		pct := float64(preKill.each[i].ticks-start.each[i].ticks) / clkTck / res.CPUWindowS * 100
		res.Servers[i].CPUPct = round(pct, 1)
		res.Servers[i].RSSKB = preKill.each[i].rssKB
		total += pct
	}
	return round(total, 1)
}

// tallyFailover compares every viewer with the reference up to refLast.
func tallyFailover(res *result, fo *Failover, ref *fviewer, vs []*fviewer, refLast uint64, killedAt int64, chat *histogram) {
	fo.RefLastSeq = refLast
	ref.mu.Lock()
	defer ref.mu.Unlock()
	fo.RefEvents = min(len(ref.hashes), int(refLast-ref.first))
	var moves histogram
	cr := &ChatRate{PerViewerMin: math.Inf(1)}
	for _, v := range vs {
		v.mu.Lock()
		if v.s != nil {
			st := v.s.Stats()
			fo.SessionDups += st.Duplicates
			fo.SessionGaps += st.Gaps
		}
		if v.nlat > 0 {
			chat.add(v.lat[:v.nlat])
			v.nlat = 0
		}
		res.Delivered += v.seen
		perSec := float64(v.seen) / res.DurationS
		cr.PerViewerMean += perSec / float64(len(vs))
		cr.PerViewerMin, cr.PerViewerMax = min(cr.PerViewerMin, perSec), max(cr.PerViewerMax, perSec)
		if v.failed {
			fo.Failed++
		}
		if v.welcomes > 1 {
			fo.Reconnected++
		}
		if v.welcomes > 0 && v.url != v.firstURL {
			fo.Moved++
		}
		fo.Resumes += v.resumes
		fo.ExtraSnapshots += max(v.snapshots-1, 0)
		if v.reconnAt > 0 && killedAt > 0 {
			moves.add([]uint32{micros(v.reconnAt - killedAt)})
		}
		behind := v.last.Load() < refLast
		mismatch := false
		for seq := v.first + 1; seq <= refLast && !behind; seq++ {
			got, _ := v.hashAt(seq)
			if want, ok := ref.hashAt(seq); ok && got != want && got != 0 {
				mismatch = true
				break
			}
		}
		// A gap is a zero hash: an event skipped over.
		gap := v.gap
		for _, h := range v.hashes {
			if h == 0 {
				gap = true
				break
			}
		}
		switch {
		case v.welcomes == 0:
		case behind:
			fo.Behind++
		}
		if gap {
			fo.Gaps++
		}
		if v.dup {
			fo.Dups++
		}
		if mismatch {
			fo.Mismatch++
		}
		if v.welcomes > 0 && !behind && !gap && !v.dup && !mismatch && v.snapshots == 1 && !v.failed {
			fo.Exact++
		}
		v.mu.Unlock()
	}
	cr.PerViewerMean, cr.PerViewerMin, cr.PerViewerMax = round(cr.PerViewerMean, 2), round(cr.PerViewerMin, 2), round(cr.PerViewerMax, 2)
	res.ChatRate = cr
	res.Expected = res.Offered * int64(res.Viewers)
	if res.Expected > 0 {
		res.DeliveredRatio = round(float64(res.Delivered)/float64(res.Expected), 5)
	}
	res.P50ms, res.P99ms = chat.quantileMs(0.50), chat.quantileMs(0.99)
	res.P999ms, res.MaxMs = chat.quantileMs(0.999), chat.quantileMs(1)
	fo.MoveP50ms, fo.MoveP99ms, fo.MoveMaxMs = moves.quantileMs(0.5), moves.quantileMs(0.99), moves.quantileMs(1)
}
