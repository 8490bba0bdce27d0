package host

import (
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// mugAuction is an auction of the blue mug opened at $5.00 with 42
// seconds to go by the server's clock; with a leader it has bids bids,
// the last at price cents.
func mugAuction(id string, bids int, leader *protocol.Identity, price int64) protocol.Auction {
	a := protocol.Auction{ID: id, ProductID: "mug", VariantID: "mug-blue", Start: money.New(500, "USD"),
		Next: money.New(500, "USD"), EndsAt: uitest.T0.Add(42 * time.Second), CounterSeconds: 10, State: protocol.AuctionOpen}
	if leader != nil {
		p := money.New(price, "USD")
		a.Price, a.Leader, a.Next, a.Bids = &p, leader, money.New(price+100, "USD"), bids
	}
	return a
}

func (h *harness) auction(seq uint64, a protocol.Auction) {
	h.T.Helper()
	h.Events(h.env(protocol.TypeAuction, seq, a))
}

func TestStartAuction(t *testing.T) {
	cases := []struct {
		product, in string
		want        protocol.StartAuction
	}{
		{"mug", "$5 30s", protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 30}},
		{"mug", "$5 30s sudden", protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 30, Sudden: true}},
		{"mug", "$5 30s 15s", protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 30, CounterSeconds: 15}},
		{"mug", "12.50 2m green", protocol.StartAuction{ProductID: "mug", VariantID: "mug-green", Start: 1250, Seconds: 120}},
		{"mug", "$1 10m 1m Green", protocol.StartAuction{ProductID: "mug", VariantID: "mug-green", Start: 100, Seconds: 600, CounterSeconds: 60}},
		{"mug", "0.01 10s SUDDEN", protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 1, Seconds: 10, Sudden: true}},
		{"scarf", "$20 1m30s 5", protocol.StartAuction{ProductID: "scarf", VariantID: "scarf-red", Start: 2000, Seconds: 90, CounterSeconds: 5}},
		// The first variant in stock of a product that is not pinned.
		{"tote", "$3 45", protocol.StartAuction{ProductID: "tote", VariantID: "tote-natural", Start: 300, Seconds: 45}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.selectProduct(c.product)
			h.PressSettle("A")
			if h.M.mode != modePrompt || h.M.prompt.kind != promptAuction {
				t.Fatal("A did not open the auction prompt")
			}
			h.answer(c.in)
			mustEqual(t, h.lastSent(protocol.TypeStartAuction), c.want)
			if h.M.mode != modeNormal {
				t.Error("the prompt stayed open after a good answer")
			}
		})
	}
}

func TestAuctionPromptNamesTheVariant(t *testing.T) {
	h := joined(t, 100, 30)
	h.selectProduct("mug")
	h.PressSettle("A")
	h.MustShow("Auction of Speckled Mug (Blue) › $", "opening bid and length, e.g. $5 30s")
	if !strings.Contains(h.M.prompt.hint, "or a variant: blue") {
		t.Errorf("the hint %q does not say a variant may be named", h.M.prompt.hint)
	}
	if got := h.M.input.Value(); got != "" {
		t.Errorf("the auction prompt starts with %q, want nothing", got)
	}
	h.TypeText("5 30s")
	h.MustShow("Auction of Speckled Mug (Blue) › $5 30s")
}

