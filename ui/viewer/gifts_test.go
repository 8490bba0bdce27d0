package viewer

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

func giftEnv(t *testing.T, id string, from protocol.Identity, kind string, cents int64) protocol.Envelope {
	t.Helper()
	return env(t, protocol.TypeGift, protocol.Gift{ID: id, From: from, Kind: kind, Amount: usd(cents)})
}

func TestGiftPickerSendsTheKind(t *testing.T) {
	h := joinedTo(t, giftShow(), 80, 24, func(o *Options) { o.OpenBrowser = false })
	h.PressSettle("g")
	if h.M.mode != modeGift {
		t.Fatalf("mode %d after g", h.M.mode)
	}
	h.MustShow("♥ Heart $1.00", "✿ Rose $5.00", "➶ Rocket $20.00", "←/→ choose", "enter ask to send it")
	h.PressSettle("right", "enter")
	if got := sentOf[protocol.SendGift](h.sess, protocol.TypeGift); !slices.Equal(got, []protocol.SendGift{{Kind: "rose"}}) {
		t.Fatalf("sent %+v, want a rose", got)
	}
	if h.M.mode != modeShow {
		t.Errorf("mode %d after asking", h.M.mode)
	}
	mustStatus(t, h, live.StatusInfo, "Asking the show for a Rose ($5.00)")

	link := "http://127.0.0.1:7420/gift/gf1"
	h.Events(env(t, protocol.TypeGiftLink, protocol.GiftLink{GiftID: "gf1", Kind: "rose", Amount: usd(500), Checkout: link}))
	h.mustShowWrapped("Pay $5.00 for a Rose: open, copy (y) or scan (o) this link", link)
	if clip := clipboard(t, h.Press("y")); clip != tea.SetClipboard(link)() {
		t.Errorf("y copied %v, want %s", clip, link)
	}

	// A number chooses too.
	h.sess.Forget()
	h.PressSettle("g", "3", "enter")
	if got := sentOf[protocol.SendGift](h.sess, protocol.TypeGift); !slices.Equal(got, []protocol.SendGift{{Kind: "rocket"}}) {
		t.Fatalf("sent %+v, want a rocket", got)
	}
}

// With a browser, the link to pay is opened as checkout's is, and shown
// only when no browser could open it.
func TestGiftLinkOpensTheBrowser(t *testing.T) {
	h := joinedTo(t, giftShow(), 80, 24)
	link := "http://127.0.0.1:7420/gift/gf1"
	h.PressSettle("g", "enter")
	h.Events(env(t, protocol.TypeGiftLink, protocol.GiftLink{GiftID: "gf1", Kind: "heart", Amount: usd(100), Checkout: link}))
	if got := h.opener.URLs(); !slices.Equal(got, []string{link}) {
		t.Fatalf("opened %v", got)
	}
	mustStatus(t, h, live.StatusGood, "Payment for a Heart opened in your browser")
	h.MustNotShow(link)

	h.opener.err = errors.New("no DISPLAY")
	h.PressSettle("g", "enter")
	h.Events(env(t, protocol.TypeGiftLink, protocol.GiftLink{GiftID: "gf2", Kind: "heart", Amount: usd(100), Checkout: link}))
	h.mustShowWrapped("No browser could be opened · Pay $1.00 for a Heart", link)
}

func TestGiftLimitReached(t *testing.T) {
	h := joinedTo(t, giftShow(), 80, 24)
	h.PressSettle("g", "enter")
	h.Events(serverError(t, protocol.Error{Code: protocol.ErrCodeLimit, Message: "you have given 50 gifts in this show, the most one viewer may"}))
	mustStatus(t, h, live.StatusError, "No Heart sent: you have given 50 gifts")
}

func TestGiftKeyOnlyWithGifts(t *testing.T) {
	h := joined(t, 80, 24)
	h.MustNotShow("send a gift")
	h.PressSettle("g")
	if h.M.mode != modeShow {
		t.Errorf("g opened the picker in a show without gifts")
	}
	mustStatus(t, h, live.StatusInfo, "This show has no gifts")
}

