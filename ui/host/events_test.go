package host

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

var errLinkSilent = errors.New("the link went silent")

func TestMetricsUpdateNumbersAndSparklines(t *testing.T) {
	h := joined(t, 80, 24)
	h.mustShow("waiting for the show's metrics")
	for _, v := range []int{10, 20, 40} {
		mt := baseMetrics()
		mt.Viewers, mt.PeakViewers = v, 40
		mt.Revenue = money.New(int64(v)*100, "USD")
		h.metricsEvent(mt)
	}
	if got := h.m.viewersHist.last(3); fmt.Sprint(got) != "[10 20 40]" {
		t.Errorf("viewer samples %v, want [10 20 40]", got)
	}
	if got := sparkline(h.m.viewersHist, 3); got != "▂▄█" {
		t.Errorf("sparkline %q, want ▂▄█", got)
	}
	if got := sparkline(h.m.viewersHist, 5); got != "  ▂▄█" {
		t.Errorf("sparkline %q, want two blanks for the missing samples", got)
	}
	h.mustShow("viewers 40 peak 40", "chat 42/min", "revenue $40.00", "▂▄█",
		"funnel 150 → 36 carted 24% → 14 bought 9%", "checkouts 19", "orders 14", "units 15")
	h.mustNotShow("waiting for the show's metrics")

	// Per product: add-to-carts and sold in the catalog.
	row := rowWith(t, h.view(), "$24.00")
	if f := strings.Fields(row); f[len(f)-2] != "31" || f[len(f)-1] != "12" {
		t.Errorf("mug row %q: want 31 add-to-carts and 12 sold at the end", row)
	}

	// The ring keeps the last sampleCount samples.
	for i := range sampleCount + 5 {
		mt := baseMetrics()
		mt.Viewers = i
		h.metricsEvent(mt)
	}
	last := h.m.viewersHist.last(sampleCount + 10)
	if len(last) != sampleCount || last[0] != 5 || last[sampleCount-1] != sampleCount+4 {
		t.Errorf("ring holds %d samples from %d to %d", len(last), last[0], last[len(last)-1])
	}
}

func rowWith(t *testing.T, view, part string) string {
	t.Helper()
	for _, r := range strings.Split(view, "\n") {
		if strings.Contains(r, part) {
			return r
		}
	}
	t.Fatalf("no row with %q in:\n%s", part, view)
	return ""
}

func TestChatDeletedRemovesTheLine(t *testing.T) {
	h := joined(t, 80, 24)
	h.mustShow("spam.example")
	h.chatFocus("c08")
	h.press("d")
	h.mustShow("sending delete bo's line…")
	h.events(h.env(protocol.TypeChatDeleted, 101, protocol.ChatDeleted{IDs: []string{"c08"}}))
	h.mustNotShow("spam.example", "sending")
	h.mustShow("✓ delete bo's line")
	// The selection passes to a neighbour, still a real line.
	if l, ok := h.m.chat.Selected(); !ok || l.ID != "c09" {
		t.Errorf("selected %+v after the delete, want the next line, c09", l)
	}
	if h.m.chat.Has("c08") {
		t.Error("the pane still holds the deleted line")
	}
}

func TestServerErrorsInTheStatusLine(t *testing.T) {
	cases := []struct {
		code, msg, want string
	}{
		{protocol.ErrCodeForbidden, "only the host can pin products", "✗ pin Speckled Mug (Blue): only the host can pin products (forbidden)"},
		{protocol.ErrCodeNotFound, "no product mug", "no product mug (not found)"},
		{protocol.ErrCodeRateLimited, "too many commands", "too many commands (rate limited: slow down)"},
		{protocol.ErrCodeBadRequest, "pin: variant id \"\" is not a valid id", "(bad request)"},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			h := joined(t, 100, 30)
			h.press("p")
			h.mustShow("sending pin Speckled Mug (Blue)…")
			h.serverError(c.code, c.msg)
			h.mustShow(c.want)
			h.mustNotShow("sending")
			if h.m.Status.Kind != live.StatusError {
				t.Error("the error is not drawn as one")
			}
		})
	}
	t.Run("unprompted", func(t *testing.T) {
		h := joined(t, 100, 30)
		h.serverError(protocol.ErrCodeRateLimited, "slow down")
		h.mustShow("Server: slow down (rate limited: slow down)")
	})
}

func TestCommandsAnsweredByMetricsAfterGrace(t *testing.T) {
	h := joined(t, 80, 24)
	h.chatFocus("c08")
	h.press("b", "y")
	h.mustShow("sending ban bo…")
	h.metricsEvent(baseMetrics())
	h.mustShow("sending ban bo…")
	h.metricsEvent(baseMetrics())
	h.mustNotShow("sending")
	h.mustShow("✓ ban bo")
}

func TestLinkDropForgetsPendingCommands(t *testing.T) {
	h := joined(t, 80, 24)
	h.press("u")
	h.mustShow("sending unpin…")
	h.updates(waiting(errLinkSilent, 1, t0.Add(2*time.Second)))
	h.mustNotShow("sending")
	h.mustShow("unanswered commands may not have reached the show")
}

