package viewer

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// auctionOn is a show with the test auction running.
func auctionOn(t *testing.T, w, ht int, tweak ...func(*Options)) *harness {
	t.Helper()
	h := joinedTo(t, giftShow(), w, ht, tweak...)
	h.Events(env(t, protocol.TypeAuction, testAuction()))
	return h
}

func TestAuctionOnTheCard(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.MustShow("AUCTION Speckled Mug (Green)", "starting bid $10.00 · no bids yet", "0:45 left", "b bids $10.00")
	// The pinned product stays, in a row of its own: a adds it.
	h.MustShow("PINNED Speckled Mug (Blue)", "$24.00")
	mustStatus(t, h, live.StatusInfo, "Auction: Speckled Mug (Green) · starting bid $10.00")

	h.MustNotShow("sudden death")
	a := bidOn(testAuction(), uitest.Bo, 1200)
	a.CounterSeconds = 0
	h.Events(env(t, protocol.TypeAuction, a))
	h.MustShow("$12.00 · bo leads · 1 bid", "b bids $13.00", "sudden death")
}

// An auction of another product than the pinned one shows that product.
func TestAuctionOfAnotherProduct(t *testing.T) {
	h := joinedTo(t, giftShow(), 80, 24)
	a := testAuction()
	a.ProductID, a.VariantID = "candle", "candle-fig"
	h.Events(env(t, protocol.TypeAuction, a))
	h.MustShow("AUCTION Fig Candle", "PINNED Speckled Mug (Blue)")
}

func TestBidSendsTheNextAmount(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.PressSettle("b")
	bids := sentOf[protocol.Bid](h.sess, protocol.TypeBid)
	if want := []protocol.Bid{{AuctionID: "a1", Amount: 1000}}; !slices.Equal(bids, want) {
		t.Fatalf("sent %+v, want %+v", bids, want)
	}
	h.MustShow("bidding $10.00…")

	// A second b while the first is in flight sends nothing.
	h.PressSettle("b")
	if n := len(sentOf[protocol.Bid](h.sess, protocol.TypeBid)); n != 1 {
		t.Errorf("%d bids sent, want 1", n)
	}
	mustStatus(t, h, live.StatusInfo, "on its way")

	// The show's answer: the viewer leads.
	h.Events(env(t, protocol.TypeAuction, bidOn(testAuction(), me, 1000)))
	h.MustShow("$10.00 · you lead · 1 bid", "m sets a secret max")
	h.MustNotShow("bidding")
	mustStatus(t, h, live.StatusGood, "You lead at $10.00")

	// The show takes no plain bid from the leader: b says so and sends
	// nothing, and is not offered.
	h.MustNotShow("b bid")
	h.PressSettle("b")
	if n := len(sentOf[protocol.Bid](h.sess, protocol.TypeBid)); n != 1 {
		t.Errorf("%d bids sent, want 1", n)
	}
	mustStatus(t, h, live.StatusInfo, "You lead already · m sets a secret maximum")
}

// The leader's new maximum must be above their own.
func TestLeaderRaisesTheMaximum(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.Events(env(t, protocol.TypeAuction, bidOn(testAuction(), me, 1000)),
		env(t, protocol.TypeMaxBid, protocol.MaxBid{AuctionID: "a1", Max: usd(4000)}))
	h.MustShow("your max $40.00 · m raises it")
	h.PressSettle("m")
	h.MustShow("your max (more than $40.00) ›")
	h.TypeText("40")
	h.PressSettle("enter")
	mustStatus(t, h, live.StatusError, "Your maximum is $40.00 already: a new one must be more")
	h.M.maxInput.SetValue("45")
	h.PressSettle("enter")
	bids := sentOf[protocol.Bid](h.sess, protocol.TypeBid)
	if want := []protocol.Bid{{AuctionID: "a1", Amount: 4500, Max: true}}; !slices.Equal(bids, want) {
		t.Fatalf("sent %+v, want %+v", bids, want)
	}
}

func TestBidTooLowOffersTheLeast(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.PressSettle("b")
	min := usd(1500)
	h.Events(serverError(t, protocol.Error{Code: protocol.ErrCodeBidTooLow, Message: "bid too low", Min: &min}))
	mustStatus(t, h, live.StatusError, "Bid too low: the least now is $15.00 · b bids it")
	h.MustNotShow("bidding")
	h.MustShow("b bids $15.00")
	h.PressSettle("b")
	bids := sentOf[protocol.Bid](h.sess, protocol.TypeBid)
	if len(bids) != 2 || bids[1].Amount != 1500 {
		t.Fatalf("sent %+v, want a second bid of 1500", bids)
	}
}

