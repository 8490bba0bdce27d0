package viewer

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// giveawayOn is a show with the test giveaway running.
func giveawayOn(t *testing.T, w, ht int, g protocol.Giveaway, tweak ...func(*Options)) *harness {
	t.Helper()
	h := joinedTo(t, giftShow(), w, ht, tweak...)
	h.Events(env(t, protocol.TypeGiveaway, g))
	return h
}

func TestGiveawayEnterOnce(t *testing.T) {
	h := giveawayOn(t, 80, 24, testGiveaway())
	h.MustShow("GIVEAWAY Fig Candle", "1:00 left", "e to enter · 11 entered", "e enter giveaway")
	mustStatus(t, h, live.StatusInfo, "Giveaway: Fig Candle · e enters")

	h.PressSettle("e")
	if got := sentOf[protocol.Enter](h.sess, protocol.TypeEnter); len(got) != 1 || got[0].GiveawayID != "g1" {
		t.Fatalf("sent %+v, want one entry to g1", got)
	}
	h.MustShow("entering…")
	h.PressSettle("e")
	mustStatus(t, h, live.StatusInfo, "Your entry is on its way")

	g := testGiveaway()
	g.Entrants++
	h.Events(env(t, protocol.TypeEntered, protocol.Entered{GiveawayID: "g1"}), env(t, protocol.TypeGiveaway, g))
	h.MustShow("you're in ✓ · 12 entered")
	h.MustNotShow("e enter giveaway", "entering")
	mustStatus(t, h, live.StatusGood, "You're in the giveaway for Fig Candle")
	h.PressSettle("e")
	if n := len(sentOf[protocol.Enter](h.sess, protocol.TypeEnter)); n != 1 {
		t.Errorf("%d entries sent, want 1", n)
	}
	mustStatus(t, h, live.StatusInfo, "already")
}

func TestGiveawayRefusedEntry(t *testing.T) {
	g := testGiveaway()
	g.BuyersOnly = true
	h := giveawayOn(t, 80, 24, g)
	h.MustShow("buyers only · 11 entered")
	h.PressSettle("e")
	h.Events(serverError(t, protocol.Error{Code: protocol.ErrCodeForbidden, Message: "only buyers in this show may enter"}))
	mustStatus(t, h, live.StatusError, "Not entered: only buyers in this show may enter")
	h.MustShow("buyers only · 11 entered")

	// Once the viewer has bought, the card says how to enter.
	h.Events(env(t, protocol.TypeOrder, testOrder()))
	h.MustShow("e to enter · 11 entered · buyers only")
}

func TestGiveawayDrawnForSomeoneElse(t *testing.T) {
	h := giveawayOn(t, 80, 24, testGiveaway())
	h.Events(env(t, protocol.TypeGiveaway, drawn(testGiveaway(), uitest.Bo)))
	h.MustShow("GIVEAWAY bo won Fig Candle", "commitment 3f2a9c1b · verify: livecart verify http://127.0.0.1:7420/draws/g1")
	h.mustShowWrapped("bo won Fig Candle in the giveaway · commitment 3f2a9c1b · verify: livecart verify http://127.0.0.1:7420/draws/g1")
	h.MustNotShow("e to enter")

	// y copies the command that checks the draw.
	h.MustShow("y copy verify command")
	want := "livecart verify http://127.0.0.1:7420/draws/g1"
	if clip := clipboard(t, h.Press("y")); clip != tea.SetClipboard(want)() {
		t.Errorf("y copied %v, want %q", clip, want)
	}
}

func TestGiveawayWonStaysUp(t *testing.T) {
	tk := &uitest.Ticker{}
	h := giveawayOn(t, 80, 24, testGiveaway(), func(o *Options) { o.Tick = tk.Tick })
	h.Events(env(t, protocol.TypeGiveaway, drawn(testGiveaway(), me)))
	h.MustShow("GIVEAWAY You won Fig Candle!")
	h.mustShowWrapped("You won the giveaway: Fig Candle! · commitment 3f2a9c1b", "http://127.0.0.1:7420/draws/g1")

	// The card lets it go after a while; the notice stays.
	h.Send(tk.LastClock(t, uitest.T0.Add(giveawayLinger)))
	h.MustNotShow("GIVEAWAY")
	h.mustShowWrapped("You won the giveaway: Fig Candle!")
}

func TestGiveawayVoid(t *testing.T) {
	h := giveawayOn(t, 80, 24, testGiveaway())
	g := testGiveaway()
	g.State, g.Entrants, g.EntrantsHash = protocol.GiveawayVoid, 0, "aa"+g.Commitment[2:]
	h.Events(env(t, protocol.TypeGiveaway, g))
	h.MustShow("no entrants · nothing drawn")
}

// A giveaway with entrants that is void ended with its server's restart:
// the card does not say no one entered.
func TestGiveawayVoidWithEntrants(t *testing.T) {
	h := giveawayOn(t, 80, 24, testGiveaway())
	g := testGiveaway()
	g.State, g.Entrants = protocol.GiveawayVoid, 5
	h.Events(env(t, protocol.TypeGiveaway, g))
	h.MustShow("ended with nothing drawn")
	h.MustNotShow("no entrants")
}

// A record link the browser would refuse is neither shown nor copied.
func TestGiveawayUnsafeRecord(t *testing.T) {
	h := giveawayOn(t, 80, 24, testGiveaway())
	g := drawn(testGiveaway(), uitest.Bo)
	g.Record = "javascript:alert(1)"
	h.Events(env(t, protocol.TypeGiveaway, g))
	h.MustShow("commitment 3f2a9c1b")
	h.MustNotShow("javascript", "verify:")
	if clip := clipboard(t, h.Press("y")); clip != nil {
		t.Errorf("y copied %v", clip)
	}
}

func TestGiveawayCountsDown(t *testing.T) {
	tk := &uitest.Ticker{}
	h := giveawayOn(t, 80, 24, testGiveaway(), func(o *Options) { o.Tick = tk.Tick })
	h.Send(tk.LastClock(t, uitest.T0.Add(52*time.Second)))
	h.MustShow("0:08 left")
}

// The prize comes as an order at no cost: it is not the cart's, nor a
// purchase to expect.
func TestGiveawayPrizeOrder(t *testing.T) {
	h := giveawayOn(t, 80, 24, testGiveaway())
	h.PressSettle("a") // a mug in the cart, which the prize must leave alone
	h.Events(env(t, protocol.TypeOrder, protocol.Order{ID: "cosy-o9", Total: usd(0), Lines: []protocol.OrderLine{
		{ProductID: "candle", VariantID: "candle-fig", Name: "Fig Candle", Variant: "Fig", Unit: usd(0), Qty: 1},
	}}), env(t, protocol.TypeGiveaway, drawn(testGiveaway(), me)))
	h.mustShowWrapped("your giveaway prize, 1 × Fig Candle (Fig), is order cosy-o9 · nothing to pay", "you won Fig Candle in the giveaway")
	h.MustNotShow("You bought")
	if h.M.Cart().Units() != 1 || len(h.M.expected) != 0 {
		t.Errorf("cart %d units, %d purchases expected", h.M.Cart().Units(), len(h.M.expected))
	}
}
