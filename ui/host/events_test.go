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
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

var errLinkSilent = errors.New("the link went silent")

func TestMetricsUpdateNumbersAndSparklines(t *testing.T) {
	h := joined(t, 80, 24)
	h.MustShow("waiting for the show's metrics")
	for _, v := range []int{10, 20, 40} {
		mt := baseMetrics()
		mt.Viewers, mt.PeakViewers = v, 40
		mt.Revenue = money.New(int64(v)*100, "USD")
		h.metricsEvent(mt)
	}
	if got := h.M.viewersHist.last(3); fmt.Sprint(got) != "[10 20 40]" {
		t.Errorf("viewer samples %v, want [10 20 40]", got)
	}
	if got := sparkline(h.M.viewersHist, 3); got != "▂▄█" {
		t.Errorf("sparkline %q, want ▂▄█", got)
	}
	if got := sparkline(h.M.viewersHist, 5); got != "  ▂▄█" {
		t.Errorf("sparkline %q, want two blanks for the missing samples", got)
	}
	h.MustShow("viewers 40 peak 40", "chat 42/min", "revenue $40.00", "▂▄█",
		"funnel 150 → 36 carted 24% → 14 bought 9%", "checkouts 19", "orders 14", "units 15")
	h.MustNotShow("waiting for the show's metrics")

	// Per product: add-to-carts and sold in the catalog.
	row := rowWith(t, h.View(), "$24.00")
	if f := strings.Fields(row); f[len(f)-2] != "31" || f[len(f)-1] != "12" {
		t.Errorf("mug row %q: want 31 add-to-carts and 12 sold at the end", row)
	}

	// The ring keeps the last sampleCount samples.
	for i := range sampleCount + 5 {
		mt := baseMetrics()
		mt.Viewers = i
		h.metricsEvent(mt)
	}
	last := h.M.viewersHist.last(sampleCount + 10)
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
	h.MustShow("spam.example")
	h.chatFocus("c08")
	h.PressSettle("d")
	h.slowAnswers()
	h.MustShow("sending delete bo's line…")
	h.Events(h.env(protocol.TypeChatDeleted, 101, protocol.ChatDeleted{IDs: []string{"c08"}}))
	h.MustNotShow("spam.example", "sending")
	h.MustShow("✓ delete bo's line")
	// The selection passes to a neighbour, still a real line.
	if l, ok := h.M.chat.Selected(); !ok || l.ID != "c09" {
		t.Errorf("selected %+v after the delete, want the next line, c09", l)
	}
	if h.M.chat.Has("c08") {
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
			h.PressSettle("p")
			h.slowAnswers()
			h.MustShow("sending pin Speckled Mug (Blue)…")
			h.serverError(c.code, c.msg)
			h.MustShow(c.want)
			h.MustNotShow("sending")
			if h.M.Status.Kind != live.StatusError {
				t.Error("the error is not drawn as one")
			}
		})
	}
	t.Run("unprompted", func(t *testing.T) {
		h := joined(t, 100, 30)
		h.serverError(protocol.ErrCodeRateLimited, "slow down")
		h.MustShow("Server: slow down (rate limited: slow down)")
	})
}

func TestCommandsAnsweredByMetricsAfterGrace(t *testing.T) {
	h := joined(t, 80, 24)
	h.chatFocus("c08")
	h.PressSettle("b", "y")
	h.slowAnswers()
	h.MustShow("sending ban bo…")
	h.metricsEvent(baseMetrics())
	h.MustShow("sending ban bo…")
	h.metricsEvent(baseMetrics())
	h.MustNotShow("sending")
	h.MustShow("✓ ban bo")
}

func TestLinkDropForgetsPendingCommands(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("u")
	h.slowAnswers()
	h.MustShow("sending unpin…")
	h.Updates(uitest.Waiting(errLinkSilent, 1, uitest.T0.Add(2*time.Second)))
	h.MustNotShow("sending")
	h.MustShow("unanswered commands may not have reached the show")
}

func TestDealCountdownFollowsTheClock(t *testing.T) {
	tk := &uitest.Ticker{}
	h := joined(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	scarf := uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: uitest.T0.Add(4*time.Minute + 32*time.Second)}
	h.Events(h.env(protocol.TypeProduct, 101, scarf))
	h.MustShow("$31.20 −20% 4:32")
	h.Send(tk.LastClock(t, uitest.T0.Add(2*time.Second)))
	h.MustShow("$31.20 −20% 4:30")

	// Our clock runs 10 minutes slow: the server's time in the events
	// keeps the countdown right.
	h.Now = uitest.T0.Add(time.Minute)
	ev := h.env(protocol.TypeViewers, 102, protocol.Viewers{Count: 130})
	h.Settle(h.Send(live.UpdatesMsg{
		Updates: []client.Update{{Kind: client.UpdateEvents, Events: []protocol.Envelope{ev}}},
		At:      uitest.T0.Add(-9 * time.Minute),
	}))
	h.MustShow("−20% 3:32")

	h.Send(tk.LastClock(t, uitest.T0.Add(-10*time.Minute+6*time.Minute)))
	h.MustShow("−20% ending")
}

