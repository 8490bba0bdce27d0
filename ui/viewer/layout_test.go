package viewer

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// longShow is a show whose products have long names, three of them pinned
// before a candle on a flash deal with a limit per buyer, and two in the
// cart.
func longShow(t *testing.T, width, height int) *harness {
	w := testWelcome()
	w.Catalog = []protocol.Product{
		uitest.Product("kbd", "Low-Profile Mechanical Keyboard", 8900, protocol.Variant{ID: "kbd-tactile", Name: "Tactile switches", Stock: 7}),
		uitest.Product("mug", "Hand-Thrown Stoneware Mug", 2400, protocol.Variant{ID: "mug-blue", Name: "Speckled blue", Stock: 12}),
		uitest.Product("scarf", "Merino Wool Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7}),
		uitest.Product("candle", "Fig & Cedar Candle", 1850, protocol.Variant{ID: "candle-fig", Name: "Large jar", Stock: 3}),
	}
	w.Pinned = &protocol.Pin{ProductID: "kbd", VariantID: "kbd-tactile"}
	h := newHarness(t, width, height)
	h.Join(w, 100)
	h.PressSettle("a")
	candle := w.Catalog[3]
	candle.Deal = &protocol.Deal{Price: money.New(1200, "USD"), Percent: 35, EndsAt: uitest.T0.Add(12*time.Minute + 5*time.Second), PerBuyer: 2}
	h.Events(
		uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"}),
		uitest.Env(t, protocol.TypePin, 102, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}),
		uitest.Env(t, protocol.TypePin, 103, protocol.Pin{ProductID: "candle", VariantID: "candle-fig"}),
		uitest.Env(t, protocol.TypeProduct, 104, candle),
	)
	h.PressSettle("a")
	return h
}

// TestGoldenLongNames: at 80 columns and up no price, deal limit or
// earlier product's price is cut, however long the names.
func TestGoldenLongNames(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := longShow(t, width, height)
		h.expireToast()
		h.Golden(fmt.Sprintf("longnames_%dx%d", width, height))
	})
}

// cutPrice finds a price cut short: "$" and digits, then "…".
var cutPrice = regexp.MustCompile(`\$[0-9.,]*…`)

// At 80 columns and up, prices, the deal's limit and the earlier
// products' prices are whole: the side column grows with the screen, and
// the rail wraps whole items.
func TestPricesNeverCutFromEightyColumns(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {99, 30}, {100, 30}, {120, 40}, {160, 50}, {220, 60}}, func(t *testing.T, width, height int) {
		h := longShow(t, width, height)
		h.Fits()
		h.MustShow("$18.50 $12.00", "limit 2 each", "1 Low-Profile Mechanical Keyboard $89.00", "2 Hand-Thrown Stoneware Mug $24.00")
		if !strings.Contains(h.View(), "3 Merino Wool Scarf $39.00") && !strings.Contains(h.View(), "+1 more") {
			t.Errorf("the third earlier product is neither shown nor counted:\n%s", h.View())
		}
		if cut := cutPrice.FindString(h.View()); cut != "" {
			t.Errorf("a price is cut: %q\n%s", cut, h.View())
		}
		h.Press("c")
		h.MustShow("×1 $89.00", "×1 $18.50 $12.00", "$101.00")
		if cut := cutPrice.FindString(h.View()); cut != "" {
			t.Errorf("a price in the cart is cut: %q\n%s", cut, h.View())
		}
	})
}

// The rail never cuts an item: those that do not fit its rows are
// counted.
func TestRailWrapsWholeItems(t *testing.T) {
	s := theme.New(true)
	items := []railItem{
		{key: 1, name: "Low-Profile Mechanical Keyboard", price: money.New(8900, "USD")},
		{key: 2, name: "Hand-Thrown Stoneware Mug", price: money.New(2400, "USD")},
		{key: 3, name: "Merino Wool Scarf", price: money.New(3900, "USD")},
		{key: 4, name: "Fig & Cedar Candle", price: money.New(1850, "USD")},
		{key: 5, name: "A name far too long to fit on a row of its own, however wide", price: money.New(100, "USD")},
	}
	for _, width := range []int{30, 44, 76, 150} {
		for _, rows := range []int{1, 2, 4} {
			got := ansi.Strip(renderRail(s, items, width, rows))
			lines := strings.Split(got, "\n")
			if len(lines) > rows {
				t.Errorf("width %d, %d rows: %d rows:\n%s", width, rows, len(lines), got)
			}
			shown := 0
			for _, it := range items {
				if strings.Contains(got, fmt.Sprintf("%d %s", it.key, it.name[:5])) {
					shown++
					if !strings.Contains(got, it.price.String()) {
						t.Errorf("width %d, %d rows: item %d without its price:\n%s", width, rows, it.key, got)
					}
				}
			}
			if shown < len(items) && !strings.Contains(got, fmt.Sprintf("+%d more", len(items)-shown)) {
				t.Errorf("width %d, %d rows: %d shown, the rest not counted:\n%s", width, rows, shown, got)
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > width {
					t.Errorf("width %d: row %q is %d wide", width, l, w)
				}
			}
			if cut := cutPrice.FindString(got); cut != "" {
				t.Errorf("width %d, %d rows: a price is cut: %q\n%s", width, rows, cut, got)
			}
		}
	}
}

// The one-line help at 50 columns keeps ? and never ends in a separator,
// whatever the state.
func TestHelpLineAtFiftyColumns(t *testing.T) {
	h := joined(t, 50, 15)
	last := func() string {
		rows := strings.Split(h.View(), "\n")
		return strings.TrimRight(rows[len(rows)-1], " ")
	}
	check := func(state string, want ...string) {
		t.Helper()
		h.Fits()
		line := last()
		if strings.HasSuffix(line, "•") || strings.HasSuffix(line, ",") {
			t.Errorf("%s: the help line ends in a separator: %q", state, line)
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: the help line %q lacks %q", state, line, w)
			}
		}
	}
	check("watching", "? help", "q quit", "a add")
	h.PressSettle("a")
	check("with a cart", "? help", "q quit")
	h.M.Stick(live.Notice{Key: "x", Text: "a notice"})
	h.Send(tea.WindowSizeMsg{Width: 50, Height: 15})
	check("with a notice", "esc dismiss", "? help", "q quit")
	h.Press("c")
	check("cart open", "c/esc close", "? help", "q quit")
	h.Press("c", "enter")
	check("typing", "ctrl+c quit")
	h.Press("esc")
	h.drop(fmt.Errorf("the link went silent"), 2, 5*time.Second)
	check("offline", "r reconnect", "? help", "q quit")
}
