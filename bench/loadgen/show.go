package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

var chatPrefix = []byte(`{"type":"chat"`)

// viewer is one viewer connection and what it read. Only its reader
// goroutine touches it until the run has waited for the readers.
type viewer struct {
	c       *websocket.Conn
	batch   [64]uint32 // chat latencies (µs) not yet in the shared histogram
	nbatch  int
	seen    int64 // stamped chat lines
	sec     int64 // second of the run the current count is for
	secSeen int64
	peak    int64 // most stamped lines in one second
	must    [numKinds]int64
	pending []mustRecv
	lost    int64 // must-deliver events past maxPending
	dropped bool
}

// showRun is what a chat, pin or storm run shares with its viewers.
type showRun struct {
	target  string
	start   atomic.Int64 // unix ns the publishing began; 0 before
	chat    histogram
	host    *host // nil in the chat scenario
	closing atomic.Bool
}

// read consumes frames until the connection ends.
func (v *viewer) read(run *showRun) {
	for {
		err := readFrame(v.c, func(frame []byte, now int64) {
			if run.target == "centrifugo" && isCentrifugoPing(frame) {
				_ = v.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				_ = v.c.WriteMessage(websocket.TextMessage, []byte("{}"))
				return
			}
			eachLine(frame, func(line []byte) { v.line(run, line, now) })
		})
		if err != nil {
			v.dropped = !run.closing.Load()
			v.flush(run)
			return
		}
	}
}

func (v *viewer) line(run *showRun, line []byte, now int64) {
	if run.target == "livecart" && !bytes.HasPrefix(line, chatPrefix) {
		if run.host != nil && (bytes.HasPrefix(line, pinPrefix) || bytes.HasPrefix(line, productPrefix)) {
			if seq, ok := parseSeq(line); ok {
				v.mustEvent(run.host, seq, now)
			}
		}
		return
	}
	t, ok := parseStamp(line)
	if !ok {
		return
	}
	v.batch[v.nbatch] = micros(now - t)
	v.nbatch++
	if v.nbatch == len(v.batch) {
		v.flush(run)
	}
	v.seen++
	if start := run.start.Load(); start > 0 {
		if s := (now - start) / int64(time.Second); s != v.sec {
			v.sec, v.secSeen = s, 0
		}
		v.secSeen++
		v.peak = max(v.peak, v.secSeen)
	}
}

func (v *viewer) flush(run *showRun) {
	run.chat.add(v.batch[:v.nbatch])
	v.nbatch = 0
}

// mustEvent records a pin or product event, and retries the ones read
// before the host knew their seq.
func (v *viewer) mustEvent(h *host, seq uint64, now int64) {
	if kind, ok := h.resolve(seq, now); ok {
		v.must[kind]++
	} else if len(v.pending) < maxPending {
		v.pending = append(v.pending, mustRecv{seq: seq, at: now})
	} else {
		v.lost++
	}
	v.retryPending(h)
}

// retryPending resolves what it can; it returns how many are left.
func (v *viewer) retryPending(h *host) int {
	kept := v.pending[:0]
	for _, p := range v.pending {
		if kind, ok := h.resolve(p.seq, p.at); ok {
			v.must[kind]++
		} else {
			kept = append(kept, p)
		}
	}
	v.pending = kept
	return len(kept)
}

// parseStamp finds "t=<unixnano> n=<k>" in a line without allocating.
func parseStamp(line []byte) (t int64, ok bool) {
	i := bytes.Index(line, []byte("t="))
	if i < 0 {
		return 0, false
	}
	j := i + 2
	for j < len(line) && j < i+2+19 && line[j] >= '0' && line[j] <= '9' {
		t = t*10 + int64(line[j]-'0')
		j++
	}
	if j == i+2 || j >= len(line) || line[j] != ' ' || !bytes.HasPrefix(line[j+1:], []byte("n=")) {
		return 0, false
	}
	return t, true
}