func TestGiftInTheChat(t *testing.T) {
	h := joinedTo(t, giftShow(), 80, 24)
	h.Events(giftEnv(t, "gf1", uitest.Ana, "heart", 100), giftEnv(t, "gf2", uitest.Bo, "comet", 300))
	h.MustShow("♥ ana sent a Heart · $1.00", "✦ bo sent a comet · $3.00")
}

// frameTicks are the animation's ticks scheduled so far.
func frameTicks(tk *uitest.Ticker) []func(time.Time) tea.Msg { return ticks[giftFrameMsg](tk) }

// stripRows are the rows of the screen whose last cells hold the
// animation's symbol, top to bottom, by index.
func stripRows(view, sym string) []int {
	var out []int
	for i, r := range strings.Split(view, "\n") {
		if strings.HasSuffix(strings.TrimRight(r, " "), sym) || strings.Contains(r, " "+sym+"×") {
			out = append(out, i)
		}
	}
	return out
}

func TestGiftAnimationRisesAndStops(t *testing.T) {
	tk := &uitest.Ticker{}
	h := joinedTo(t, giftShow(), 80, 24, func(o *Options) { o.Tick = tk.Tick })
	h.Events(giftEnv(t, "gf1", uitest.Ana, "rocket", 2000))
	if n := len(frameTicks(tk)); n != 1 {
		t.Fatalf("%d frame ticks after a gift, want 1", n)
	}
	start := stripRows(h.View(), "➶")
	if len(start) != 1 {
		t.Fatalf("symbol on rows %v:\n%s", start, h.View())
	}
	// More of the same kind join the burst on screen; another kind waits.
	h.Events(giftEnv(t, "gf2", uitest.Bo, "rocket", 2000), giftEnv(t, "gf3", uitest.Cy, "heart", 100))
	if n := len(frameTicks(tk)); n != 1 {
		t.Fatalf("%d frame ticks, want still 1: the burst on screen takes them", n)
	}
	h.MustShow("➶×2")

	prev := start[0]
	for f := 1; f < giftFrames; f++ {
		fs := frameTicks(tk)
		// A stale tick (of an earlier generation) moves nothing.
		h.Send(giftFrameMsg{gen: h.M.anim.gen - 1})
		h.Send(fs[len(fs)-1](time.Time{}))
		rows := stripRows(h.View(), "➶×2")
		if len(rows) != 1 || rows[0] > prev {
			t.Fatalf("frame %d: symbol on rows %v, was on %d", f, rows, prev)
		}
		prev = rows[0]
	}
	if prev >= start[0] {
		t.Errorf("the symbol did not rise: row %d, from %d", prev, start[0])
	}
	// The rocket's burst ends; the heart's starts.
	fs := frameTicks(tk)
	h.Send(fs[len(fs)-1](time.Time{}))
	h.MustNotShow("➶×2")
	if rows := stripRows(h.View(), "♥"); len(rows) != 1 {
		t.Fatalf("the waiting heart is not on screen: rows %v", rows)
	}
	for range giftFrames {
		fs = frameTicks(tk)
		h.Send(fs[len(fs)-1](time.Time{}))
	}
	// Nothing left: no more ticks.
	n := len(frameTicks(tk))
	fs = frameTicks(tk)
	h.Send(fs[len(fs)-1](time.Time{}))
	if len(frameTicks(tk)) != n {
		t.Error("the animation kept ticking with nothing to draw")
	}
	if h.M.anim.cur.count != 0 {
		t.Errorf("a burst is still on: %+v", h.M.anim.cur)
	}
}

func TestReducedMotionShowsNoAnimation(t *testing.T) {
	tk := &uitest.Ticker{}
	h := joinedTo(t, giftShow(), 80, 24, func(o *Options) { o.Tick = tk.Tick; o.ReducedMotion = true })
	h.Events(giftEnv(t, "gf1", uitest.Ana, "heart", 100))
	if n := len(frameTicks(tk)); n != 0 {
		t.Fatalf("%d frame ticks with reduced motion", n)
	}
	h.MustShow("♥ ana sent a Heart · $1.00")
	if w, _ := h.M.chatArea(); w != 80 {
		t.Errorf("the chat is %d wide, want the whole 80: no strip", w)
	}
	if rows := stripRows(h.View(), "♥"); len(rows) != 0 {
		t.Errorf("a symbol drawn in the strip's place on rows %v", rows)
	}
}
