package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// errNothingToCompare is returned when every run, or every pair, saturated.
var errNothingToCompare = errors.New("no unsaturated run to compare")

// summarizeFile reads the JSON lines of earlier runs and prints, per
// scenario, the median ours/peer ratios (chat, idle, connect, pairing the
// i-th livecart run with the i-th run of each other target, a peer or
// another build of livecart) or the medians of livecart's own runs (pin,
// storm). Saturated runs are skipped.
func summarizeFile(path string, w io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var runs []result
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if r.Scenario == "" {
			r.Scenario = scenarioChat // lines from before -scenario
		}
		runs = append(runs, r)
	}
	return summarize(runs, w)
}

func summarize(runs []result, w io.Writer) error {
	var order []string
	byScenario := map[string][]result{}
	for _, r := range runs {
		if _, ok := byScenario[r.Scenario]; !ok {
			order = append(order, r.Scenario)
		}
		byScenario[r.Scenario] = append(byScenario[r.Scenario], r)
	}
	compared := false
	for _, sc := range order {
		var ours []result
		var others []string
		peers := map[string][]result{}
		for _, r := range byScenario[sc] {
			if r.Target == "livecart" {
				ours = append(ours, r)
				continue
			}
			if _, ok := peers[r.Target]; !ok {
				others = append(others, r.Target)
			}
			peers[r.Target] = append(peers[r.Target], r)
		}
		fmt.Fprintf(w, "== %s\n", sc)
		if len(others) == 0 {
			others = []string{""} // our own medians
		}
		for _, other := range others {
			var ok bool
			peer := peers[other]
			switch sc {
			case scenarioPin, scenarioStorm:
				ok = ownMedians(w, ours)
			case scenarioIdle:
				ok = ratios(w, ours, peer, []metric{
					{"kb_per_conn", func(r result) float64 { return r.KBPerConn }},
					{"server CPU", func(r result) float64 { return r.ServerCPUPct }},
				})
			case scenarioConnect:
				ok = ratios(w, ours, peer, []metric{
					{"connect_rate", func(r result) float64 { return r.ConnectRate }},
					{"connect_p99_ms", func(r result) float64 { return r.ConnectP99ms }},
				})
			default:
				ok = ratios(w, ours, peer, []metric{
					{"p99 latency", func(r result) float64 { return r.P99ms }},
					{"server CPU", func(r result) float64 { return r.ServerCPUPct }},
					{"CPU-µs per delivery", func(r result) float64 { return r.CPUusPerDelivery }},
				})
			}
			compared = compared || ok
		}
	}
	if !compared {
		return errNothingToCompare
	}
	return nil
}

type metric struct {
	name string
	get  func(result) float64
}

// ratios prints, for each metric, the medians of each side and the median
// of the per-pair ratios ours/peer over the pairs where neither run
// saturated; a pair whose peer value is 0 (an idle peer's CPU) gives no
// ratio for that metric. With no peer runs it prints our medians only.
func ratios(w io.Writer, ours, peer []result, ms []metric) bool {
	if len(peer) == 0 {
		return ownMedians(w, ours)
	}
	used, skipped := 0, 0
	rs := make([][]float64, len(ms))
	var ov, pv [][]float64 = make([][]float64, len(ms)), make([][]float64, len(ms))
	for i := range min(len(ours), len(peer)) {
		o, p := ours[i], peer[i]
		if o.Saturated || p.Saturated {
			skipped++
			continue
		}
		used++
		for k, m := range ms {
			ov[k] = append(ov[k], m.get(o))
			pv[k] = append(pv[k], m.get(p))
			if m.get(p) > 0 {
				rs[k] = append(rs[k], m.get(o)/m.get(p))
			}
		}
	}
	fmt.Fprintf(w, "pairs with %s: %d used, %d skipped (saturated)\n", peer[0].Target, used, skipped)
	if used == 0 {
		return false
	}
	for k, m := range ms {
		ratio := "no ratio (peer 0)"
		if len(rs[k]) > 0 {
			ratio = fmt.Sprintf("%v  median %.3f", roundAll(rs[k]), median(rs[k]))
		}
		fmt.Fprintf(w, "%s ours/%s: %s  (ours %.3f %v, peer %.3f %v)\n",
			m.name, peer[0].Target, ratio, median(ov[k]), roundAll(ov[k]), median(pv[k]), roundAll(pv[k]))
	}
	return true
}