// parseSeq reads the envelope's "seq" without decoding the line; false
// when it is absent (a unicast event).
func parseSeq(line []byte) (uint64, bool) {
	i := bytes.Index(line, []byte(`"seq":`))
	if i < 0 {
		return 0, false
	}
	var seq uint64
	j := i + len(`"seq":`)
	k := j
	for k < len(line) && k < j+19 && line[k] >= '0' && line[k] <= '9' {
		seq = seq*10 + uint64(line[k]-'0')
		k++
	}
	return seq, k > j && seq > 0
}

// runShow runs the chat, pin and storm scenarios.
func runShow(cfg config) (*result, error) {
	n, pubs, rate, dur := cfg.viewers, cfg.publishers, cfg.rate, cfg.duration
	res := &result{Scenario: cfg.scenario, Target: cfg.target, Viewers: n, Publishers: pubs, Rate: rate, DurationS: dur.Seconds()}
	if err := serversBefore(cfg, res); err != nil {
		return nil, err
	}
	run := &showRun{target: cfg.target}
	ctx, cancel := context.WithTimeout(context.Background(), connectBudget)
	defer cancel()

	// Viewers start reading as soon as they are up, so nothing queues
	// for them on the server during the connect phase.
	vs := make([]*viewer, n)
	var rwg sync.WaitGroup
	defer func() { // on an early return; a second Close is harmless
		run.closing.Store(true)
		for _, v := range vs {
			if v != nil {
				_ = v.c.Close()
			}
		}
	}()
	_, st := connectAll(ctx, cfg, n, 0, cfg.dialParallel, "bench-v", func(i int, c *websocket.Conn) {
		v := &viewer{c: c}
		vs[i] = v
		rwg.Add(1)
		go func() { defer rwg.Done(); v.read(run) }()
	})
	st.fill(res)
	if st.up == 0 {
		return nil, fmt.Errorf("%w: %s", errNoViewer, res.Notes)
	}

	// Publishers take source slots after the viewers'. In pin and storm
	// they are plain viewers, so the show treats their lines as any
	// viewer's; only the pinning host has the token.
	pubToken := cfg.token
	if run.target == "livecart" && cfg.scenario != scenarioChat {
		pubToken = ""
	}
	pub, err := startPublishers(ctx, cfg, pubs, n, pubToken)
	if err != nil {
		return nil, err
	}
	defer pub.close() // on an early return; a second Close is harmless
	if cfg.scenario != scenarioChat {
		h, err := newHost(ctx, cfg, n+pubs)
		if err != nil {
			return nil, err
		}
		defer func() { _ = h.c.Close() }()
		run.host = h
		rwg.Add(1)
		go func() { defer rwg.Done(); h.read() }()
	}

	cpu := startCPU(cfg.servers)
	rss := sampleRSS(cfg.servers)
	start := time.Now()
	end := start.Add(dur)
	run.start.Store(start.UnixNano())
	var hwg sync.WaitGroup
	if run.host != nil {
		hwg.Add(1)
		go func() { defer hwg.Done(); run.host.run(start, end) }()
	}
	offered, sendErrs := publish(run.target, pub.conns, pub.mu, rate, start, end)
	hwg.Wait()
	time.Sleep(time.Until(end))
	srvAfter := cpu.stop(res)
	res.RSSTrend = rss.finish()

	time.Sleep(drainGrace)
	if run.host != nil {
		run.host.waitEchoes(hostEchoWait)
	}
	run.closing.Store(true)
	for _, v := range vs {
		if v != nil {
			_ = v.c.Close()
		}
	}
	pub.close()
	if run.host != nil {
		_ = run.host.c.Close()
	}
	rwg.Wait()
	pub.wg.Wait()

	res.Offered = offered
	res.PublishErrors = sendErrs + pub.errors.Load()
	tally(res, vs, run, st.up)
	if len(cfg.servers) > 0 {
		res.ServerRSSKB = srvAfter.rssKB()
		if res.RSSTrend != nil {
			res.ServerRSSKB = max(res.ServerRSSKB, res.RSSTrend.MaxKB)
		}
		res.KBPerConn = round(float64(res.ServerRSSKB-res.ServerRSSBefore)/float64(st.up), 2)
	}
	res.CPUusPerDelivery = cpuPerDelivery(res)
	res.Saturated = showSaturated(cfg.scenario, res)
	return res, nil
}

