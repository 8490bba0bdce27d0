package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestHistIndexCoversItsBucket(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := []uint32{0, 1, 127, 128, 129, 255, 256, 1000, 65535, 1 << 31, math.MaxUint32}
	for range 100_000 {
		vals = append(vals, uint32(r.Uint64()>>uint(r.IntN(64))))
	}
	for _, v := range vals {
		i := histIndex(v)
		if i < 0 || i >= histBuckets {
			t.Fatalf("histIndex(%d) = %d, outside [0,%d)", v, i, histBuckets)
		}
		lo := uint32(0)
		if i > 0 {
			lo = histUpper(i-1) + 1
		}
		if v < lo || v > histUpper(i) {
			t.Fatalf("%d in bucket %d, which holds [%d,%d]", v, i, lo, histUpper(i))
		}
		if up := histUpper(i); float64(up-v) > float64(v)/histSub+1 {
			t.Fatalf("%d: bucket upper edge %d is more than 1/%d above it", v, up, histSub)
		}
	}
}

func TestQuantileMatchesSortedSamples(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var h histogram
	var all []uint32
	for range 50_000 {
		v := uint32(r.ExpFloat64() * 5000) // µs, a long tail
		all = append(all, v)
	}
	for i := 0; i < len(all); i += 64 {
		h.add(all[i:min(i+64, len(all))])
	}
	slices.Sort(all)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		exact := float64(all[int(math.Ceil(q*float64(len(all))))-1]) / 1000
		got := h.quantileMs(q)
		if got < exact || got > exact*(1+1.0/histSub)+0.002 {
			t.Errorf("q=%v: histogram says %v ms, samples %v ms", q, got, exact)
		}
	}
	if got, want := h.quantileMs(1), float64(all[len(all)-1])/1000; got != round(want, 3) {
		t.Errorf("max: %v, want %v", got, want)
	}
	if h.count() != uint64(len(all)) {
		t.Errorf("count %d, want %d", h.count(), len(all))
	}
	var empty histogram
	if empty.quantileMs(0.99) != 0 {
		t.Error("empty histogram: want 0")
	}
}

func TestParseStampAndSeq(t *testing.T) {
	line := []byte(`{"type":"chat","seq":1042,"ts":"2026-11-25T19:04:05Z","data":{"id":"c1","author":{"id":"u1","name":"a","role":"viewer"},"text":"t=1764097445123456789 n=17"}}`)
	if ts, ok := parseStamp(line); !ok || ts != 1764097445123456789 {
		t.Errorf("parseStamp = %d, %v", ts, ok)
	}
	if seq, ok := parseSeq(line); !ok || seq != 1042 {
		t.Errorf("parseSeq = %d, %v", seq, ok)
	}
	for _, bad := range []string{`t= n=1`, `t=12`, `t=12 x=1`, `no stamp`} {
		if _, ok := parseStamp([]byte(bad)); ok {
			t.Errorf("parseStamp(%q) ok", bad)
		}
	}
	if _, ok := parseSeq([]byte(`{"type":"chat","data":{"text":"own line, held by the cap"}}`)); ok {
		t.Error("parseSeq found a seq in an event without one")
	}
}

func TestRSSTrendSlopeOverSecondHalf(t *testing.T) {
	var at []float64
	var kb []int64
	for i := range 40 {
		at = append(at, float64(i)*0.25)
		v := int64(50_000)
		if i < 20 { // growth while the run warms up must not count
			v = 30_000 + int64(i)*1000
		} else {
			v += int64(i-20) * 25 // 100 KB/s
		}
		kb = append(kb, v)
	}
	tr := rssTrend(at, kb)
	if tr.FirstKB != 30_000 || tr.LastKB != 50_475 || tr.MaxKB != 50_475 || tr.Samples != 40 {
		t.Errorf("trend %+v", *tr)
	}
	if math.Abs(tr.SlopeKBs-100) > 0.01 {
		t.Errorf("slope %v KB/s, want 100", tr.SlopeKBs)
	}
	if rssTrend(nil, nil) != nil {
		t.Error("no samples: want nil")
	}
}

