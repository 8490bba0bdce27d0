package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Settling for the idle scenario: RSS is sampled every settleEvery and
// counts as settled once two samples in a row differ by less than
// settleTolerance, after at least -settle and at most -settle+maxSettleWait.
const (
	settleEvery     = time.Second
	settleTolerance = 0.01
	maxSettleWait   = 30 * time.Second
)

// runAudience runs the idle and connect scenarios: viewers connect (and
// read, so the server can ping them and send viewer counts) and nobody
// publishes.
func runAudience(cfg config) (*result, error) {
	n := cfg.viewers
	res := &result{Scenario: cfg.scenario, Target: cfg.target, Viewers: n}
	if err := serversBefore(cfg, res); err != nil {
		return nil, err
	}
	hasServer := len(cfg.servers) > 0
	ctx, cancel := context.WithTimeout(context.Background(), connectBudget)
	defer cancel()

	run := &showRun{target: cfg.target}
	vs := make([]*viewer, n)
	var rwg sync.WaitGroup
	closeAll := func() {
		run.closing.Store(true)
		for _, v := range vs {
			if v != nil {
				_ = v.c.Close()
			}
		}
		rwg.Wait()
	}
	cpu := startCPU(cfg.servers)
	_, st := connectAll(ctx, cfg, n, 0, cfg.dialParallel, "bench-v", func(i int, c *websocket.Conn) {
		v := &viewer{c: c}
		vs[i] = v
		rwg.Add(1)
		go func() { defer rwg.Done(); v.read(run) }()
	})
	st.fill(res)
	defer closeAll()
	if st.up == 0 {
		return nil, fmt.Errorf("%w: %s", errNoViewer, res.Notes)
	}

	if cfg.scenario == scenarioConnect {
		srv := cpu.stop(res)
		res.ServerRSSKB = srv.rssKB()
		if hasServer {
			res.KBPerConn = round(float64(res.ServerRSSKB-res.ServerRSSBefore)/float64(st.up), 2)
		}
		// A connect storm is CPU-bound by design; only failures make the
		// rate meaningless.
		res.Saturated = st.failures > 0
		return res, nil
	}

	cpu = startCPU(cfg.servers)
	rssKB, settled := settle(cfg.servers, cfg.settle)
	cpu.stop(res)
	res.ServerRSSKB = rssKB
	if hasServer {
		res.KBPerConn = round(float64(rssKB-res.ServerRSSBefore)/float64(st.up), 2)
		if !settled {
			res.Notes = joinNotes(res.Notes, "RSS still moving after "+(cfg.settle+maxSettleWait).String())
		}
	}
	closeAll()
	for _, v := range vs {
		if v != nil && v.dropped {
			res.ViewerDrops++
		}
	}
	res.Saturated = res.CPUBound || st.failures > 0 || res.ViewerDrops > 0
	return res, nil
}

// settle waits at least min, then until two RSS samples settleEvery apart
// differ by less than settleTolerance, and returns the last sample.
func settle(servers serverList, minWait time.Duration) (kb int64, settled bool) {
	if len(servers) == 0 {
		time.Sleep(minWait)
		return 0, true
	}
	start := time.Now()
	var prev int64 = -1
	for time.Since(start) < minWait+maxSettleWait {
		s := readSet(servers)
		if slices.Contains(s.ok, false) {
			return kb, false
		}
		kb = s.rssKB()
		if prev > 0 && time.Since(start) >= minWait && absDiff(kb, prev) < settleTolerance*float64(prev) {
			return kb, true
		}
		prev = kb
		time.Sleep(settleEvery)
	}
	return kb, false
}

func absDiff(a, b int64) float64 {
	if a > b {
		return float64(a - b)
	}
	return float64(b - a)
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