// ownMedians prints the medians of livecart's unsaturated runs.
func ownMedians(w io.Writer, ours []result) bool {
	var ok []result
	for _, r := range ours {
		if !r.Saturated {
			ok = append(ok, r)
		}
	}
	fmt.Fprintf(w, "livecart runs: %d used, %d skipped (saturated)\n", len(ok), len(ours)-len(ok))
	if len(ok) == 0 {
		return false
	}
	fields := []metric{
		{"delivered_ratio", func(r result) float64 { return r.DeliveredRatio }},
		{"p99_ms", func(r result) float64 { return r.P99ms }},
		{"server_cpu_pct", func(r result) float64 { return r.ServerCPUPct }},
		{"gen_cpu_pct", func(r result) float64 { return r.GenCPUPct }},
		{"kb_per_conn", func(r result) float64 { return r.KBPerConn }},
		{"connect_rate", func(r result) float64 { return r.ConnectRate }},
	}
	if ok[0].MustStats != nil {
		fields = append(fields,
			metric{"pin_delivered_ratio", func(r result) float64 { return mustOr(r, func(m *MustStats) float64 { return m.PinDeliveredRatio }) }},
			metric{"pin_p50_ms", func(r result) float64 { return mustOr(r, func(m *MustStats) float64 { return m.PinP50ms }) }},
			metric{"pin_p99_ms", func(r result) float64 { return mustOr(r, func(m *MustStats) float64 { return m.PinP99ms }) }},
			metric{"pin_max_ms", func(r result) float64 { return mustOr(r, func(m *MustStats) float64 { return m.PinMaxMs }) }},
			metric{"price_delivered_ratio", func(r result) float64 { return mustOr(r, func(m *MustStats) float64 { return m.PriceDeliveredRat }) }},
		)
	}
	if ok[0].ChatRate != nil {
		fields = append(fields,
			metric{"chat_per_viewer_mean", func(r result) float64 { return chatOr(r, func(c *ChatRate) float64 { return c.PerViewerMean }) }},
			metric{"chat_per_viewer_max", func(r result) float64 { return chatOr(r, func(c *ChatRate) float64 { return c.PerViewerMax }) }},
			metric{"chat_peak_1s", func(r result) float64 { return chatOr(r, func(c *ChatRate) float64 { return float64(c.PeakSecond) }) }},
		)
	}
	if ok[0].RSSTrend != nil {
		fields = append(fields,
			metric{"rss_max_kb", func(r result) float64 { return rssOr(r, func(t *RSSTrend) float64 { return float64(t.MaxKB) }) }},
			metric{"rss_slope_kb_per_s", func(r result) float64 { return rssOr(r, func(t *RSSTrend) float64 { return t.SlopeKBs }) }},
		)
	}
	for _, m := range fields {
		vs := make([]float64, len(ok))
		for i, r := range ok {
			vs[i] = m.get(r)
		}
		fmt.Fprintf(w, "%-22s median %.3f  %v\n", m.name, median(vs), roundAll(vs))
	}
	return true
}

func mustOr(r result, f func(*MustStats) float64) float64 {
	if r.MustStats == nil {
		return 0
	}
	return f(r.MustStats)
}

func chatOr(r result, f func(*ChatRate) float64) float64 {
	if r.ChatRate == nil {
		return 0
	}
	return f(r.ChatRate)
}

func rssOr(r result, f func(*RSSTrend) float64) float64 {
	if r.RSSTrend == nil {
		return 0
	}
	return f(r.RSSTrend)
}

func roundAll(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = round(x, 3)
	}
	return out
}

// median is the middle value (the mean of the two middle ones for an even
// count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