func TestTokenIsNeverDrawn(t *testing.T) {
	h := newHarness(t, 160, 50)
	views := []string{h.View()}
	h.Start()
	if o := App(h.M.opts).Session; o.Token != testToken || o.Name != "maya" || o.URL != uitest.URL {
		t.Fatalf("session started with %+v, want the token in its options", o)
	}
	h.Updates(uitest.Connecting(1))
	views = append(views, h.View())
	h.Updates(uitest.Snapshot(testWelcome(), 100, false))
	h.metricsEvent(baseMetrics())
	views = append(views, h.View())
	for _, keys := range [][]string{{"?"}, {"?", "f"}, {"esc", "tab", "t"}, {"esc", "b"}, {"n", "enter"}} {
		h.PressSettle(keys...)
		views = append(views, h.View())
	}
	h.serverError(protocol.ErrCodeForbidden, "bad token "+testToken) // even if a server echoed it
	views = append(views, h.View())

	rejected := joined(t, 80, 24)
	w := testWelcome()
	w.You.Role = protocol.RoleViewer
	rejected.Updates(uitest.Snapshot(w, 100, false))
	views = append(views, rejected.View())
	failed := newHarness(t, 80, 24)
	failed.Start()
	failed.Updates(uitest.Connecting(1), client.Update{Kind: client.UpdateFailed, Err: errors.New("server said 404")})
	views = append(views, failed.View())

	for i, v := range views {
		if strings.Contains(v, testToken) {
			t.Errorf("view %d shows the token:\n%s", i, v)
		}
	}
	if err := rejected.M.Err(); err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("Err() = %v", err)
	}
}

func TestRejectedTokenIsAFullScreenError(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.Start()
	w := testWelcome()
	w.You = uitest.Viewer("u-9", "viewer-9")
	h.Updates(uitest.Connecting(1), uitest.Snapshot(w, 100, false))
	h.MustShow("The server did not accept this host token")
	h.MustNotShow("Catalog", "Speckled Mug")
	if h.sess.Closes() != 1 {
		t.Errorf("session closed %d times, want 1: a viewer session is of no use here", h.sess.Closes())
	}
	n := len(h.sess.Sent())
	h.PressSettle("p", "u", "tab", "d")
	h.mustSendNothing(n)
	if r := h.PressSettle("q"); len(r.Msgs) == 0 {
		t.Error("q does not quit")
	} else if _, ok := r.Msgs[0].(tea.QuitMsg); !ok {
		t.Errorf("q gave %T", r.Msgs[0])
	}
	if err := h.M.Err(); err == nil || !strings.Contains(err.Error(), "did not accept this host token") {
		t.Errorf("Err() = %v", err)
	}
}

func TestResumeKeepsTheDashboard(t *testing.T) {
	h := joined(t, 80, 24)
	h.metricsEvent(baseMetrics())
	h.Updates(uitest.Waiting(errLinkSilent, 1, uitest.T0.Add(time.Second)), uitest.Connecting(1))
	w := testWelcome()
	w.Resumed, w.Catalog, w.Chat, w.Pinned, w.Viewers = true, nil, nil, nil, 131
	h.Updates(client.Update{Kind: client.UpdateResumed, Welcome: w, Seq: 100})
	h.MustShow("● connected", "131 watching", "Speckled Mug", "Reconnected · nothing was missed")
}

func TestSnapshotAfterDropRemovesLinesDeletedMeanwhile(t *testing.T) {
	h := joined(t, 80, 24)
	h.Updates(uitest.Waiting(errLinkSilent, 1, uitest.T0.Add(time.Second)), uitest.Connecting(1))
	w := testWelcome()
	w.Chat = append(w.Chat[:7:7], w.Chat[8:]...) // c08 was deleted while we were away
	h.Updates(client.Update{Kind: client.UpdateSnapshot, Welcome: w, Seq: 120, Missed: true})
	if h.M.chat.Has("c08") {
		t.Error("a line deleted while offline is still shown")
	}
	h.MustShow("some messages were missed")
}

func TestSelectionFollowsTheProductWhenTheCatalogChanges(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("candle")
	h.Events(h.env(protocol.TypeProduct, 101, uitest.Product("hat", "Bobble Hat", 2000, protocol.Variant{ID: "hat-1", Name: "One", Stock: 3})))
	if p, _ := h.M.selected(); p.ID != "candle" {
		t.Errorf("selection moved to %s", p.ID)
	}
}