// serversBefore checks that every -server-pid can be read, and records
// their RSS before any connection, and the URLs.
func serversBefore(cfg config, res *result) error {
	res.URLs, res.PubURL = len(cfg.urls), cfg.pubURL
	before := readSet(cfg.servers)
	for i, ok := range before.ok {
		if !ok {
			return fmt.Errorf("server pid %d: cannot read /proc", cfg.servers[i].PID)
		}
	}
	res.ServerRSSBefore = before.rssKB()
	return nil
}

// cpuPerDelivery is the servers' CPU-µs over the publishing window per
// chat line delivered: summed over every server process, so a show on
// several processes pays for its hops too. 0 without -server-pid or
// deliveries.
func cpuPerDelivery(r *result) float64 {
	if r.Delivered == 0 || r.CPUWindowS == 0 {
		return 0
	}
	return round(r.ServerCPUPct/100*r.CPUWindowS*1e6/float64(r.Delivered), 3)
}

// tally adds up what the viewers read once their readers have ended. A
// viewer that failed to connect got nothing: expected deliveries count
// every viewer asked for, so failed connects show as losses.
func tally(res *result, vs []*viewer, run *showRun, up int) {
	dur := res.DurationS
	res.Expected = res.Offered * int64(res.Viewers)
	var must [numKinds]int64
	var unmatched int64
	cr := &ChatRate{PerViewerMin: math.Inf(1)}
	for _, v := range vs {
		if v == nil {
			continue
		}
		res.Delivered += v.seen
		if v.dropped {
			res.ViewerDrops++
		}
		perSec := float64(v.seen) / dur
		cr.PerViewerMean += perSec / float64(up)
		cr.PerViewerMin = min(cr.PerViewerMin, perSec)
		cr.PerViewerMax = max(cr.PerViewerMax, perSec)
		cr.PeakSecond = max(cr.PeakSecond, v.peak)
		if run.host != nil {
			unmatched += int64(v.retryPending(run.host)) + v.lost
		}
		for k := range must {
			must[k] += v.must[k]
		}
	}
	cr.PerViewerMean, cr.PerViewerMin, cr.PerViewerMax = round(cr.PerViewerMean, 2), round(cr.PerViewerMin, 2), round(cr.PerViewerMax, 2)
	res.ChatRate = cr
	if res.Expected > 0 {
		res.DeliveredRatio = round(float64(res.Delivered)/float64(res.Expected), 5)
	}
	res.P50ms, res.P99ms = run.chat.quantileMs(0.50), run.chat.quantileMs(0.99)
	res.P999ms, res.MaxMs = run.chat.quantileMs(0.999), run.chat.quantileMs(1)
	if run.host != nil {
		res.MustStats = run.host.stats(must, res.Viewers, unmatched)
	}
}

// showSaturated applies the saturation rule: too much CPU for the machine,
// or too little delivered. In the storm the show is meant to drop chat (its
// per-show cap), so there only pins and prices count as deliveries.
func showSaturated(scenario string, r *result) bool {
	if r.CPUBound {
		return true
	}
	mustShort := r.MustStats != nil &&
		(r.PinDeliveredRatio < minDelivered || r.PriceDeliveredRat < minDelivered)
	if scenario == scenarioStorm {
		return r.MustStats == nil || mustShort
	}
	return r.DeliveredRatio < minDelivered || mustShort
}

