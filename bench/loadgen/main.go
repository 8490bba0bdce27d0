// Command loadgen is a WebSocket fan-out load generator for livecart and
// for peer servers (the gorilla/websocket chat example, Centrifugo). It
// opens N viewer connections over loopback and runs one scenario:
//
//   - chat: a few publisher connections offer chat messages stamped with
//     their publish time; every viewer records the delivery latency.
//   - pin (livecart only): chat as above, plus a host connection that pins
//     a product and changes a price once a second each; pins and prices
//     must reach every viewer.
//   - storm (livecart only): pin under a chat flood far above what the show
//     broadcasts; reports what each viewer gets per second and whether the
//     server's RSS stays flat.
//   - idle: connect and sit still; server memory per connection.
//   - connect: connect as fast as possible; connections per second.
//
// It reads server CPU and RSS from /proc and prints one JSON line per run.
// It only ever connects to 127.0.0.0/8.
//
// With -summarize FILE it instead reads JSON lines written by earlier runs
// and prints medians and ours/peer ratios (see bench/compare.sh).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

// Hard bounds on what one run may ask for.
const (
	maxViewers      = 20_000 // connections
	maxPublishers   = 2_000  // connections
	maxRate         = 20_000 // chat messages a second
	maxDuration     = 10 * time.Minute
	maxSettle       = time.Minute
	maxDialParallel = 1024 // dials in flight
	// connsPerSource keeps each source address under livecart's default
	// MaxConnsPerIP (64), so the default server can be loaded too. The
	// bounds above need at most 367 addresses, all in 127.0.0.0/8.
	connsPerSource = 60
	connectTimeout = 10 * time.Second
	connectBudget  = 2 * time.Minute // the whole connect phase
	drainGrace     = 2 * time.Second // wait for in-flight deliveries
	hostEchoWait   = 5 * time.Second // then, at most, for the host's own copies
	// livecart's default per-connection chat limit is 2/s (burst 5), and
	// it applies to the host too (server/throttle.go). Publishers stay
	// well under it.
	livecartPerPublisher = 1.5
	clkTck               = 100 // USER_HZ on Linux
	// saturatedCPUPct is server + generator CPU (100 = one core) past
	// which the 2-core machine, not the server, may be what limits a run.
	saturatedCPUPct = 180
	minDelivered    = 0.99 // fraction of the expected deliveries
)

// Scenario names.
const (
	scenarioChat    = "chat"
	scenarioPin     = "pin"
	scenarioStorm   = "storm"
	scenarioIdle    = "idle"
	scenarioConnect = "connect"
	// failover (livecart only): viewers are the client package's sessions
	// holding every -url; an edge is killed mid-run; each must end with
	// exactly the events of a reference that never disconnected.
	scenarioFailover = "failover"
)

// config is one run's parameters, from the flags.
type config struct {
	scenario     string
	target       string
	urls         urlList // viewer i dials urls[i mod len]
	pubURL       string  // publishers and the host; default urls[0]
	viewers      int
	publishers   int
	rate         float64
	duration     time.Duration
	settle       time.Duration
	dialParallel int
	servers      serverList
	token        string
	// failover
	killPID    int
	killAfter  time.Duration
	settleWait time.Duration
}

// urlList is the -url flag: repeated or comma-separated.
type urlList []string

func (l *urlList) String() string { return strings.Join(*l, ",") }