// TestBadAuctionInput checks that what the server would refuse is refused
// on the dashboard, with a message, the prompt kept open and nothing sent.
func TestBadAuctionInput(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"too short", "$5 5s", `"5s" is not between 10s and 10m`},
		{"too long", "$5 11m", `"11m" is not between 10s and 10m`},
		{"bare seconds too long", "$5 601", "not between 10s and 10m"},
		{"no length", "$5", "write the opening bid and the length"},
		{"empty", "", "write the opening bid and the length"},
		{"not money", "five 30s", "opening bid: \"five\" is not an amount"},
		{"too precise", "$5.001 30s", "more than 2 digits"},
		{"negative", "-5 30s", "negative"},
		{"nothing", "$0 30s", "opening bid: $0.00 is nothing"},
		{"too much", "$99999999999 30s", "opening bid"},
		{"length not a duration", "$5 soon", "auction length"},
		{"counter too long", "$5 30s 2m", "counter-bid time: \"2m\" is not between 1s and 1m"},
		{"counter zero", "$5 30s 0s", "counter-bid time"},
		{"sudden and counter", "$5 30s sudden 15s", "a sudden-death auction has no counter-bid time"},
		{"two counters", "$5 30s 15s 20s", "once"},
		{"unknown word", "$5 30s purple", `"purple" is not sudden, a counter-bid time like 15s, or one variant of Speckled Mug: Blue, Sand, Green`},
		{"sold-out variant", "$5 30s sand", "Speckled Mug (Sand) is sold out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.selectProduct("mug")
			h.PressSettle("A")
			n := len(h.sess.Sent())
			h.answer(c.in)
			h.mustSendNothing(n)
			h.MustShow("Not sent")
			if !strings.Contains(h.M.Status.Text, c.want) {
				t.Errorf("status %q lacks %q", h.M.Status.Text, c.want)
			}
			if h.M.mode != modePrompt {
				t.Error("the prompt closed on a bad answer")
			}
		})
	}
}

func TestAuctionOfSoldOutProductIsRefused(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("lamp")
	n := len(h.sess.Sent())
	h.PressSettle("A")
	h.mustSendNothing(n)
	if h.M.mode != modeNormal {
		t.Error("the auction prompt opened on a sold-out product")
	}
	h.MustShow("every variant of Mushroom Desk Lamp is sold out")
}

// One auction at a time; cancel only while nobody has bid.
func TestAuctionKeysFollowTheAuction(t *testing.T) {
	h := joined(t, 120, 40)
	h.selectProduct("mug")
	h.PressSettle("A")
	h.answer("$5 30s")
	h.lastSent(protocol.TypeStartAuction)
	if h.M.keysNow().Auction.Enabled() {
		t.Error("A applies while the auction asked for is on its way")
	}

	// The auction event answers the command.
	h.auction(101, mugAuction("a1", 0, nil, 0))
	h.MustShow("✓ start an auction of Speckled Mug (Blue) at $5.00 for 30s")
	k := h.M.keysNow()
	if k.Auction.Enabled() || !k.CancelAuction.Enabled() {
		t.Fatalf("with an auction open and no bids: auction %v, cancel %v", k.Auction.Enabled(), k.CancelAuction.Enabled())
	}
	h.MustShow("c cancel auction")
	n := len(h.sess.Sent())
	h.PressSettle("A")
	h.mustSendNothing(n)

	// Cancel works from either pane.
	h.PressSettle("tab", "c")
	mustEqual(t, h.lastSent(protocol.TypeCancelAuction), protocol.CancelAuction{AuctionID: "a1"})
	if h.M.keysNow().CancelAuction.Enabled() {
		t.Error("c still applies while the cancel is on its way")
	}
	h.PressSettle("tab")

	// A bid came in first: the server refuses, named in words.
	h.auction(102, mugAuction("a1", 1, &uitest.Ana, 500))
	h.serverError(protocol.ErrCodeBadRequest, `cancel_auction: auction "a1" has bids`)
	h.MustShow("✗ cancel the auction of Speckled Mug (Blue): auction Speckled Mug (Blue) has bids")
	if h.M.keysNow().CancelAuction.Enabled() {
		t.Error("c applies to an auction with a bid")
	}
	h.MustNotShow("c cancel")
	n = len(h.sess.Sent())
	h.PressSettle("c")
	h.mustSendNothing(n)

	// Once it has ended, another may start.
	sold := mugAuction("a1", 3, &uitest.Bo, 900)
	sold.State = protocol.AuctionSold
	h.auction(103, sold)
	if !h.M.keysNow().Auction.Enabled() {
		t.Error("A does not apply after the auction ended")
	}
}