// publishers are a run's publishing connections, each read until it ends
// by drainPublisher on a goroutine of wg, with a lock per connection for
// its writes.
type publishers struct {
	conns  []*websocket.Conn
	mu     []sync.Mutex
	errors atomic.Int64 // error events the server sent them
	wg     sync.WaitGroup
}

// startPublishers connects pubs publishers, on source slots from first,
// and starts reading them; on an error it closes those that connected.
func startPublishers(ctx context.Context, cfg config, pubs, first int, token string) (*publishers, error) {
	conns, err := connectPublishers(ctx, cfg, pubs, first, token)
	p := &publishers{conns: conns, mu: make([]sync.Mutex, len(conns))}
	if err != nil {
		p.close()
		return nil, err
	}
	for i, c := range conns {
		p.wg.Go(func() { drainPublisher(c, cfg.target, &p.mu[i], &p.errors) })
	}
	return p, nil
}

// close closes every publisher, which ends its reader: wait on wg.
func (p *publishers) close() {
	for _, c := range p.conns {
		_ = c.Close()
	}
}

func connectPublishers(ctx context.Context, cfg config, pubs, first int, token string) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, 0, pubs)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(cfg.dialParallel, pubs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p := int(next.Add(1) - 1)
				if p >= pubs {
					return
				}
				c, err := dial(ctx, cfg.pubURL, first+p)
				if err == nil {
					if _, err = handshake(c, cfg.target, "bench-p"+strconv.Itoa(p), token, false); err != nil {
						_ = c.Close()
					}
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("publisher %d: %w", p, err)
				}
				if err == nil {
					conns = append(conns, c)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return conns, firstErr
}

// drainPublisher reads what a publisher gets (livecart sends it every chat
// line too) and counts error events, until the connection ends.
func drainPublisher(c *websocket.Conn, target string, wmu *sync.Mutex, errs *atomic.Int64) {
	for {
		err := readFrame(c, func(frame []byte, _ int64) {
			switch {
			case target == "livecart" && bytes.Contains(frame, []byte(`"type":"error"`)):
				errs.Add(1)
			case target == "centrifugo" && isCentrifugoPing(frame):
				wmu.Lock()
				_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				_ = c.WriteMessage(websocket.TextMessage, []byte("{}"))
				wmu.Unlock()
			case target == "centrifugo" && bytes.Contains(frame, []byte(`"error"`)):
				errs.Add(1)
			}
		})
		if err != nil {
			return
		}
	}
}

// publish sends message k at start + k/rate from publisher k mod P until
// end, each stamped with its send time; it returns what was sent and what
// failed to send.
func publish(target string, pconns []*websocket.Conn, pmu []sync.Mutex, rate float64, start, end time.Time) (offered, failed int64) {
	total := int64(math.Round(rate * end.Sub(start).Seconds()))
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	for k := range total {
		due := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
		time.Sleep(time.Until(due))
		if time.Now().After(end.Add(time.Second)) {
			break
		}
		p := int(k % int64(len(pconns)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			pmu[p].Lock()
			defer pmu[p].Unlock()
			text := "t=" + strconv.FormatInt(time.Now().UnixNano(), 10) + " n=" + strconv.FormatInt(k, 10)
			var msg []byte
			switch target {
			case "livecart":
				msg, _ = protocol.Encode(protocol.TypeSay, 0, time.Time{}, protocol.Say{Text: text})
			case "centrifugo":
				msg = centrifugoPublish(100+k, text)
			default:
				msg = []byte(text)
			}
			_ = pconns[p].SetWriteDeadline(time.Now().Add(5 * time.Second))
			if err := pconns[p].WriteMessage(websocket.TextMessage, msg); err != nil {
				bad.Add(1)
				return
			}
			ok.Add(1)
		}()
	}
	wg.Wait()
	return ok.Load(), bad.Load()
}
