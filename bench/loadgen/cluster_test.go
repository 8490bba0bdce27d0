package main

import (
	"flag"
	"io"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

func parseFlags(t *testing.T, args ...string) (urlList, serverList, error) {
	t.Helper()
	var urls urlList
	var servers serverList
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&urls, "url", "")
	fs.Var(&servers, "server-pid", "")
	err := fs.Parse(args)
	return urls, servers, err
}

func TestURLsRepeatedOrCommaSeparated(t *testing.T) {
	urls, _, err := parseFlags(t, "-url", "ws://127.0.0.1:1/ws, ws://127.0.0.1:2/ws", "-url", "ws://127.0.0.1:3/ws", "-url", ",")
	if err != nil {
		t.Fatal(err)
	}
	want := urlList{"ws://127.0.0.1:1/ws", "ws://127.0.0.1:2/ws", "ws://127.0.0.1:3/ws"}
	if !slices.Equal(urls, want) {
		t.Fatalf("urls %q, want %q", urls, want)
	}
	cfg := config{urls: urls}
	for i, w := range []int{0, 1, 2, 0, 1, 2, 0} {
		if got := cfg.viewerURL(i); got != want[w] {
			t.Errorf("viewer %d dials %s, want %s", i, got, want[w])
		}
	}
	if got := rotate(want, 4); !slices.Equal(got, []string{want[1], want[2], want[0]}) {
		t.Errorf("rotate(…, 4) = %q", got)
	}
}