func TestDealCountdownFollowsTheClock(t *testing.T) {
	tk := &ticker{}
	h := joined(t, 80, 24, func(o *Options) { o.Tick = tk.tick })
	scarf := product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: t0.Add(4*time.Minute + 32*time.Second)}
	h.events(h.env(protocol.TypeProduct, 101, scarf))
	h.mustShow("$31.20 −20% 4:32")
	h.send(tk.lastClock(t, t0.Add(2*time.Second)))
	h.mustShow("$31.20 −20% 4:30")

	// Our clock runs 10 minutes slow: the server's time in the events
	// keeps the countdown right.
	h.now = t0.Add(time.Minute)
	ev := h.env(protocol.TypeViewers, 102, protocol.Viewers{Count: 130})
	h.settle(h.send(live.UpdatesMsg{
		Updates: []client.Update{{Kind: client.UpdateEvents, Events: []protocol.Envelope{ev}}},
		At:      t0.Add(-9 * time.Minute),
	}))
	h.mustShow("−20% 3:32")

	h.send(tk.lastClock(t, t0.Add(-10*time.Minute+6*time.Minute)))
	h.mustShow("−20% ending")
}

func TestTokenIsNeverDrawn(t *testing.T) {
	h := newHarness(t, 160, 50)
	views := []string{h.view()}
	h.start()
	if o := App(h.m.opts).Session; o.Token != testToken || o.Name != "maya" || o.URL != testURL {
		t.Fatalf("session started with %+v, want the token in its options", o)
	}
	h.updates(connecting(1))
	views = append(views, h.view())
	h.updates(snapshot(testWelcome(), 100))
	h.metricsEvent(baseMetrics())
	views = append(views, h.view())
	for _, keys := range [][]string{{"?"}, {"?", "f"}, {"esc", "tab", "t"}, {"esc", "b"}, {"n", "enter"}} {
		h.press(keys...)
		views = append(views, h.view())
	}
	h.serverError(protocol.ErrCodeForbidden, "bad token "+testToken) // even if a server echoed it
	views = append(views, h.view())

	rejected := joined(t, 80, 24)
	w := testWelcome()
	w.You.Role = protocol.RoleViewer
	rejected.updates(snapshot(w, 100))
	views = append(views, rejected.view())
	failed := newHarness(t, 80, 24)
	failed.start()
	failed.updates(connecting(1), client.Update{Kind: client.UpdateFailed, Err: errors.New("server said 404")})
	views = append(views, failed.view())

	for i, v := range views {
		if strings.Contains(v, testToken) {
			t.Errorf("view %d shows the token:\n%s", i, v)
		}
	}
	if err := rejected.m.Err(); err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("Err() = %v", err)
	}
}

func TestRejectedTokenIsAFullScreenError(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.start()
	w := testWelcome()
	w.You = viewer("u-9", "viewer-9")
	h.updates(connecting(1), snapshot(w, 100))
	h.mustShow("The server did not accept this host token")
	h.mustNotShow("Catalog", "Speckled Mug")
	if h.sess.Closes() != 1 {
		t.Errorf("session closed %d times, want 1: a viewer session is of no use here", h.sess.Closes())
	}
	n := len(h.sess.Sent())
	h.press("p", "u", "tab", "d")
	h.mustSendNothing(n)
	if r := h.press("q"); len(r.msgs) == 0 {
		t.Error("q does not quit")
	} else if _, ok := r.msgs[0].(tea.QuitMsg); !ok {
		t.Errorf("q gave %T", r.msgs[0])
	}
	if err := h.m.Err(); err == nil || !strings.Contains(err.Error(), "did not accept this host token") {
		t.Errorf("Err() = %v", err)
	}
}

func TestResumeKeepsTheDashboard(t *testing.T) {
	h := joined(t, 80, 24)
	h.metricsEvent(baseMetrics())
	h.updates(waiting(errLinkSilent, 1, t0.Add(time.Second)), connecting(1))
	w := testWelcome()
	w.Resumed, w.Catalog, w.Chat, w.Pinned, w.Viewers = true, nil, nil, nil, 131
	h.updates(client.Update{Kind: client.UpdateResumed, Welcome: w, Seq: 100})
	h.mustShow("● connected", "131 watching", "Speckled Mug", "Reconnected · nothing was missed")
}

func TestSnapshotAfterDropRemovesLinesDeletedMeanwhile(t *testing.T) {
	h := joined(t, 80, 24)
	h.updates(waiting(errLinkSilent, 1, t0.Add(time.Second)), connecting(1))
	w := testWelcome()
	w.Chat = append(w.Chat[:7:7], w.Chat[8:]...) // c08 was deleted while we were away
	h.updates(client.Update{Kind: client.UpdateSnapshot, Welcome: w, Seq: 120, Missed: true})
	if h.m.chat.Has("c08") {
		t.Error("a line deleted while offline is still shown")
	}
	h.mustShow("some messages were missed")
}