func TestBidAfterTheEnd(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.PressSettle("b")
	h.Events(serverError(t, protocol.Error{Code: protocol.ErrCodeNotFound, Message: "no auction is running"}))
	mustStatus(t, h, live.StatusError, "Too late: the auction has ended")

	// Once the show says it ended, b is not offered, and says why.
	ended := testAuction()
	ended.State = protocol.AuctionUnsold
	h.Events(env(t, protocol.TypeAuction, ended))
	h.MustNotShow("b bid")
	h.sess.Forget()
	h.PressSettle("b")
	if n := len(sentOf[protocol.Bid](h.sess, protocol.TypeBid)); n != 0 {
		t.Errorf("a bid was sent after the end")
	}
	mustStatus(t, h, live.StatusInfo, "The auction has ended")
}

func TestMaxBidPrompt(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.PressSettle("m")
	if h.M.mode != modeMaxBid {
		t.Fatalf("mode %d after m", h.M.mode)
	}
	h.MustShow("your max (at least $10.00) ›")

	// Below the next bid: refused here, the prompt stays.
	h.TypeText("9.50")
	h.PressSettle("enter")
	mustStatus(t, h, live.StatusError, "at least the next bid, $10.00")
	if h.M.mode != modeMaxBid || len(sentOf[protocol.Bid](h.sess, protocol.TypeBid)) != 0 {
		t.Fatalf("a maximum below the next bid left the prompt (mode %d) or was sent", h.M.mode)
	}
	// Not an amount: the same.
	h.M.maxInput.SetValue("forty")
	h.PressSettle("enter")
	mustStatus(t, h, live.StatusError, "Not a maximum")

	h.M.maxInput.SetValue("")
	h.TypeText("$40")
	h.PressSettle("enter")
	if h.M.mode != modeShow {
		t.Fatalf("mode %d after a good maximum", h.M.mode)
	}
	bids := sentOf[protocol.Bid](h.sess, protocol.TypeBid)
	if want := []protocol.Bid{{AuctionID: "a1", Amount: 4000, Max: true}}; !slices.Equal(bids, want) {
		t.Fatalf("sent %+v, want %+v", bids, want)
	}
	h.MustShow("setting your max $40.00…")

	h.Events(env(t, protocol.TypeMaxBid, protocol.MaxBid{AuctionID: "a1", Max: usd(4000)}),
		env(t, protocol.TypeAuction, bidOn(testAuction(), me, 1000)))
	h.MustShow("your max $40.00", "you lead")
	h.MustNotShow("setting your max")

	// esc leaves the prompt without sending.
	h.sess.Forget()
	h.PressSettle("m", "4", "esc")
	if h.M.mode != modeShow || len(h.sess.Sent()) != 0 {
		t.Errorf("esc: mode %d, sent %v", h.M.mode, h.sess.Sent())
	}
}

func TestOutbidToast(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.Events(env(t, protocol.TypeAuction, bidOn(testAuction(), me, 1000)))
	h.Events(env(t, protocol.TypeAuction, bidOn(bidOn(testAuction(), me, 1000), uitest.Ana, 1400)))
	mustStatus(t, h, live.StatusError, "Outbid: ana leads at $14.00 · b to bid $15.00")
	h.MustShow("Outbid: ana leads at $14.00 · b to bid $15.00")

	// Someone else outbidding someone else is not the viewer's news.
	h.expireToast()
	h.Events(env(t, protocol.TypeAuction, bidOn(bidOn(testAuction(), uitest.Ana, 1400), uitest.Bo, 1600)))
	if strings.Contains(h.M.Status.Text, "Outbid") {
		t.Errorf("status %q after a bid between others", h.M.Status.Text)
	}
}

