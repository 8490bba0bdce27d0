package host

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// golden compares the screen with testdata/name.golden (go test -update
// rewrites it); no golden may show the token.
func (h *harness) golden(name string) {
	h.T.Helper()
	if got := h.Golden(name); strings.Contains(got, testToken) {
		h.T.Errorf("%s shows the host token", name)
	}
}

// dashboard is a show in full swing, every value fixed: a minute of
// metrics, a deal on the scarf with 4:32 to go by the server's clock, an
// up-next list and a slow mode.
func dashboard(t *testing.T, w, ht int) *harness {
	t.Helper()
	h := joined(t, w, ht)
	for i := range 60 {
		mt := baseMetrics()
		mt.Viewers = 90 + (i*7)%40
		mt.PeakViewers = 140
		mt.ChatPerMinute = 18 + (i*13)%30
		mt.ChatHeld = 3 * i
		mt.Revenue = money.New(int64(i)*700, "USD")
		mt.SlowModeSeconds = 10
		mt.BlockedWords = []string{"spam", "followers"}
		h.metricsEvent(mt)
	}
	scarf := uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Description = "Soft, warm, fine merino wool"
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: uitest.T0.Add(4*time.Minute + 32*time.Second), PerBuyer: 2}
	h.Events(
		h.env(protocol.TypeProduct, 101, scarf),
		h.env(protocol.TypeViewers, 102, protocol.Viewers{Count: 131}),
		h.env(protocol.TypePurchase, 103, protocol.Purchase{Buyer: "ana", ProductID: "mug", ProductName: "Speckled Mug", VariantID: "mug-blue", Qty: 2}),
		h.env(protocol.TypePurchase, 104, protocol.Purchase{Buyer: "cy_knits", ProductID: "scarf", ProductName: "Merino Scarf", VariantID: "scarf-red", Qty: 1}),
	)
	h.selectProduct("scarf")
	return h
}

func TestGoldenDashboard(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := dashboard(t, width, height)
		h.MustShow("$31.20 −20% 4:32")
		h.golden(fmt.Sprintf("dashboard_%dx%d", width, height))
	})
}

// auctionRunning is the dashboard with an auction of the blue mug
// running: twelve bids, ana leading at $14.00, extended twice, 0:42 to go
// by the server's clock, and the show's bids in the metrics.
func auctionRunning(t *testing.T, w, ht int) *harness {
	t.Helper()
	h := dashboard(t, w, ht)
	mt := baseMetrics()
	mt.Viewers, mt.ChatHeld, mt.Revenue = 131, 177, money.New(41300, "USD")
	mt.SlowModeSeconds, mt.BlockedWords = 10, []string{"spam", "followers"}
	mt.Bids, mt.Bidders = 12, 4
	h.metricsEvent(mt)
	a := mugAuction("a1", 12, &uitest.Ana, 1400)
	a.Extensions = 2
	h.auction(105, a)
	return h
}

// giveawayDrawn is the dashboard after a giveaway of the green mug was
// drawn: dee won, entry 8 of 41, with the record to check it by.
func giveawayDrawn(t *testing.T, w, ht int) *harness {
	t.Helper()
	h := dashboard(t, w, ht)
	h.giveaway(105, mugGiveaway("g7", 41))
	h.giveaway(106, drawn(mugGiveaway("g7", 41), uitest.Dee, 7))
	return h
}

func TestGoldenFormats(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {120, 40}}, func(t *testing.T, width, height int) {
		h := auctionRunning(t, width, height)
		h.MustShow("$14.00 ana", "0:42")
		h.golden(fmt.Sprintf("auction_%dx%d", width, height))
		h = giveawayDrawn(t, width, height)
		h.MustShow("WON by dee", "livecart verify "+testRecord)
		h.golden(fmt.Sprintf("giveaway_drawn_%dx%d", width, height))
	})
}

func TestGoldenModerating(t *testing.T) {
	h := dashboard(t, 80, 24)
	h.chatFocus("c08")
	h.PressSettle("t")
	h.golden("moderating_80x24")
}

func TestGoldenOtherScreens(t *testing.T) {
	t.Run("rejected", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.Start()
		w := testWelcome()
		w.You = uitest.Viewer("u-9", "viewer-9")
		h.Updates(uitest.Connecting(1), uitest.Snapshot(w, 100, false))
		h.golden("rejected_80x24")
	})
	t.Run("help", func(t *testing.T) {
		h := dashboard(t, 80, 24)
		h.PressSettle("?")
		h.golden("help_80x24")
	})
}

// TestScreenFitsEverySize checks the frame at sizes no golden covers,
// including the threshold where the layout turns wide, in every mode.
func TestScreenFitsEverySize(t *testing.T) {
	uitest.EachSize(t, [][2]int{{20, 6}, {40, 12}, {60, 20}, {80, 24}, {119, 30}, {120, 23}, {120, 24}, {160, 50}, {240, 70}}, func(t *testing.T, width, height int) {
		h := newHarness(t, width, height)
		h.Fits()
		h = dashboard(t, width, height)
		h.Fits()
		for _, keys := range [][]string{{"?"}, {"?", "f"}, {"esc", "tab", "b"}, {"n", "t"}, {"esc", "enter"}} {
			h.PressSettle(keys...)
			h.Fits()
		}
		h.PressSettle("esc")
		h.Updates(uitest.Waiting(errLinkSilent, 12, uitest.T0.Add(30*time.Second)))
		h.Fits()
		h.Updates(client.Update{Kind: client.UpdateFailed, Err: errors.New("the show has ended")})
		h.Fits()
	})
}

// TestBusyDashboardFits checks the full dashboard, chat-cap note included,
// at the narrowest wide layout and just under it.
func TestBusyDashboardFits(t *testing.T) {
	uitest.EachSize(t, [][2]int{{119, 30}, {120, 24}}, func(t *testing.T, width, height int) {
		h := dashboard(t, width, height)
		h.MustShow("177")
		h.Fits()
	})
}