func TestValidateChecksEveryURL(t *testing.T) {
	base := config{scenario: scenarioChat, target: "livecart", viewers: 10, dialParallel: 4, rate: 10, duration: time.Second, publishers: 2}
	ok := base
	ok.urls = urlList{"ws://127.0.0.1:1/ws", "ws://127.0.0.2:2/ws"}
	ok.pubURL = "ws://127.0.0.1:3/ws"
	if err := validate(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, edit := range map[string]func(*config){
		"no url":           func(c *config) { c.urls = nil },
		"second not local": func(c *config) { c.urls = append(slices.Clone(c.urls), "ws://10.0.0.1:1/ws") },
		"pub not local":    func(c *config) { c.pubURL = "ws://example.com/ws" },
		"failover peer":    func(c *config) { c.scenario, c.target = scenarioFailover, "gorilla" },
		"kill too late":    func(c *config) { c.scenario, c.killAfter, c.settleWait = scenarioFailover, 2*time.Second, time.Second },
	} {
		c := ok
		edit(&c)
		if validate(c) == nil {
			t.Errorf("%s: validate accepted it", name)
		}
	}
}

func TestServerPIDsNamedOrBare(t *testing.T) {
	_, servers, err := parseFlags(t, "-server-pid", "owner=10,edge0=11", "-server-pid", "12")
	if err != nil {
		t.Fatal(err)
	}
	want := serverList{{"owner", 10}, {"edge0", 11}, {"server2", 12}}
	if !slices.Equal(servers, want) {
		t.Fatalf("servers %v, want %v", servers, want)
	}
	_, single, err := parseFlags(t, "-server-pid", "42")
	if err != nil || !slices.Equal(single, serverList{{"server", 42}}) {
		t.Fatalf("single pid: %v, %v", single, err)
	}
	for _, bad := range [][]string{
		{"-server-pid", "x"},
		{"-server-pid", "owner=0"},
		{"-server-pid", "=5"},
		{"-server-pid", "a=5,b=5"},
		{"-server-pid", "a=5,a=6"},
	} {
		if _, _, err := parseFlags(t, bad...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestServersCPUSumsAndMarksTheGone(t *testing.T) {
	t0 := time.Unix(1000, 0)
	t1 := t0.Add(2 * time.Second)
	l := serverList{{"owner", 1}, {"edge0", 2}, {"edge1", 3}}
	a := setSample{
		each: []procSample{{ticks: 100, at: t0}, {ticks: 50, at: t0}, {ticks: 7, at: t0}},
		ok:   []bool{true, true, true},
	}
	b := setSample{
		// 2 s: owner 60 ticks = 30 %, edge0 gone, edge1 100 ticks = 50 %.
		each: []procSample{{ticks: 160, rssKB: 1000, at: t1}, {}, {ticks: 107, rssKB: 3000, at: t1}},
		ok:   []bool{true, false, true},
	}
	total, each := serversCPU(l, a, b)
	if total != 80 {
		t.Errorf("total %v%%, want 80", total)
	}
	want := []ProcStat{
		{Name: "owner", PID: 1, CPUPct: 30, RSSKB: 1000},
		{Name: "edge0", PID: 2, Gone: true},
		{Name: "edge1", PID: 3, CPUPct: 50, RSSKB: 3000},
	}
	if !slices.Equal(each, want) {
		t.Errorf("each %+v, want %+v", each, want)
	}
	if b.rssKB() != 4000 {
		t.Errorf("rss %d, want 4000 (the gone process left out)", b.rssKB())
	}

	// The killed edge's CPU up to its kill joins the sum.
	res := &result{ServerCPUPct: total, Servers: each, CPUWindowS: 2}
	pre := setSample{each: []procSample{{}, {ticks: 90, rssKB: 500}, {}}, ok: []bool{false, true, false}}
	if got := addKilled(l, a, pre, res); got != 100 {
		t.Errorf("with the killed edge: %v%%, want 100", got)
	}
	if res.Servers[1].CPUPct != 20 || res.Servers[1].RSSKB != 500 {
		t.Errorf("killed edge %+v, want 20%% and 500 KB", res.Servers[1])
	}
}

func TestCPUPerDelivery(t *testing.T) {
	// 150 % of a core for 10 s is 15 CPU-s; over 3 million deliveries, 5 µs each.
	r := &result{ServerCPUPct: 150, CPUWindowS: 10, Delivered: 3_000_000}
	if got := cpuPerDelivery(r); got != 5 {
		t.Errorf("%v µs per delivery, want 5", got)
	}
	if got := cpuPerDelivery(&result{ServerCPUPct: 150, CPUWindowS: 10}); got != 0 {
		t.Errorf("no deliveries: %v, want 0", got)
	}
}

func TestReadSetReadsThisProcess(t *testing.T) {
	s := readSet(serverList{{"self", os.Getpid()}, {"none", 1 << 30}})
	if !s.ok[0] || s.ok[1] {
		t.Fatalf("ok %v, want [true false]", s.ok)
	}
	if s.rssKB() <= 0 || s.rssKB() != s.each[0].rssKB {
		t.Errorf("rss %d", s.rssKB())
	}
}

// events makes chat envelopes with the given seqs.
func events(seqs ...uint64) client.Update {
	u := client.Update{Kind: client.UpdateEvents}
	for _, s := range seqs {
		u.Events = append(u.Events, protocol.Envelope{Seq: s, Type: protocol.TypeChat, Data: []byte(`{"text":"` + strconv.FormatUint(s, 10) + `"}`)})
	}
	return u
}

func TestTallyFailoverFindsGapsDupsAndMismatches(t *testing.T) {
	var killed struct{ v atomic.Int64 }
	var chat histogram
	welcome := func(v *fviewer, kind client.UpdateKind, seq uint64, url string) {
		v.apply(client.Update{Kind: kind, Seq: seq, URL: url}, &killed.v, &chat)
	}
	newV := func() *fviewer { return &fviewer{up: make(chan struct{})} }
	ref := newV()
	welcome(ref, client.UpdateSnapshot, 10, "owner")
	ref.apply(events(11, 12, 13, 14, 15), &killed.v, &chat)

	exact := newV() // moved, resumed, every event once
	welcome(exact, client.UpdateSnapshot, 11, "e0")
	exact.apply(events(12, 13), &killed.v, &chat)
	welcome(exact, client.UpdateResumed, 13, "e1")
	exact.apply(events(14, 15), &killed.v, &chat)

	gap := newV()
	welcome(gap, client.UpdateSnapshot, 10, "e1")
	gap.apply(events(11, 13, 14, 15), &killed.v, &chat)

	dup := newV()
	welcome(dup, client.UpdateSnapshot, 10, "e1")
	dup.apply(events(11, 12, 13, 13, 14, 15), &killed.v, &chat)

	other := newV()
	welcome(other, client.UpdateSnapshot, 10, "e2")
	other.apply(events(11, 12), &killed.v, &chat)
	other.apply(client.Update{Kind: client.UpdateEvents, Events: []protocol.Envelope{{Seq: 13, Type: protocol.TypeChat, Data: []byte(`{"text":"else"}`)}}}, &killed.v, &chat)
	other.apply(events(14, 15), &killed.v, &chat)

	behind := newV()
	welcome(behind, client.UpdateSnapshot, 10, "e2")
	behind.apply(events(11, 12), &killed.v, &chat)

	resnap := newV() // a second full snapshot: it did not resume
	welcome(resnap, client.UpdateSnapshot, 10, "e0")
	welcome(resnap, client.UpdateSnapshot, 12, "e1")
	resnap.apply(events(13, 14, 15), &killed.v, &chat)

	vs := []*fviewer{exact, gap, dup, other, behind, resnap}
	res := &result{Viewers: len(vs), DurationS: 1}
	fo := &Failover{}
	tallyFailover(res, fo, ref, vs, 15, 0, &chat)
	want := Failover{
		RefLastSeq: 15, RefEvents: 5, Moved: 2, Reconnected: 2, Resumes: 1, ExtraSnapshots: 1,
		Exact: 1, Gaps: 2, Dups: 1, Mismatch: 1, Behind: 1,
	}
	if *fo != want {
		t.Errorf("got  %+v\nwant %+v", *fo, want)
	}
}