func TestKeysAndHelpFollowTheFocus(t *testing.T) {
	h := joined(t, 160, 50)
	h.MustShow("p pin", "f deal", "tab chat")
	h.MustNotShow("d delete line")
	h.PressSettle("tab")
	h.MustShow("d delete line", "t time out", "b ban", "tab catalog")
	h.MustNotShow("p pin")
	h.PressSettle("?")
	h.MustShow("Watch as a viewer in another terminal: "+testHint, "slow mode", "blocked words", "newest chat")
	h.PressSettle("?")
	h.MustNotShow("Watch as a viewer")
}

func TestHostileTextIsSanitized(t *testing.T) {
	h := joined(t, 120, 30)
	h.Events(h.env(protocol.TypeChat, 101, protocol.Chat{ID: "c99", Author: uitest.Viewer("u-x", "x\x1b]0;pwn\x07"), Text: "hi\x1b[2J\u202eevil"}))
	mt := baseMetrics()
	mt.BlockedWords = []string{"bad\x1b[31m"}
	h.metricsEvent(mt)
	raw := h.M.View().Content
	for _, bad := range []string{"\x1b]0;pwn", "\x1b[2J", "\u202e", "\x07"} {
		if strings.Contains(raw, bad) {
			t.Errorf("view carries %q", bad)
		}
	}
	h.MustShow("hievil")
	if h.M.metrics.BlockedWords[0] != "bad" {
		t.Errorf("blocked word %q kept its escape", h.M.metrics.BlockedWords[0])
	}
}