func TestShowSaturated(t *testing.T) {
	full := &MustStats{PinDeliveredRatio: 1, PriceDeliveredRat: 1}
	cases := []struct {
		name, scenario string
		r              result
		want           bool
	}{
		{"chat delivered", scenarioChat, result{DeliveredRatio: 1}, false},
		{"chat short", scenarioChat, result{DeliveredRatio: 0.98}, true},
		{"cpu", scenarioChat, result{DeliveredRatio: 1, CPUBound: true}, true},
		{"storm drops chat by design", scenarioStorm, result{DeliveredRatio: 0.02, MustStats: full}, false},
		{"storm pin lost", scenarioStorm, result{DeliveredRatio: 0.02, MustStats: &MustStats{PinDeliveredRatio: 0.9, PriceDeliveredRat: 1}}, true},
		{"pin chat short", scenarioPin, result{DeliveredRatio: 0.5, MustStats: full}, true},
		{"pin price lost", scenarioPin, result{DeliveredRatio: 1, MustStats: &MustStats{PinDeliveredRatio: 1, PriceDeliveredRat: 0.5}}, true},
	}
	for _, c := range cases {
		if got := showSaturated(c.scenario, &c.r); got != c.want {
			t.Errorf("%s: saturated %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSummarizePairsAndSkipsSaturated(t *testing.T) {
	runs := []result{
		{Scenario: scenarioIdle, Target: "livecart", KBPerConn: 10},
		{Scenario: scenarioIdle, Target: "gorilla", KBPerConn: 20},
		{Scenario: scenarioIdle, Target: "livecart", KBPerConn: 99, Saturated: true},
		{Scenario: scenarioIdle, Target: "gorilla", KBPerConn: 1},
		{Scenario: scenarioIdle, Target: "livecart", KBPerConn: 30},
		{Scenario: scenarioIdle, Target: "gorilla", KBPerConn: 40},
		{Scenario: scenarioIdle, Target: "livecart", KBPerConn: 5},
		{Scenario: scenarioIdle, Target: "gorilla", KBPerConn: 50, Saturated: true},
	}
	var out bytes.Buffer
	if err := summarize(runs, &out); err != nil {
		t.Fatal(err)
	}
	// Ratios 0.5 and 0.75; the pairs with a saturated run are left out.
	if !strings.Contains(out.String(), "pairs with gorilla: 2 used, 2 skipped") || !strings.Contains(out.String(), "median 0.625") {
		t.Errorf("summary:\n%s", out.String())
	}

	// Each other target is paired with ours on its own: a peer, and a
	// second build of livecart labelled apart.
	out.Reset()
	three := []result{
		{Scenario: scenarioChat, Target: "livecart", P99ms: 10, ServerCPUPct: 20},
		{Scenario: scenarioChat, Target: "livecart-before", P99ms: 10, ServerCPUPct: 40},
		{Scenario: scenarioChat, Target: "gorilla", P99ms: 5, ServerCPUPct: 80},
	}
	if err := summarize(three, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "server CPU ours/livecart-before: [0.5]") || !strings.Contains(out.String(), "server CPU ours/gorilla: [0.25]") {
		t.Errorf("summary:\n%s", out.String())
	}

	out.Reset()
	storm := []result{
		{Scenario: scenarioStorm, Target: "livecart", MustStats: &MustStats{PinP99ms: 40}},
		{Scenario: scenarioStorm, Target: "livecart", MustStats: &MustStats{PinP99ms: 10}, Saturated: true},
		{Scenario: scenarioStorm, Target: "livecart", MustStats: &MustStats{PinP99ms: 20}},
	}
	if err := summarize(storm, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pin_p99_ms             median 30.000") {
		t.Errorf("summary:\n%s", out.String())
	}

	if err := summarize([]result{{Scenario: scenarioChat, Target: "livecart", Saturated: true}, {Scenario: scenarioChat, Target: "gorilla"}}, &out); err == nil {
		t.Error("only saturated pairs: want an error")
	}
}

func TestTallyCountsFailedViewersAsLosses(t *testing.T) {
	h := &host{bySeq: map[uint64]sent{7: {kind: kindPin, at: 1_000_000}, 9: {kind: kindPrice, at: 2_000_000}}}
	for k := range h.hist {
		h.hist[k] = &histogram{}
	}
	h.count = [numKinds]int64{kindPin: 1, kindPrice: 1}
	run := &showRun{target: "livecart", host: h}
	a := &viewer{seen: 10, peak: 6}
	b := &viewer{seen: 8, peak: 4, dropped: true}
	a.mustEvent(h, 7, 3_000_000)  // 2 ms after the pin was sent
	b.mustEvent(h, 9, 4_000_000)  // 2 ms after the price
	b.mustEvent(h, 11, 5_000_000) // the host never sent seq 11
	res := &result{Viewers: 3, Offered: 10, DurationS: 2}
	tally(res, []*viewer{a, nil, b}, run, 2)

	if res.Expected != 30 || res.Delivered != 18 || res.DeliveredRatio != 0.6 || res.ViewerDrops != 1 {
		t.Errorf("chat: expected %d delivered %d ratio %v drops %d", res.Expected, res.Delivered, res.DeliveredRatio, res.ViewerDrops)
	}
	if c := res.ChatRate; c.PerViewerMean != 4.5 || c.PerViewerMin != 4 || c.PerViewerMax != 5 || c.PeakSecond != 6 {
		t.Errorf("chat rate %+v", *c)
	}
	m := res.MustStats
	if m.PinDelivered != 1 || m.PriceDelivered != 1 || m.PinDeliveredRatio != round(1.0/3, 5) || m.Unmatched != 1 {
		t.Errorf("must %+v", *m)
	}
	if m.PinMaxMs != 2 {
		t.Errorf("pin latency %v ms, want 2", m.PinMaxMs)
	}
}
