package viewer

import (
	"encoding/json"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// The harness in helpers_test.go takes a *testing.T; benchmarks need the
// same live viewer from a testing.TB, so these build it with the same
// fakes and messages, one Update at a time.

// step calls Update and drops the command: benchmarks and the storm test
// drive the model by hand and run nothing it asks for.
func step(tb testing.TB, m Model, msg tea.Msg) Model {
	next, _ := m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		tb.Fatalf("Update returned %T, want viewer.Model", next)
	}
	return nm
}

// liveModel is a viewer of w by h cells connected to testWelcome at seq
// 100 with its (empty) cart loaded, as live() builds it.
func liveModel(tb testing.TB, w, h int) Model {
	tb.Helper()
	m := New(Options{
		URL:         uitest.URL,
		Name:        "me",
		Theme:       "dark",
		OpenBrowser: true,
		Opener:      (&opener{}).Opener(),
		Carts:       newMemStore(),
		Tick:        uitest.NoTick,
	}, uitest.NewSession())
	m = step(tb, m, tea.WindowSizeMsg{Width: w, Height: h})
	m = step(tb, m, live.UpdatesMsg{Updates: []client.Update{uitest.Connecting(1), uitest.Snapshot(testWelcome(), 100, false)}, At: uitest.T0})
	m = step(tb, m, loadCart(m.saver, m.opts.Carts, m.cartKey)())
	if m.Phase != live.PhaseLive || !m.cartLoaded {
		tb.Fatalf("not live with a loaded cart: phase %v, cart loaded %v", m.Phase, m.cartLoaded)
	}
	return m
}

// stormTexts are the lines a flood is made of: short and long (wrapping
// at 120 columns), emoji, and one that mentions the viewer.
var stormTexts = []string{
	"lol",
	"that blue is gorgeous",
	"is the sand one coming back? I missed it last week and my sister has been asking me every single day since",
	"🍵🍵🍵 tea time",
	"@me did you get the green one in the end?",
	"adding one!!",
	"how big is the scarf, does it go twice round the neck or is it more of a cowl?",
}

// stormEvents returns n chat events with seqs and IDs from first on, from
// a rotating cast of viewers and now and then the host.
func stormEvents(tb testing.TB, first, n int) []protocol.Envelope {
	tb.Helper()
	out := make([]protocol.Envelope, 0, n)
	for i := first; i < first+n; i++ {
		who := protocol.Identity{ID: fmt.Sprintf("u-%d", i%211), Name: fmt.Sprintf("viewer_%d", i%211), Role: protocol.RoleViewer}
		if i%40 == 0 {
			who = protocol.Identity{ID: "maya", Name: "Maya", Role: protocol.RoleHost}
		}
		raw, err := json.Marshal(protocol.Chat{ID: fmt.Sprintf("s%d", i), Author: who, Text: stormTexts[i%len(stormTexts)]})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, protocol.Envelope{Type: protocol.TypeChat, Seq: uint64(i), TS: uitest.T0, Data: raw})
	}
	return out
}

// burst is one bridge message carrying events, as live.Wait hands over a
// flood: one UpdateEvents, as the session batches queued frames.
func burst(events []protocol.Envelope) live.UpdatesMsg {
	return live.UpdatesMsg{Updates: []client.Update{uitest.EventsUpdate(events...)}, At: uitest.T0}
}

var frameSink string

// BenchmarkFrame120x40 measures one frame of a live viewer at 120x40 (the
// wide layout: chat beside the card and cart) with a full chat pane.
func BenchmarkFrame120x40(b *testing.B) {
	m := liveModel(b, 120, 40)
	m = step(b, m, burst(stormEvents(b, 101, chat.DefaultScrollback)))
	if m.chat.Len() != chat.DefaultScrollback {
		b.Fatalf("chat holds %d lines, want a full pane of %d", m.chat.Len(), chat.DefaultScrollback)
	}
	b.ReportAllocs()
	for b.Loop() {
		frameSink = m.View().Content
	}
}

// BenchmarkStormUpdate measures one bridge message carrying 100 chat
// events through Update, chat pane already full: decode, apply, style,
// wrap, evict the oldest lines, lay out. No frame is drawn.
func BenchmarkStormUpdate(b *testing.B) {
	const perMsg, msgs = 100, 64
	m := liveModel(b, 120, 40)
	m = step(b, m, burst(stormEvents(b, 101, chat.DefaultScrollback)))
	bursts := make([]live.UpdatesMsg, msgs)
	for i := range bursts {
		bursts[i] = burst(stormEvents(b, 101+chat.DefaultScrollback+i*perMsg, perMsg))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m = step(b, m, bursts[i%msgs])
		i++
	}
	b.ReportMetric(float64(i*perMsg)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStormFrame measures one frame of a 2,000 lines/s chat storm at
// 120x40: the bridge message carrying a frame's worth of lines (2,000/60)
// through Update, then View. The pane is full, so every line evicts one.
func BenchmarkStormFrame(b *testing.B) {
	const perFrame, msgs = 34, 64
	m := liveModel(b, 120, 40)
	m = step(b, m, burst(stormEvents(b, 101, chat.DefaultScrollback)))
	bursts := make([]live.UpdatesMsg, msgs)
	for i := range bursts {
		bursts[i] = burst(stormEvents(b, 101+chat.DefaultScrollback+i*perFrame, perFrame))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m = step(b, m, bursts[i%msgs])
		frameSink = m.View().Content
		i++
	}
	b.ReportMetric(float64(i*perFrame)/b.Elapsed().Seconds(), "events/s")
}
