// Command loadgen is a WebSocket fan-out load generator for livecart and
// for peer servers (the gorilla/websocket chat example). It opens N viewer
// connections over loopback, has a few publisher connections offer chat
// messages stamped with their publish time, measures per-viewer delivery
// latency, reads server CPU and RSS from /proc, and prints one JSON line.
//
// It only ever connects to 127.0.0.0/8.
//
// With -summarize FILE it instead reads JSON lines written by earlier runs
// and prints the median ours/peer ratios (see bench/compare.sh).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// Hard bounds on what one run may ask for.
const (
	maxViewers     = 20_000
	maxRate        = 20_000
	maxDuration    = 10 * time.Minute
	connsPerSource = 60 // under livecart's default MaxConnsPerIP (64)
	maxSources     = 250
	connectTimeout = 10 * time.Second
	connectBudget  = 2 * time.Minute // the whole connect phase
	dialParallel   = 64
	drainGrace     = 2 * time.Second // wait for in-flight deliveries
	// livecart's default per-connection chat limit is 2/s (burst 5), and
	// it applies to the host too (server/throttle.go). Publishers stay
	// well under it.
	livecartPerPublisher = 1.5
	clkTck               = 100 // USER_HZ on Linux
)

type result struct {
	Target          string  `json:"target"`
	Viewers         int     `json:"viewers"`
	ViewersUp       int     `json:"viewers_connected"`
	Publishers      int     `json:"publishers"`
	Rate            float64 `json:"rate"`
	DurationS       float64 `json:"duration_s"`
	Offered         int64   `json:"offered"`
	PublishErrors   int64   `json:"publish_errors"`
	Expected        int64   `json:"expected_deliveries"`
	Delivered       int64   `json:"delivered"`
	DeliveredRatio  float64 `json:"delivered_ratio"`
	P50ms           float64 `json:"p50_ms"`
	P99ms           float64 `json:"p99_ms"`
	P999ms          float64 `json:"p999_ms"`
	MaxMs           float64 `json:"max_ms"`
	ServerCPUPct    float64 `json:"server_cpu_pct"`
	GenCPUPct       float64 `json:"gen_cpu_pct"`
	ServerRSSKB     int64   `json:"server_rss_kb"`
	ServerRSSBefore int64   `json:"server_rss_before_kb"`
	KBPerConn       float64 `json:"kb_per_conn"`
	ConnectRate     float64 `json:"connect_rate"`
	ConnectFailures int     `json:"connect_failures"`
	ViewerDrops     int64   `json:"viewer_drops"`
	Saturated       bool    `json:"saturated"`
	Notes           string  `json:"notes,omitempty"`
}