func TestReconnectCountdownKeepsTicking(t *testing.T) {
	tk := &uitest.Ticker{}
	h := newHarness(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	h.Start()
	h.Updates(uitest.Connecting(1), uitest.Waiting(errLinkSilent, 2, uitest.T0.Add(4*time.Second)))
	h.MustShow("Can't reach the show", "attempt 2 in 4s")
	h.Updates(uitest.Connecting(2), uitest.Waiting(errLinkSilent, 3, uitest.T0.Add(8*time.Second)))
	h.Send(tk.LastClock(t, uitest.T0.Add(time.Second)))
	h.MustShow("attempt 3 in 7s")
	h.Send(tk.LastClock(t, uitest.T0.Add(3*time.Second)))
	h.MustShow("attempt 3 in 5s")
}

func TestPromptKeepsItsTextWhileOffline(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("scarf")
	h.PressSettle("f")
	h.TypeText("20% 5m")
	h.Updates(uitest.Waiting(errLinkSilent, 1, uitest.T0.Add(time.Second)))
	n := len(h.sess.Sent())
	h.PressSettle("enter")
	h.mustSendNothing(n)
	if h.M.mode != modePrompt || h.M.input.Value() != "20% 5m" {
		t.Fatalf("mode %d, input %q: the answer was lost", h.M.mode, h.M.input.Value())
	}
	h.Updates(uitest.Connecting(1), uitest.Snapshot(testWelcome(), 120, false))
	h.PressSettle("enter")
	mustEqual(t, h.lastSent(protocol.TypeStartDeal), protocol.StartDeal{ProductID: "scarf", Percent: 20, Seconds: 300})
}

// The clock ticks only while something on the dashboard counts down: a
// deal in the catalog, or the wait for the next attempt.
func TestClockRestsWhenNothingCountsDown(t *testing.T) {
	tk := &uitest.Ticker{}
	h := joined(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	n := len(tk.Clocks())
	if n != 0 {
		t.Fatalf("%d clock ticks with nothing counting down", n)
	}
	scarf := uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: uitest.T0.Add(3 * time.Second)}
	h.Events(h.env(protocol.TypeProduct, 101, scarf))
	if len(tk.Clocks()) != 1 {
		t.Fatal("a deal did not start the clock")
	}
	h.Send(tk.LastClock(t, uitest.T0.Add(2*time.Second)))
	h.Send(tk.LastClock(t, uitest.T0.Add(4*time.Second))) // the deal is over
	n = len(tk.Clocks())
	h.Send(tk.LastClock(t, uitest.T0.Add(5*time.Second)))
	if len(tk.Clocks()) != n {
		t.Error("the clock kept ticking once nothing counted down")
	}
	h.Updates(uitest.Waiting(errLinkSilent, 2, uitest.T0.Add(9*time.Second)))
	if len(tk.Clocks()) != n+1 {
		t.Error("the wait for the next attempt did not start the clock")
	}
}

// Before the show was ever on screen, the dashboard tries again; it has
// nothing to reconnect to (as the viewer says it).
func TestFirstConnectionTriesAgain(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.Start()
	h.Updates(uitest.Connecting(1), uitest.Waiting(errLinkSilent, 2, uitest.T0.Add(4*time.Second)))
	h.MustShow("Can't reach the show", "○ trying again · attempt 2 in 4s", "r try now")
	h.MustNotShow("reconnect")
	h.PressSettle("r")
	if want := "Reconnecting to " + uitest.URL + "…"; h.M.Status.Text != want {
		t.Errorf("status %q after r, want %q", h.M.Status.Text, want)
	}
}

// "sending…" is for an answer that is slow to come: a command answered at
// once leaves nothing but its ✓, and the wait's timer, firing after the
// answer, finds nothing to say.
func TestSendingShowsOnlyWhenTheAnswerIsSlow(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("u")
	h.MustNotShow("sending")
	h.Events(h.env(protocol.TypeUnpin, 101, protocol.Unpin{}))
	h.MustShow("✓ unpin")
	h.slowAnswers()
	h.MustNotShow("sending")
	h.MustShow("✓ unpin")

	h.selectProduct("scarf")
	h.PressSettle("p")
	h.MustNotShow("sending")
	h.slowAnswers()
	h.MustShow("⋯ sending pin Merino Scarf (Red)…")
	h.Events(h.env(protocol.TypePin, 102, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.MustNotShow("sending")
	h.MustShow("✓ pin Merino Scarf (Red)")
}

// Of two commands in flight, only the one that has waited long says so.
func TestGoldenSlowAnswer(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := dashboard(t, width, height)
		h.PressSettle("p")
		h.slowAnswers()
		h.PressSettle("$")
		h.TypeText("42")
		h.PressSettle("enter")
		h.MustNotShow("+1")
		h.golden(fmt.Sprintf("slow_answer_%dx%d", width, height))
	})
}

// An error names what the host knows (products, variants, viewers, what a
// line said), never the IDs the server's message quotes, nor the
// command's name on the wire.
func TestErrorsNameWhatTheHostKnows(t *testing.T) {
	cases := []struct {
		name string
		do   func(h *harness)
		err  protocol.Error
		want string
	}{
		{"stock", func(h *harness) { h.selectProduct("mug"); h.PressSettle("i"); h.answer("blue 20") },
			protocol.Error{Code: protocol.ErrCodeNotFound, Message: `no variant "mug-blue" in this show`},
			"✗ set Speckled Mug (Blue) stock to 20: no variant Speckled Mug (Blue) in this show (not found)"},
		{"price", func(h *harness) { h.selectProduct("candle"); h.PressSettle("$"); h.answer("20") },
			protocol.Error{Code: protocol.ErrCodeNotFound, Message: `no product "candle" in this show`},
			"✗ set Fig Candle price to $20.00: no product Fig Candle in this show (not found)"},
		{"deal", func(h *harness) { h.selectProduct("candle"); h.PressSettle("f"); h.answer("$18 5m") },
			protocol.Error{Code: protocol.ErrCodeBadRequest, Message: `start_deal: product "candle": $18.00 off leaves no price`},
			"✗ start a deal on Fig Candle: product Fig Candle: $18.00 off leaves no price (bad request)"},
		{"delete", func(h *harness) { h.chatFocus("c08"); h.PressSettle("d") },
			protocol.Error{Code: protocol.ErrCodeNotFound, Message: `no chat line "c08" in this show`},
			"✗ delete bo's line: no chat line “buy cheap followers at…” in this show (not found)"},
		{"ban", func(h *harness) { h.chatFocus("c08"); h.PressSettle("b", "y") },
			protocol.Error{Code: protocol.ErrCodeNotFound, Message: `no viewer "u-bo" here`},
			"✗ ban bo: no viewer bo here (not found)"},
		{"queue", func(h *harness) { h.selectProduct("lamp"); h.PressSettle("a") },
			protocol.Error{Code: protocol.ErrCodeNotFound, Message: `no product "lamp" in this show`},
			"✗ add Mushroom Desk Lamp to up next: no product Mushroom Desk Lamp in this show (not found)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := joined(t, 160, 50)
			c.do(h)
			h.serverError(c.err.Code, c.err.Message)
			if h.M.Status.Text != c.want {
				t.Errorf("status %q, want %q", h.M.Status.Text, c.want)
			}
		})
	}
	t.Run("unprompted", func(t *testing.T) {
		h := joined(t, 160, 50)
		h.serverError(protocol.ErrCodeNotFound, `product "scarf" has no deal running`)
		h.MustShow("Server: product Merino Scarf has no deal running (not found)")
	})
}

func TestGoldenRefused(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := dashboard(t, width, height)
		h.selectProduct("mug")
		h.PressSettle("i")
		h.answer("green 20")
		h.serverError(protocol.ErrCodeNotFound, `no variant "mug-green" in this show`)
		h.MustNotShow(`"mug-green"`)
		h.golden(fmt.Sprintf("refused_%dx%d", width, height))
	})
}
