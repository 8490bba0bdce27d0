package host

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/theme"
)

// giftMetrics is baseMetrics with n supporters, the first giving the most,
// and the gifts they add up to.
func giftMetrics(n int) protocol.Metrics {
	mt := baseMetrics()
	names := []string{"ana", "bo", "cy_knits", "dee", "eli", "fay", "gus", "hal", "ivy", "jo"}
	total := int64(0)
	for i := range n {
		amount := int64(2500 - 200*i)
		mt.Supporters = append(mt.Supporters, protocol.Supporter{ID: "u-" + names[i], Name: names[i], Gifts: 5 - i/2,
			Amount: money.New(amount, "USD")})
		mt.Gifts += 5 - i/2
		total += amount
	}
	mt.GiftRevenue = money.New(total, "USD")
	return mt
}

func supporterNames(board []protocol.Supporter) string {
	names := make([]string, 0, len(board))
	for _, sp := range board {
		names = append(names, sp.Name)
	}
	return strings.Join(names, " ")
}

// The board goes by amount given, most first, whatever order it came in;
// equal amounts keep the server's order; it is at most MaxSupporters long.
func TestSupportersOrder(t *testing.T) {
	mt := giftMetrics(4)
	mt.Supporters[0], mt.Supporters[3] = mt.Supporters[3], mt.Supporters[0]
	mt.Supporters = append(mt.Supporters, protocol.Supporter{ID: "u-zed", Name: "zed", Gifts: 1, Amount: money.New(2300, "USD")})
	if got := supporterNames(supporters(mt)); got != "ana bo zed cy_knits dee" {
		t.Errorf("board %q, want ana bo zed cy_knits dee", got)
	}
	long := giftMetrics(10)
	long.Supporters = append(long.Supporters, protocol.Supporter{ID: "u-k", Name: "kit", Gifts: 1, Amount: money.New(1, "USD")})
	if n := len(supporters(long)); n != protocol.MaxSupporters {
		t.Errorf("board of %d, want at most %d", n, protocol.MaxSupporters)
	}
}

// On a narrow screen the board is one line in the metrics strip: the top
// three at most, fewer when the line is short, and "+N" for the rest.
func TestSupportersLine(t *testing.T) {
	s := theme.New(true)
	mt := giftMetrics(10)
	mt.Bids, mt.Bidders = 34, 9
	cases := []struct {
		width int
		want  string
	}{
		{120, "34 bids from 9 bidders · 30 gifts · $160.00 · top ana $25.00 · bo $23.00 · cy_knits $21.00 +7"},
		{80, "34 bids from 9 bidders · 30 gifts · $160.00 · top ana $25.00 · bo $23.00 +8"},
		{64, "34 bids from 9 bidders · 30 gifts · $160.00 · top ana $25.00 +9"},
		{50, "34 bids from 9 bidders · 30 gifts · $160.00 · +10 supporters"},
	}
	for _, c := range cases {
		if got := ansi.Strip(formatsLine(s, mt, c.width)); got != c.want {
			t.Errorf("at %d cells:\n got %q\nwant %q", c.width, got, c.want)
		}
	}
}

func TestSupportersBoard(t *testing.T) {
	// Room for the whole board.
	h := joined(t, 160, 50)
	h.metricsEvent(giftMetrics(10))
	h.MustShow("─ Top supporters 30 gifts · $160.00 ─", "1. ana", " 1. ana", "5 gifts $25.00", "10. jo", "Gifts    30 gifts · $160.00")

	// Short of room: the top three, and the rest counted in the heading.
	h = joined(t, 120, 30)
	h.metricsEvent(giftMetrics(10))
	h.MustShow("─ Top supporters 30 gifts · $160.00 · +7 more", "1. ana", "3. cy_knits")
	h.MustNotShow("4. dee")

	// Narrow: a line in the metrics strip.
	h = joined(t, 80, 24)
	h.metricsEvent(giftMetrics(10))
	h.MustShow("30 gifts · $160.00 · top ana $25.00 · bo $23.00 · cy_knits $21.00 +7")
}

func TestGiftsInTheChat(t *testing.T) {
	w := testWelcome()
	w.Gifts = []protocol.GiftKind{{ID: "rose", Name: "Rose", Amount: money.New(500, "USD")}}
	h := newHarness(t, 80, 24)
	h.Join(w, 100)
	h.Events(
		h.env(protocol.TypeGift, 101, protocol.Gift{ID: "gf1", From: uitest.Ana, Kind: "rose", Amount: money.New(500, "USD")}),
		h.env(protocol.TypeGift, 102, protocol.Gift{ID: "gf2", From: uitest.Bo, Kind: "rocket", Amount: money.New(2000, "USD")}),
	)
	h.MustShow("✿ ana sent a Rose · $5.00", "➶ bo sent a rocket · $20.00")

	// A gift line is not a chat line to moderate.
	h.PressSettle("tab")
	if l, ok := h.M.chat.Selected(); !ok || l.ID != "c10" {
		t.Errorf("tab selected %+v, want the newest chat line c10", l)
	}
}

// The frame fits with the board, the auction and the giveaway all on
// screen, at the sizes where the layout changes.
func TestFormatsFit(t *testing.T) {
	uitest.EachSize(t, [][2]int{{20, 6}, {40, 12}, {60, 20}, {80, 24}, {119, 30}, {120, 23}, {120, 24}, {120, 40}, {160, 50}}, func(t *testing.T, width, height int) {
		h := formatsShow(t, width, height)
		h.Fits()
		for _, keys := range [][]string{{"?"}, {"?", "D"}, {"n", "A"}, {"esc", "tab"}} {
			h.PressSettle(keys...)
			h.Fits()
		}
	})
}

// formatsShow is the dashboard with everything of the live formats going:
// an auction with bids, an open giveaway, gifts and a full board.
func formatsShow(t *testing.T, w, ht int) *harness {
	t.Helper()
	h := dashboard(t, w, ht)
	mt := giftMetrics(10)
	mt.Bids, mt.Bidders = 34, 9
	h.metricsEvent(mt)
	h.auction(105, mugAuction("a1", 12, &uitest.Ana, 1400))
	h.giveaway(106, mugGiveaway("g7", 41))
	for i := range 3 {
		h.Events(h.env(protocol.TypeGift, uint64(107+i), protocol.Gift{ID: fmt.Sprintf("gf%d", i), From: uitest.Cy, Kind: "rose", Amount: money.New(500, "USD")}))
	}
	return h
}