func (l *urlList) Set(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// viewerURL is the URL viewer i dials: the URLs in turn.
func (cfg config) viewerURL(i int) string { return cfg.urls[i%len(cfg.urls)] }

func main() {
	var cfg config
	flag.StringVar(&cfg.scenario, "scenario", scenarioChat, "chat, pin, storm, idle or connect")
	flag.StringVar(&cfg.target, "target", "livecart", "server under test: livecart, gorilla or centrifugo")
	flag.Var(&cfg.urls, "url", "WebSocket URL, e.g. ws://127.0.0.1:7420/ws (loopback only); repeated or comma-separated, viewer i dials URL i mod n")
	flag.StringVar(&cfg.pubURL, "pub-url", "", "WebSocket URL the publishers and the host dial (default: the first -url), e.g. a cluster's owner")
	flag.IntVar(&cfg.viewers, "viewers", 100, "viewer connections")
	flag.Float64Var(&cfg.rate, "rate", 10, "chat messages offered per second, in total")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to publish")
	flag.Var(&cfg.servers, "server-pid", "server process id, to read its CPU and RSS from /proc; PID or NAME=PID, repeated or comma-separated: CPU and RSS are summed and reported per process")
	flag.IntVar(&cfg.killPID, "kill-pid", 0, "failover: the process to kill (SIGKILL) mid-run, e.g. an edge")
	flag.DurationVar(&cfg.killAfter, "kill-after", 0, "failover: when to kill -kill-pid, after publishing starts (default: half of -duration)")
	flag.DurationVar(&cfg.settleWait, "catch-up", 30*time.Second, "failover: how long, after publishing, viewers may take to reach the reference's last event")
	flag.StringVar(&cfg.token, "token", "", "livecart host token: the pinning host's in pin and storm (required there), the publishers' in chat (optional)")
	flag.IntVar(&cfg.publishers, "publishers", 0, "publisher connections (0: enough for the target's per-connection chat limit)")
	flag.IntVar(&cfg.dialParallel, "dial-parallel", 64, "connections dialled at once")
	flag.DurationVar(&cfg.settle, "settle", 3*time.Second, "idle: wait at least this long for the server's RSS to settle")
	cpuProfile := flag.String("cpuprofile", "", "write loadgen's own CPU profile to this file")
	summarize := flag.String("summarize", "", "print medians and ours/peer ratios of the JSON lines in this file and exit")
	label := flag.String("label", "", "the name the JSON line gives the server (default: -target), e.g. for a second build of one")
	flag.Parse()

	if *summarize != "" {
		if err := summarizeFile(*summarize, os.Stdout); err != nil {
			fatal(err)
		}
		return
	}
	if cfg.pubURL == "" && len(cfg.urls) > 0 {
		cfg.pubURL = cfg.urls[0]
	}
	if cfg.scenario == scenarioFailover && cfg.killAfter == 0 {
		cfg.killAfter = cfg.duration / 2
	}
	if cfg.publishers <= 0 {
		cfg.publishers = defaultPublishers(cfg.target, cfg.rate)
	}
	if err := validate(cfg); err != nil {
		fatal(err)
	}
	if err := raiseFileLimit(uint64(cfg.viewers + cfg.publishers + 256)); err != nil {
		fatal(err)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	var r *result
	var err error
	switch cfg.scenario {
	case scenarioIdle, scenarioConnect:
		r, err = runAudience(cfg)
	case scenarioFailover:
		r, err = runFailover(cfg)
	default:
		r, err = runShow(cfg)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fatal(err)
	}
	if *label != "" {
		r.Target = *label
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

// defaultPublishers is enough publishers for livecart's per-connection chat
// limit, and 2 for servers without one.
func defaultPublishers(target string, rate float64) int {
	if target != "livecart" || !(rate > 0) {
		return 2
	}
	return max(2, int(math.Ceil(min(rate, maxRate)/livecartPerPublisher)))
}

func validate(cfg config) error {
	switch cfg.target {
	case "livecart", "gorilla", "centrifugo":
	default:
		return fmt.Errorf("unknown -target %q", cfg.target)
	}
	switch cfg.scenario {
	case scenarioChat, scenarioIdle, scenarioConnect:
	case scenarioFailover:
		if cfg.target != "livecart" {
			return fmt.Errorf("-scenario failover needs -target livecart")
		}
		if cfg.killAfter < 0 || cfg.killAfter >= cfg.duration {
			return fmt.Errorf("-kill-after %v: want 0 to under -duration", cfg.killAfter)
		}
		if cfg.settleWait <= 0 || cfg.settleWait > maxSettle {
			return fmt.Errorf("-catch-up %v: want more than 0, at most %v", cfg.settleWait, maxSettle)
		}
	case scenarioPin, scenarioStorm:
		if cfg.target != "livecart" {
			return fmt.Errorf("-scenario %s needs -target livecart (it pins products)", cfg.scenario)
		}
		if cfg.token == "" {
			return fmt.Errorf("-scenario %s needs -token, the server's host token", cfg.scenario)
		}
	default:
		return fmt.Errorf("unknown -scenario %q", cfg.scenario)
	}
	if len(cfg.urls) == 0 {
		return errors.New("-url: want at least one")
	}
	for _, u := range cfg.urls {
		if err := checkURL(u); err != nil {
			return err
		}
	}
	if cfg.pubURL != "" {
		if err := checkURL(cfg.pubURL); err != nil {
			return err
		}
	}
	if cfg.viewers < 1 || cfg.viewers > maxViewers {
		return fmt.Errorf("-viewers %d: want 1 to %d", cfg.viewers, maxViewers)
	}
	if cfg.dialParallel < 1 || cfg.dialParallel > maxDialParallel {
		return fmt.Errorf("-dial-parallel %d: want 1 to %d", cfg.dialParallel, maxDialParallel)
	}
	if cfg.settle < 0 || cfg.settle > maxSettle {
		return fmt.Errorf("-settle %v: want 0 to %v", cfg.settle, maxSettle)
	}
	if cfg.scenario == scenarioIdle || cfg.scenario == scenarioConnect {
		return nil // no publishing: rate, duration and publishers unused
	}
	if !(cfg.rate > 0 && cfg.rate <= maxRate) {
		return fmt.Errorf("-rate %v: want more than 0, at most %d", cfg.rate, maxRate)
	}
	if cfg.duration <= 0 || cfg.duration > maxDuration {
		return fmt.Errorf("-duration %v: want more than 0, at most %v", cfg.duration, maxDuration)
	}
	if cfg.publishers < 1 || cfg.publishers > maxPublishers {
		return fmt.Errorf("%d publishers: want 1 to %d", cfg.publishers, maxPublishers)
	}
	return nil
}

// checkURL accepts ws:// URLs on a literal loopback address only.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "ws" {
		return fmt.Errorf("-url %q: want ws://127.x.y.z:PORT/path", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || ip.To4() == nil || ip.To4()[0] != 127 {
		return fmt.Errorf("-url %q: host must be a literal 127.0.0.0/8 address", raw)
	}
	return nil
}

// raiseFileLimit makes sure the process may hold need descriptors. Go
// already lifts the soft limit to the hard one at start; past the hard
// limit only a privileged process can go.
func raiseFileLimit(need uint64) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("read open-file limit: %w", err)
	}
	if l.Cur >= need {
		return nil
	}
	l.Cur = need
	l.Max = max(l.Max, need)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("raise open-file limit to %d (see ulimit -Hn): %w", need, err)
	}
	return nil
}

// errNoViewer is returned when not one viewer could connect.
var errNoViewer = errors.New("no viewer connected")

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