func TestAuctionCancelIsAnswered(t *testing.T) {
	h := joined(t, 80, 24)
	h.auction(101, mugAuction("a1", 0, nil, 0))
	h.PressSettle("c")
	h.lastSent(protocol.TypeCancelAuction)
	h.slowAnswers()
	h.MustShow("sending cancel the auction of Speckled Mug (Blue)…")
	a := mugAuction("a1", 0, nil, 0)
	a.State = protocol.AuctionCancelled
	h.auction(102, a)
	h.MustNotShow("sending")
	h.MustShow("✓ cancel the auction of Speckled Mug (Blue)", "auction of Speckled Mug (Blue) cancelled")
}

// The panel follows the bids, the server's clock and the extensions, and
// says the result in the panel and the chat.
func TestAuctionPanel(t *testing.T) {
	h := joined(t, 160, 50)
	h.auction(101, mugAuction("a1", 0, nil, 0))
	h.MustShow("─ Auction Speckled Mug (Blue) · counter-bid 10s", "no bids yet · opens at $5.00 · c cancels", "0:42 left", "opened at $5.00")

	h.Send(h.tk.LastClock(t, uitest.T0.Add(2*time.Second)))
	h.MustShow("0:40 left")

	a := mugAuction("a1", 12, &uitest.Ana, 1400)
	a.EndsAt, a.Extensions = uitest.T0.Add(50*time.Second), 2
	h.Now = uitest.T0.Add(45 * time.Second)
	h.auction(102, a)
	h.MustShow("$14.00 ana leads · 12 bids · next $15.00", "0:05 left · extended ×2")

	mt := baseMetrics()
	mt.Bids, mt.Bidders = 12, 4
	h.metricsEvent(mt)
	h.MustShow("Bids     12 bids from 4 bidders")

	a.State = protocol.AuctionSold
	h.auction(103, a)
	h.MustShow("SOLD to ana for $14.00", "— auction: Speckled Mug (Blue) SOLD to ana for $14.00 —")
	h.MustNotShow("left ·")

	// The same state again says nothing more in the chat.
	n := h.M.chat.Len()
	h.auction(104, a)
	if h.M.chat.Len() != n {
		t.Error("a repeated auction event added a chat line")
	}

	b := mugAuction("a2", 0, nil, 0)
	b.State = protocol.AuctionUnsold
	h.auction(105, b)
	h.MustShow("unsold · no bids", "auction: Speckled Mug (Blue) unsold, no bids")
}

func TestAuctionPanelNarrow(t *testing.T) {
	h := joined(t, 80, 24)
	h.auction(101, mugAuction("a1", 3, &uitest.Cy, 800))
	h.MustShow("Auction Speckled Mug (Blue) · $8.00 cy_knits · 3 bids · 0:42 left")
	sudden := mugAuction("a1", 3, &uitest.Cy, 800)
	sudden.CounterSeconds = 0
	sudden.State = protocol.AuctionSold
	h.auction(102, sudden)
	h.MustShow("Auction Speckled Mug (Blue) · SOLD to cy_knits for $8.00")
}

func TestAuctionAlreadyRunningIsSaidInWords(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("scarf")
	h.PressSettle("A")
	h.answer("$5 30s")
	h.auction(101, mugAuction("e1-a3", 0, nil, 0))
	h.serverError(protocol.ErrCodeForbidden, "auction e1-a3 is still running: one auction at a time")
	want := "✗ start an auction of Merino Scarf at $5.00 for 30s: auction Speckled Mug (Blue) is still running: one auction at a time (forbidden)"
	if h.M.Status.Text != want {
		t.Errorf("status %q, want %q", h.M.Status.Text, want)
	}
}

// The full help fits 80 columns with every key of the live formats in it.
func TestHelpWithFormatsFits(t *testing.T) {
	h := dashboard(t, 80, 24)
	h.auction(105, mugAuction("a1", 0, nil, 0))
	h.giveaway(106, mugGiveaway("g7", 3))
	h.PressSettle("?")
	h.MustShow("c cancel auction", "D draw now", "w blocked words")
	h.MustNotShow("A auction", "g giveaway") // one at a time
}