func TestSelectionFollowsTheProductWhenTheCatalogChanges(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("candle")
	h.events(h.env(protocol.TypeProduct, 101, product("hat", "Bobble Hat", 2000, protocol.Variant{ID: "hat-1", Name: "One", Stock: 3})))
	if p, _ := h.m.selected(); p.ID != "candle" {
		t.Errorf("selection moved to %s", p.ID)
	}
}

func TestKeysAndHelpFollowTheFocus(t *testing.T) {
	h := joined(t, 160, 50)
	h.mustShow("p pin", "f deal", "tab chat")
	h.mustNotShow("d delete line")
	h.press("tab")
	h.mustShow("d delete line", "t time out", "b ban", "tab catalog")
	h.mustNotShow("p pin")
	h.press("?")
	h.mustShow("Watch as a viewer in another terminal: "+testHint, "slow mode", "blocked words", "newest chat")
	h.press("?")
	h.mustNotShow("Watch as a viewer")
}

func TestHostileTextIsSanitized(t *testing.T) {
	h := joined(t, 120, 30)
	h.events(h.env(protocol.TypeChat, 101, protocol.Chat{ID: "c99", Author: viewer("u-x", "x\x1b]0;pwn\x07"), Text: "hi\x1b[2J\u202eevil"}))
	mt := baseMetrics()
	mt.BlockedWords = []string{"bad\x1b[31m"}
	h.metricsEvent(mt)
	raw := h.m.View().Content
	for _, bad := range []string{"\x1b]0;pwn", "\x1b[2J", "\u202e", "\x07"} {
		if strings.Contains(raw, bad) {
			t.Errorf("view carries %q", bad)
		}
	}
	h.mustShow("hievil")
	if h.m.metrics.BlockedWords[0] != "bad" {
		t.Errorf("blocked word %q kept its escape", h.m.metrics.BlockedWords[0])
	}
}

func TestReconnectCountdownKeepsTicking(t *testing.T) {
	tk := &ticker{}
	h := newHarness(t, 80, 24, func(o *Options) { o.Tick = tk.tick })
	h.start()
	h.updates(connecting(1), waiting(errLinkSilent, 2, t0.Add(4*time.Second)))
	h.mustShow("Can't reach the show", "attempt 2 in 4s")
	h.updates(connecting(2), waiting(errLinkSilent, 3, t0.Add(8*time.Second)))
	h.send(tk.lastClock(t, t0.Add(time.Second)))
	h.mustShow("attempt 3 in 7s")
	h.send(tk.lastClock(t, t0.Add(3*time.Second)))
	h.mustShow("attempt 3 in 5s")
}

func TestPromptKeepsItsTextWhileOffline(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("scarf")
	h.press("f")
	h.typeText("20% 5m")
	h.updates(waiting(errLinkSilent, 1, t0.Add(time.Second)))
	n := len(h.sess.Sent())
	h.press("enter")
	h.mustSendNothing(n)
	if h.m.mode != modePrompt || h.m.input.Value() != "20% 5m" {
		t.Fatalf("mode %d, input %q: the answer was lost", h.m.mode, h.m.input.Value())
	}
	h.updates(connecting(1), snapshot(testWelcome(), 120))
	h.press("enter")
	mustEqual(t, h.lastSent(protocol.TypeStartDeal), protocol.StartDeal{ProductID: "scarf", Percent: 20, Seconds: 300})
}

// The clock ticks only while something on the dashboard counts down: a
// deal in the catalog, or the wait for the next attempt.
func TestClockRestsWhenNothingCountsDown(t *testing.T) {
	tk := &ticker{}
	h := joined(t, 80, 24, func(o *Options) { o.Tick = tk.tick })
	n := len(tk.clocks())
	if n != 0 {
		t.Fatalf("%d clock ticks with nothing counting down", n)
	}
	scarf := product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: t0.Add(3 * time.Second)}
	h.events(h.env(protocol.TypeProduct, 101, scarf))
	if len(tk.clocks()) != 1 {
		t.Fatal("a deal did not start the clock")
	}
	h.send(tk.lastClock(t, t0.Add(2*time.Second)))
	h.send(tk.lastClock(t, t0.Add(4*time.Second))) // the deal is over
	n = len(tk.clocks())
	h.send(tk.lastClock(t, t0.Add(5*time.Second)))
	if len(tk.clocks()) != n {
		t.Error("the clock kept ticking once nothing counted down")
	}
	h.updates(waiting(errLinkSilent, 2, t0.Add(9*time.Second)))
	if len(tk.clocks()) != n+1 {
		t.Error("the wait for the next attempt did not start the clock")
	}
}

// Before the show was ever on screen, the dashboard tries again; it has
// nothing to reconnect to (as the viewer says it).
func TestFirstConnectionTriesAgain(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.start()
	h.updates(connecting(1), waiting(errLinkSilent, 2, t0.Add(4*time.Second)))
	h.mustShow("Can't reach the show", "○ trying again · attempt 2 in 4s", "r try now")
	h.mustNotShow("reconnect")
	h.press("r")
	if want := "Reconnecting to " + testURL + "…"; h.m.Status.Text != want {
		t.Errorf("status %q after r, want %q", h.m.Status.Text, want)
	}
}