func TestAuctionEndsAndLeaves(t *testing.T) {
	tk := &uitest.Ticker{}
	h := auctionOn(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	h.Send(tk.LastClock(t, uitest.T0.Add(5*time.Second)))
	h.MustShow("0:40 left")

	sold := bidOn(testAuction(), uitest.Ana, 1400)
	sold.State = protocol.AuctionSold
	h.Now = uitest.T0.Add(6 * time.Second)
	h.Events(env(t, protocol.TypeAuction, sold))
	h.MustShow("SOLD to ana for $14.00", "SOLD: Speckled Mug (Green) to ana for $14.00")
	h.MustNotShow("b bids")

	// A few seconds later the card is the pinned product's again.
	h.Send(tk.LastClock(t, uitest.T0.Add(6*time.Second+auctionLinger)))
	h.MustNotShow("AUCTION")
	h.MustShow("PINNED Speckled Mug", "Blue 12 left")
	if n := len(tk.Clocks()); n == 0 {
		t.Fatal("no clock")
	}
}

func TestAuctionUnsold(t *testing.T) {
	h := auctionOn(t, 80, 24)
	a := testAuction()
	a.State = protocol.AuctionUnsold
	h.Events(env(t, protocol.TypeAuction, a))
	h.MustShow("No bids — unsold")
}

func TestExtensionFlashes(t *testing.T) {
	tk := &uitest.Ticker{}
	h := auctionOn(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	late := bidOn(testAuction(), uitest.Bo, 1200)
	late.EndsAt, late.Extensions = uitest.T0.Add(55*time.Second), 1
	h.Events(env(t, protocol.TypeAuction, late))
	h.MustShow("+10s", "extended ×1", "0:55 left")
	h.Send(tk.LastClock(t, uitest.T0.Add(flashFor)))
	h.MustNotShow("+10s")
	h.MustShow("extended ×1", "0:52 left")
}

func TestAuctionWonNotice(t *testing.T) {
	h := auctionOn(t, 80, 24)
	won := bidOn(testAuction(), me, 1400)
	won.State = protocol.AuctionSold
	link := "http://127.0.0.1:7420/pay/a1?k=x"
	h.Events(env(t, protocol.TypeAuction, won), env(t, protocol.TypeAuctionWon, protocol.AuctionWon{
		AuctionID: "a1", ProductID: "mug", VariantID: "mug-green", Price: usd(1400), Checkout: link, HeldUntil: uitest.T0.Add(15 * time.Minute),
	}))
	h.mustShowWrapped("You won Speckled Mug (Green) for $14.00 — pay by 20:15", link)
	h.MustShow("SOLD to you for $14.00", "p pay in browser")

	// p opens it; y copies it; o draws it.
	h.PressSettle("p")
	if got := h.opener.URLs(); !slices.Equal(got, []string{link}) {
		t.Errorf("opened %v, want %s", got, link)
	}
	if clip := clipboard(t, h.Press("y")); clip != tea.SetClipboard(link)() {
		t.Errorf("y copied %v, want %s", clip, link)
	}
	h.PressSettle("o")
	if h.M.mode != modeQR || h.M.qrLink() != link {
		t.Fatalf("o: mode %d, link %q", h.M.mode, h.M.qrLink())
	}
	h.MustShow("Scan with your phone's camera to pay")
}

func TestBidKeyFollowsTheAuction(t *testing.T) {
	h := joinedTo(t, giftShow(), 120, 40)
	h.MustNotShow("b bid", "m max bid")
	h.Events(env(t, protocol.TypeAuction, testAuction()))
	h.MustShow("b bid $10.00", "m max bid")
	h.Press("?")
	h.MustShow("b bid $10.00", "m max bid", "g send a gift")
}

// Paying for the win places an order: its notice takes the win's place,
// and the cart, which never held the unit won, is left as it was.
func TestWonOrderLeavesTheCart(t *testing.T) {
	h := auctionOn(t, 80, 24)
	h.PressSettle("right", "a") // a green mug in the cart, as won
	won := bidOn(testAuction(), me, 1400)
	won.State = protocol.AuctionSold
	h.Events(env(t, protocol.TypeAuction, won), env(t, protocol.TypeAuctionWon, protocol.AuctionWon{
		AuctionID: "a1", ProductID: "mug", VariantID: "mug-green", Price: usd(1400),
		Checkout: "http://127.0.0.1:7420/pay/a1", HeldUntil: uitest.T0.Add(15 * time.Minute),
	}))
	if _, ok := h.M.Notice(noticeWonPref + "a1"); !ok {
		t.Fatal("no notice of the win")
	}
	h.Events(env(t, protocol.TypeOrder, protocol.Order{ID: "cosy-o8", Total: usd(1400), Lines: []protocol.OrderLine{
		{ProductID: "mug", VariantID: "mug-green", Name: "Speckled Mug", Variant: "Green", Unit: usd(1400), Qty: 1},
	}}))
	if _, ok := h.M.Notice(noticeWonPref + "a1"); ok {
		t.Error("the win's notice stayed after its order")
	}
	h.mustShowWrapped("You bought 1 × Speckled Mug (Green) · total $14.00 · order cosy-o8")
	if lines := h.M.Cart().Lines(); len(lines) != 1 || lines[0].VariantID != "mug-green" || lines[0].Qty != 1 {
		t.Errorf("cart %+v, want the green mug still in it", lines)
	}
}

// An auction the welcome shows running is not news when its next bid
// comes; one it shows ended does not linger.
func TestAuctionInTheWelcome(t *testing.T) {
	w := giftShow()
	a := bidOn(testAuction(), uitest.Ana, 1200)
	a.Extensions = 2
	w.Auction = &a
	h := joinedTo(t, w, 80, 24)
	h.MustShow("AUCTION Speckled Mug (Green)", "$12.00 · ana leads", "extended ×2")
	h.Events(env(t, protocol.TypeAuction, bidOn(a, uitest.Bo, 1300)))
	if strings.Contains(h.M.Status.Text, "Auction:") {
		t.Errorf("status %q for an auction the welcome showed", h.M.Status.Text)
	}
	h.MustNotShow("+10s")

	sold := a
	sold.State = protocol.AuctionSold
	w.Auction = &sold
	h2 := joinedTo(t, w, 80, 24)
	h2.MustNotShow("AUCTION")
}
