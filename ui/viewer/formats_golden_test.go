package viewer

import (
	"fmt"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// auctionScene is the test auction 7 s in: the viewer led at $10.00, bo
// outbid them with a late bid that extended it.
func auctionScene(t *testing.T, w, ht int) *harness {
	t.Helper()
	tk := &uitest.Ticker{}
	h := auctionOn(t, w, ht, func(o *Options) { o.Tick = tk.Tick })
	mine := bidOn(testAuction(), me, 1000)
	h.Events(env(t, protocol.TypeAuction, mine))
	late := bidOn(bidOn(mine, uitest.Ana, 1100), uitest.Bo, 1200)
	late.EndsAt, late.Extensions = late.EndsAt.Add(10*time.Second), 1
	h.Events(env(t, protocol.TypeAuction, late))
	h.Send(tk.LastClock(t, uitest.T0.Add(7*time.Second)))
	return h
}

func TestGoldenAuction(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {50, 15}, {120, 40}}, func(t *testing.T, width, height int) {
		h := auctionScene(t, width, height)
		h.Golden(fmt.Sprintf("auction_%dx%d", width, height))
	})
}

func TestGoldenAuctionWon(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {50, 15}}, func(t *testing.T, width, height int) {
		h := auctionOn(t, width, height)
		won := bidOn(testAuction(), me, 1400)
		won.State = protocol.AuctionSold
		h.Events(env(t, protocol.TypeAuction, won), env(t, protocol.TypeAuctionWon, protocol.AuctionWon{
			AuctionID: "a1", ProductID: "mug", VariantID: "mug-green", Price: usd(1400),
			Checkout: "http://127.0.0.1:7420/pay/a1", HeldUntil: uitest.T0.Add(15 * time.Minute),
		}))
		h.expireToast()
		h.Golden(fmt.Sprintf("auction_won_%dx%d", width, height))
	})
}

func TestGoldenGiveaway(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {50, 15}}, func(t *testing.T, width, height int) {
		h := giveawayOn(t, width, height, testGiveaway())
		h.PressSettle("e")
		g := testGiveaway()
		g.Entrants = 12
		h.Events(env(t, protocol.TypeEntered, protocol.Entered{GiveawayID: "g1"}), env(t, protocol.TypeGiveaway, g))
		h.Golden(fmt.Sprintf("giveaway_%dx%d", width, height))
	})
}

func TestGoldenGiveawayDrawn(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {50, 15}}, func(t *testing.T, width, height int) {
		h := giveawayOn(t, width, height, testGiveaway())
		h.Events(env(t, protocol.TypeGiveaway, drawn(testGiveaway(), uitest.Bo)))
		h.expireToast()
		h.Golden(fmt.Sprintf("giveaway_drawn_%dx%d", width, height))
	})
}

func TestGoldenGiftPicker(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {30, 10}}, func(t *testing.T, width, height int) {
		tk := &uitest.Ticker{}
		h := joinedTo(t, giftShow(), width, height, func(o *Options) { o.Tick = tk.Tick })
		h.Events(giftEnv(t, "gf1", uitest.Ana, "heart", 100), giftEnv(t, "gf2", uitest.Cy, "heart", 100))
		fs := frameTicks(tk)
		h.Send(fs[len(fs)-1](time.Time{}))
		h.PressSettle("g", "right")
		h.Golden(fmt.Sprintf("gifts_%dx%d", width, height))
	})
}