func main() {
	target := flag.String("target", "livecart", "server under test: livecart, gorilla or centrifugo")
	rawURL := flag.String("url", "", "WebSocket URL, e.g. ws://127.0.0.1:7420/ws (loopback only)")
	viewers := flag.Int("viewers", 100, "viewer connections")
	rateF := flag.Float64("rate", 10, "chat messages offered per second, in total")
	duration := flag.Duration("duration", 10*time.Second, "how long to publish")
	pid := flag.Int("server-pid", 0, "server process id, to read its CPU and RSS from /proc")
	token := flag.String("token", "", "livecart host token (optional; the host is rate limited too)")
	publishers := flag.Int("publishers", 0, "publisher connections (0: enough for the target's per-connection chat limit)")
	summarize := flag.String("summarize", "", "print median ours/peer ratios of the JSON lines in this file and exit")
	flag.Parse()

	if *summarize != "" {
		if err := summarizeFile(*summarize); err != nil {
			fatal(err)
		}
		return
	}
	if err := validate(*target, *rawURL, *viewers, *rateF, *duration); err != nil {
		fatal(err)
	}
	pubs := *publishers
	if pubs <= 0 {
		pubs = 2
		if *target == "livecart" {
			pubs = max(2, int(math.Ceil(*rateF/livecartPerPublisher)))
		}
	}
	if pubs > 1000 {
		fatal(fmt.Errorf("%d publishers is too many", pubs))
	}
	r, err := run(*target, *rawURL, *viewers, pubs, *rateF, *duration, *pid, *token)
	if err != nil {
		fatal(err)
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

func validate(target, rawURL string, viewers int, rate float64, d time.Duration) error {
	switch target {
	case "livecart", "gorilla", "centrifugo":
	default:
		return fmt.Errorf("unknown -target %q", target)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "ws" {
		return fmt.Errorf("-url %q: want ws://127.x.y.z:PORT/path", rawURL)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || ip.To4() == nil || ip.To4()[0] != 127 {
		return fmt.Errorf("-url %q: host must be a literal 127.0.0.0/8 address", rawURL)
	}
	if viewers < 1 || viewers > maxViewers {
		return fmt.Errorf("-viewers %d: want 1 to %d", viewers, maxViewers)
	}
	if !(rate > 0 && rate <= maxRate) {
		return fmt.Errorf("-rate %v: want more than 0, at most %d", rate, maxRate)
	}
	if d <= 0 || d > maxDuration {
		return fmt.Errorf("-duration %v: want more than 0, at most %v", d, maxDuration)
	}
	if (viewers+1000)/connsPerSource+1 > maxSources {
		return errors.New("too many connections for the loopback source addresses")
	}
	return nil
}

// sourceIP spreads connections over 127.0.0.2, 127.0.0.3, … so that no
// source address holds more than connsPerSource of them.
func sourceIP(i int) net.IP {
	return net.IPv4(127, 0, byte((2+i/connsPerSource)/256), byte((2+i/connsPerSource)%256))
}

func dial(ctx context.Context, rawURL string, i int) (*websocket.Conn, error) {
	d := websocket.Dialer{
		HandshakeTimeout: connectTimeout,
		NetDialContext: (&net.Dialer{
			Timeout:   connectTimeout,
			LocalAddr: &net.TCPAddr{IP: sourceIP(i)},
		}).DialContext,
		ReadBufferSize:  4096,
		WriteBufferSize: 1024,
	}
	c, resp, err := d.DialContext(ctx, rawURL, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return c, err
}

// centrifugoChannel is the channel every centrifugo client subscribes and
// publishes to.
const centrifugoChannel = "show"

// handshake does the protocol's greeting: for livecart, hello and wait for
// welcome; for centrifugo, connect and subscribe (JSON protocol, by hand).
// gorilla's chat has none.
func handshake(c *websocket.Conn, target, name, token string) error {
	switch target {
	case "gorilla":
		return nil
	case "centrifugo":
		return centrifugoHandshake(c, name)
	}
	hello, err := protocol.Encode(protocol.TypeHello, 0, time.Time{}, protocol.Hello{Version: protocol.Version, Name: name, Token: token})
	if err != nil {
		return err
	}
	_ = c.SetWriteDeadline(time.Now().Add(connectTimeout))
	if err := c.WriteMessage(websocket.TextMessage, hello); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(connectTimeout))
	for range 16 { // welcome is the first frame; bounded anyway
		_, frame, err := c.ReadMessage()
		if err != nil {
			return err
		}
		envs, err := protocol.DecodeFrame(frame)
		if err != nil {
			return err
		}
		if envs[0].Type == protocol.TypeWelcome {
			return nil
		}
	}
	return errors.New("no welcome")
}

// centrifugoHandshake sends connect and subscribe in one frame (the JSON
// protocol takes newline-separated commands) and waits for both replies.
// The server must allow anonymous clients (client.insecure).
func centrifugoHandshake(c *websocket.Conn, name string) error {
	cmds := `{"id":1,"connect":{"name":"` + name + `"}}` + "\n" +
		`{"id":2,"subscribe":{"channel":"` + centrifugoChannel + `"}}`
	_ = c.SetWriteDeadline(time.Now().Add(connectTimeout))
	if err := c.WriteMessage(websocket.TextMessage, []byte(cmds)); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(connectTimeout))
	got := 0
	for range 16 {
		_, frame, err := c.ReadMessage()
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(frame), "\n") {
			var r struct {
				ID    int             `json:"id"`
				Error json.RawMessage `json:"error"`
			}
			if json.Unmarshal([]byte(line), &r) != nil {
				continue
			}
			if len(r.Error) > 0 {
				return fmt.Errorf("centrifugo reply %d: %s", r.ID, r.Error)
			}
			if r.ID == 1 || r.ID == 2 {
				got++
			}
		}
		if got == 2 {
			return nil
		}
	}
	return errors.New("centrifugo: no connect/subscribe reply")
}

// centrifugoPublish is the publish command for one stamp.
func centrifugoPublish(id int64, text string) []byte {
	return []byte(`{"id":` + strconv.FormatInt(id, 10) + `,"publish":{"channel":"` + centrifugoChannel + `","data":{"text":"` + text + `"}}}`)
}

// isCentrifugoPing reports whether a frame is the server's ping, an empty
// command, which the client answers with an empty one.
func isCentrifugoPing(frame []byte) bool {
	return strings.TrimSpace(string(frame)) == "{}"
}

// viewer holds one viewer connection's samples.
type viewer struct {
	c       *websocket.Conn
	lat     []uint32 // microseconds
	seen    int64
	dropped bool
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

// read consumes frames until the deadline, recording the latency of every
// stamped chat message.
func (v *viewer) read(target string, deadline time.Time, maxFrames int) {
	_ = v.c.SetReadDeadline(deadline)
	for range maxFrames {
		_, frame, err := v.c.ReadMessage()
		if err != nil {
			if time.Now().Before(deadline.Add(-100 * time.Millisecond)) {
				v.dropped = true
			}
			return
		}
		now := time.Now().UnixNano()
		if target == "centrifugo" && isCentrifugoPing(frame) {
			_ = v.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			_ = v.c.WriteMessage(websocket.TextMessage, []byte("{}"))
			continue
		}
		for len(frame) > 0 {
			line := frame
			if k := bytes.IndexByte(frame, '\n'); k >= 0 {
				line, frame = frame[:k], frame[k+1:]
			} else {
				frame = nil
			}
			if target == "livecart" && !bytes.HasPrefix(line, []byte(`{"type":"chat"`)) {
				continue
			}
			t, ok := parseStamp(line)
			if !ok {
				continue
			}
			us := (now - t) / 1000
			v.lat = append(v.lat, uint32(min(max(us, 0), math.MaxUint32)))
			v.seen++
		}
	}
}

type procSample struct {
	ticks int64 // utime + stime
	rssKB int64
	at    time.Time
}

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
			fs := strings.Fields(rest)
			if len(fs) > 0 {
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

func run(target, rawURL string, n, pubs int, rate float64, dur time.Duration, pid int, token string) (*result, error) {
	res := &result{Target: target, Viewers: n, Publishers: pubs, Rate: rate, DurationS: dur.Seconds()}
	srvPID := ""
	if pid > 0 {
		srvPID = strconv.Itoa(pid)
	}
	var srvBefore procSample
	if srvPID != "" {
		var err error
		if srvBefore, err = readProc(srvPID); err != nil {
			return nil, fmt.Errorf("server pid %d: %w", pid, err)
		}
		res.ServerRSSBefore = srvBefore.rssKB
	}

	// Connect viewers, dialParallel at a time, within connectBudget.
	ctx, cancel := context.WithTimeout(context.Background(), connectBudget)
	defer cancel()
	vs := make([]*viewer, n)
	var failures atomic.Int64
	var firstErr atomic.Value
	jobs := make(chan int, n)
	for i := range n {
		jobs <- i
	}
	close(jobs)
	connStart := time.Now()
	var wg sync.WaitGroup
	for range min(dialParallel, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					failures.Add(1)
					continue
				}
				c, err := dial(ctx, rawURL, i)
				if err == nil {
					err = handshake(c, target, "bench-v"+strconv.Itoa(i), "")
					if err != nil {
						_ = c.Close()
					}
				}
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				vs[i] = &viewer{c: c, lat: make([]uint32, 0, int(rate*dur.Seconds())+16)}
			}
		}()
	}
	wg.Wait()
	connElapsed := time.Since(connStart)
	up := vs[:0:0]
	for _, v := range vs {
		if v != nil {
			up = append(up, v)
		}
	}
	res.ViewersUp = len(up)
	res.ConnectFailures = int(failures.Load())
	res.ConnectRate = round(float64(len(up))/connElapsed.Seconds(), 1)
	if e := firstErr.Load(); e != nil {
		res.Notes = "first connect error: " + e.(string)
	}
	defer func() {
		for _, v := range up {
			_ = v.c.Close()
		}
	}()
	if len(up) == 0 {
		b, _ := json.Marshal(res)
		return nil, fmt.Errorf("no viewer connected: %s", b)
	}

	// Publishers take source slots after the viewers'.
	pconns := make([]*websocket.Conn, 0, pubs)
	defer func() {
		for _, c := range pconns {
			_ = c.Close()
		}
	}()
	for p := range pubs {
		c, err := dial(ctx, rawURL, n+p)
		if err == nil {
			err = handshake(c, target, "bench-p"+strconv.Itoa(p), token)
		}
		if err != nil {
			return nil, fmt.Errorf("publisher %d: %w", p, err)
		}
		pconns = append(pconns, c)
	}

	end := time.Now().Add(dur)
	readDeadline := end.Add(drainGrace)
	maxFrames := int(rate*dur.Seconds())*4 + 10_000
	var rwg sync.WaitGroup
	for _, v := range up {
		rwg.Add(1)
		go func() { defer rwg.Done(); v.read(target, readDeadline, maxFrames) }()
	}
	// Publishers drain what they get (livecart sends them every chat too)
	// and count error events.
	var pubErrors atomic.Int64
	pmu := make([]sync.Mutex, len(pconns))
	for p, c := range pconns {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			_ = c.SetReadDeadline(readDeadline)
			for range maxFrames {
				_, frame, err := c.ReadMessage()
				if err != nil {
					return
				}
				switch {
				case target == "livecart" && bytes.Contains(frame, []byte(`"type":"error"`)):
					pubErrors.Add(1)
				case target == "centrifugo" && isCentrifugoPing(frame):
					pmu[p].Lock()
					_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
					_ = c.WriteMessage(websocket.TextMessage, []byte("{}"))
					pmu[p].Unlock()
				case target == "centrifugo" && bytes.Contains(frame, []byte(`"error"`)):
					pubErrors.Add(1)
				}
			}
		}()
	}

	selfBefore, _ := readProc("self")
	if srvPID != "" {
		srvBefore, _ = readProc(srvPID)
	}
	var rssMax atomic.Int64
	stopRSS := make(chan struct{})
	rssDone := make(chan struct{})
	go func() { // sample server RSS while publishing
		defer close(rssDone)
		if srvPID == "" {
			return
		}
		tk := time.NewTicker(250 * time.Millisecond)
		defer tk.Stop()
		for range int(dur/(250*time.Millisecond)) + 2 {
			if s, err := readProc(srvPID); err == nil && s.rssKB > rssMax.Load() {
				rssMax.Store(s.rssKB)
			}
			select {
			case <-stopRSS:
				return
			case <-tk.C:
			}
		}
	}()

	// Publish: message k goes at start + k/rate from publisher k % pubs.
	total := int64(math.Round(rate * dur.Seconds()))
	start := time.Now()
	var offered, sendErrs atomic.Int64
	var pwg sync.WaitGroup
	for k := int64(0); k < total; k++ {
		due := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		if time.Now().After(end.Add(time.Second)) {
			break
		}
		p := int(k % int64(len(pconns)))
		pwg.Add(1)
		go func() {
			defer pwg.Done()
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
				sendErrs.Add(1)
				return
			}
			offered.Add(1)
		}()
	}
	pwg.Wait()
	if d := time.Until(end); d > 0 {
		time.Sleep(d)
	}
	selfAfter, _ := readProc("self")
	var srvAfter procSample
	if srvPID != "" {
		srvAfter, _ = readProc(srvPID)
	}
	close(stopRSS)
	<-rssDone
	rwg.Wait()

	res.Offered = offered.Load()
	res.PublishErrors = sendErrs.Load() + pubErrors.Load()
	res.Expected = res.Offered * int64(n) // a viewer that failed to connect got nothing
	var all []uint32
	for _, v := range up {
		res.Delivered += v.seen
		all = append(all, v.lat...)
		if v.dropped {
			res.ViewerDrops++
		}
	}
	if res.Expected > 0 {
		res.DeliveredRatio = round(float64(res.Delivered)/float64(res.Expected), 5)
	}
	slices.Sort(all)
	pct := func(q float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := min(int(math.Ceil(q*float64(len(all))))-1, len(all)-1)
		return round(float64(all[max(i, 0)])/1000, 3)
	}
	res.P50ms, res.P99ms, res.P999ms, res.MaxMs = pct(0.50), pct(0.99), pct(0.999), pct(1)
	res.GenCPUPct = round(cpuPct(selfBefore, selfAfter), 1)
	if srvPID != "" {
		res.ServerCPUPct = round(cpuPct(srvBefore, srvAfter), 1)
		res.ServerRSSKB = max(rssMax.Load(), srvAfter.rssKB)
		res.KBPerConn = round(float64(res.ServerRSSKB-res.ServerRSSBefore)/float64(n), 2)
	}
	res.Saturated = res.ServerCPUPct+res.GenCPUPct > 180 || res.DeliveredRatio < 0.99
	return res, nil
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// summarizeFile pairs the i-th livecart run with the i-th run of the other
// target and prints the medians of ours/peer for p99 latency and server CPU,
// skipping pairs where either run saturated.
func summarizeFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ours, peer []result
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if r.Target == "livecart" {
			ours = append(ours, r)
		} else {
			peer = append(peer, r)
		}
	}
	var p99, cpu []float64
	skipped := 0
	for i := range min(len(ours), len(peer)) {
		o, p := ours[i], peer[i]
		if o.Saturated || p.Saturated || p.P99ms <= 0 || p.ServerCPUPct <= 0 {
			skipped++
			continue
		}
		p99 = append(p99, o.P99ms/p.P99ms)
		cpu = append(cpu, o.ServerCPUPct/p.ServerCPUPct)
	}
	fmt.Printf("pairs: %d used, %d skipped (saturated)\n", len(p99), skipped)
	if len(p99) == 0 {
		return errors.New("no unsaturated pair to compare")
	}
	fmt.Printf("p99 latency ratios ours/peer: %v  median %.3f\n", roundAll(p99), median(p99))
	fmt.Printf("server CPU ratios ours/peer:  %v  median %.3f\n", roundAll(cpu), median(cpu))
	return nil
}

func roundAll(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = round(x, 3)
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
