package viewer

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// pinEnv is the host pinning a product's variant.
func pinEnv(t *testing.T, seq uint64, product, variant string) protocol.Envelope {
	t.Helper()
	return uitest.Env(t, protocol.TypePin, seq, protocol.Pin{ProductID: product, VariantID: variant})
}

// mugWith is the test show's mug with its variants' stock set to blue,
// sand and green.
func mugWith(blue, sand, green int) protocol.Product {
	mug := testWelcome().Catalog[0]
	mug.Variants[0].Stock, mug.Variants[1].Stock, mug.Variants[2].Stock = blue, sand, green
	return mug
}

// lastAdd is the variant of the newest line added to the cart, "" when the
// cart is empty.
func (h *harness) lastAdd() string {
	h.T.Helper()
	s := cartSignals(h.sess)
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1].VariantID
}

// mustSay fails unless the status line says text.
func (h *harness) mustSay(text string) {
	h.T.Helper()
	if h.M.Status.Text != text {
		h.T.Errorf("status line says %q, want %q", h.M.Status.Text, text)
	}
}

// TestGoldenVariants: the pinned card with its variants, the second in
// stock chosen, and the rail with the mug's number (1) held for it while it
// is pinned again, in a narrow, a middling and a wide terminal.
func TestGoldenVariants(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := joined(t, width, height)
		h.Events(pinEnv(t, 101, "scarf", "scarf-red"), pinEnv(t, 102, "candle", "candle-fig"), pinEnv(t, 103, "mug", "mug-blue"))
		h.Press("right")
		h.Golden(fmt.Sprintf("variants_%dx%d", width, height))
	})
}

func TestVariantIsChosenWithArrows(t *testing.T) {
	h := joined(t, 80, 24)
	h.MustShow("◀ Blue 12 left ▶ · Sand sold out · Green 4 left")

	h.Press("right") // Sand is sold out: skipped
	h.MustShow("Blue 12 left · Sand sold out · ◀ Green 4 left ▶")
	h.PressSettle("a")
	if got := h.lastAdd(); got != "mug-green" {
		t.Fatalf("a added %q, want the chosen mug-green", got)
	}
	if l := h.M.Cart().Lines(); len(l) != 1 || l[0].Variant != "Green" {
		t.Errorf("cart = %+v", l)
	}

	h.Press("right") // round to the start
	h.MustShow("◀ Blue 12 left ▶")
	h.Press("left") // and back round the other way
	h.MustShow("◀ Green 4 left ▶")
	h.Press("left", "left")
	h.MustShow("◀ Green 4 left ▶")
	h.PressSettle("a")
	if got := h.lastAdd(); got != "mug-green" {
		t.Errorf("a added %q, want mug-green", got)
	}
}

// In a narrow card the chosen variant shows alone, between arrows while
// there is another to choose.
func TestVariantLineCompact(t *testing.T) {
	h := joined(t, 50, 15)
	h.MustShow("◀ Blue ▶ · $24.00", "12 in stock")
	h.Press("right")
	h.MustShow("◀ Green ▶ · $24.00", "only 4 left")

	h.Events(uitest.Env(t, protocol.TypeProduct, 101, mugWith(0, 0, 4)))
	h.MustShow("Green · $24.00")
	h.MustNotShow("◀", "▶")
}

// A tall card lists the variants a line each.
func TestVariantRowsTall(t *testing.T) {
	h := joined(t, 160, 50)
	h.Press("right")
	for _, row := range []string{`  Blue +12 in stock`, `  Sand +SOLD OUT`, `▸ Green +only 4 left`} {
		if !regexp.MustCompile(`│ ` + row + ` │`).MatchString(h.View()) {
			t.Errorf("no card row %q:\n%s", row, h.View())
		}
	}
}

// A product with more variants than a tall card lists shows the chosen one
// between arrows, as a narrow card does, and leaves the cart its room.
func TestManyVariantsInATallCard(t *testing.T) {
	w := testWelcome()
	sizes := uitest.Product("tee", "Organic Tee", 2200)
	for _, name := range []string{"XS", "S", "M", "L", "XL", "XXL"} {
		sizes.Variants = append(sizes.Variants, protocol.Variant{ID: "tee-" + name, Name: name, Stock: 9})
	}
	w.Catalog = append(w.Catalog, sizes)
	w.Pinned = &protocol.Pin{ProductID: "tee", VariantID: "tee-M"}
	h := newHarness(t, 100, 24)
	h.Join(w, 100)
	h.MustShow("◀ M ▶ · $22.00", "Cart")
	h.MustNotShow("XXL")
	h.Press("right", "right", "right")
	h.MustShow("◀ XXL ▶ · $22.00")
	h.Fits()
}

// When the host pins a sold-out variant, the first in stock is chosen:
// the card shows it, not only that the pinned one is sold out.
func TestPinnedVariantSoldOutChoosesOneInStock(t *testing.T) {
	h := joined(t, 80, 24)
	h.Events(pinEnv(t, 101, "mug", "mug-sand"))
	h.MustShow("◀ Blue 12 left ▶")
	h.PressSettle("a")
	if got := h.lastAdd(); got != "mug-blue" {
		t.Errorf("a added %q, want mug-blue, the first in stock", got)
	}

	// In a narrow card too, where only the chosen one shows.
	n := joined(t, 50, 15)
	n.Events(pinEnv(t, 101, "mug", "mug-sand"))
	n.MustShow("◀ Blue ▶ · $24.00", "12 in stock")
	n.MustNotShow("SOLD OUT")
}

func TestVariantChoiceSurvivesStockAndStartsAgainOnAPin(t *testing.T) {
	h := joined(t, 80, 24)
	h.Press("right")

	// Only the stock changes: the choice stays.
	h.Events(uitest.Env(t, protocol.TypeProduct, 101, mugWith(11, 0, 3)))
	h.MustShow("◀ Green 3 left ▶")

	// Even when the chosen one sells out: a says so rather than add
	// another colour than the one on screen.
	h.Events(uitest.Env(t, protocol.TypeProduct, 102, mugWith(11, 0, 0)))
	h.MustShow("◀ Green sold out ▶")
	h.PressSettle("a")
	h.mustSay("Speckled Mug (Green) is sold out · ←/→ picks another")
	if !h.M.Cart().IsEmpty() {
		t.Fatalf("a added %+v", h.M.Cart().Lines())
	}
	h.Press("right")
	h.MustShow("◀ Blue 11 left ▶")

	// A reconnect with the same pin keeps the choice.
	h.Press("left") // the only other in stock is Blue itself
	h.mustSay("No other Speckled Mug in stock")
	h.Events(uitest.Env(t, protocol.TypeProduct, 103, mugWith(11, 0, 5)))
	h.Press("right")
	h.MustShow("◀ Green 5 left ▶")
	h.drop(errors.New("reset"), 1, time.Second)
	w := testWelcome()
	w.Catalog[0] = mugWith(11, 0, 5)
	h.Updates(uitest.Connecting(2), uitest.Snapshot(w, 150, false))
	h.MustShow("◀ Green 5 left ▶")

	// The chosen variant gone from the catalog: back to the pinned one.
	noGreen := mugWith(11, 0, 5)
	noGreen.Variants = noGreen.Variants[:2]
	h.Events(uitest.Env(t, protocol.TypeProduct, 151, noGreen))
	h.MustShow("◀ Blue 11 left ▶")

	// A new pin, even of the same product, chooses afresh.
	h.Events(uitest.Env(t, protocol.TypeProduct, 152, mugWith(11, 0, 5)))
	h.Press("right")
	h.MustShow("◀ Green 5 left ▶")
	h.Events(pinEnv(t, 153, "scarf", "scarf-red"), pinEnv(t, 154, "mug", "mug-blue"))
	h.MustShow("◀ Blue 11 left ▶")
	h.Events(pinEnv(t, 155, "mug", "mug-green"))
	h.MustShow("◀ Green 5 left ▶")
	h.Press("right")
	h.Events(uitest.Env(t, protocol.TypeUnpin, 156, nil), pinEnv(t, 157, "mug", "mug-green"))
	h.MustShow("◀ Green 5 left ▶")
}

// ←/→ are offered only while there is another variant to choose; pressed
// when there is none, they say why.
func TestVariantKeysOnlyWhenTheyApply(t *testing.T) {
	h := joined(t, 80, 24)
	h.MustShow("←/→ variant")
	h.Press("?")
	h.MustShow("previous variant", "next variant")
	h.Press("?")

	h.Events(pinEnv(t, 101, "scarf", "scarf-red"))
	h.MustNotShow("←/→", "◀")
	h.MustShow("a add to cart")
	h.Press("?")
	h.MustNotShow("previous variant", "next variant")
	h.Press("?")
	h.Press("right")
	h.mustSay("Merino Scarf comes in one variant only")

	h.Events(uitest.Env(t, protocol.TypeProduct, 102, mugWith(12, 0, 0)), pinEnv(t, 103, "mug", "mug-blue"))
	h.MustNotShow("←/→")
	h.Press("left")
	h.mustSay("No other Speckled Mug in stock")

	h.Events(uitest.Env(t, protocol.TypeUnpin, 104, nil))
	h.Press("right")
	h.mustSay("Nothing is pinned right now")

	// With the cart open they choose, and a adds the choice.
	h.Events(uitest.Env(t, protocol.TypeProduct, 105, mugWith(12, 0, 4)), pinEnv(t, 106, "mug", "mug-blue"))
	h.Press("c")
	h.Press("?")
	h.MustShow("previous variant", "next variant")
	h.Press("?")
	h.Press("right")
	h.PressSettle("a")
	if got := h.lastAdd(); got != "mug-green" {
		t.Errorf("a with the cart open added %q, want mug-green", got)
	}
}

// a says why it adds nothing, rather than nothing.
func TestAddSaysWhyNot(t *testing.T) {
	h := joined(t, 80, 24)
	h.Events(uitest.Env(t, protocol.TypeUnpin, 101, nil))
	h.PressSettle("a")
	h.mustSay("Nothing is pinned right now")

	h.Events(uitest.Env(t, protocol.TypeProduct, 102, mugWith(0, 0, 0)), pinEnv(t, 103, "mug", "mug-blue"))
	h.MustNotShow("a add")
	h.PressSettle("a")
	h.mustSay("Speckled Mug is sold out")

	h.Press("c") // the same with the cart open
	h.Events(uitest.Env(t, protocol.TypeUnpin, 104, nil))
	h.PressSettle("a")
	h.mustSay("Nothing is pinned right now")
	if !h.M.Cart().IsEmpty() || len(cartSignals(h.sess)) != 0 {
		t.Errorf("the cart changed: %+v", h.M.Cart().Lines())
	}
}

// railText is the rail as the card shows it, its lines joined; "" when
// it shows none.
func (h *harness) railText() string {
	h.T.Helper()
	inCard := func(row string) string {
		// The card's row: what is between its borders, in the side
		// column of a wide layout too.
		_, row, _ = strings.Cut(row, "│")
		row, _, _ = strings.Cut(row, "│")
		return strings.TrimSpace(row)
	}
	// The rail wraps whole items: a row after "Earlier:" that starts with
	// a number key goes on with it.
	continues := regexp.MustCompile(`^[1-9] `)
	rail, in := "", false
	for _, row := range strings.Split(h.View(), "\n") {
		text := inCard(row)
		switch {
		case strings.HasPrefix(text, "Earlier: "):
			rail, in = strings.TrimPrefix(text, "Earlier: "), true
		case in && continues.MatchString(text):
			rail += " · " + text
		default:
			in = false
		}
	}
	return rail
}

// Each product keeps its number for the whole show, whatever is pinned
// after it.
func TestRailNumbersStayPut(t *testing.T) {
	h := joined(t, 100, 30)
	steps := []struct {
		pin, variant, rail string
	}{
		{"scarf", "scarf-red", "1 Speckled Mug $24.00"},
		{"candle", "candle-fig", "1 Speckled Mug $24.00 · 2 Merino Scarf $39.00"},
		{"mug", "mug-blue", "2 Merino Scarf $39.00 · 3 Fig Candle $18.50"},
		{"scarf", "scarf-red", "1 Speckled Mug $24.00 · 3 Fig Candle $18.50"},
		{"mug", "mug-green", "2 Merino Scarf $39.00 · 3 Fig Candle $18.50"},
	}
	for i, s := range steps {
		h.Events(pinEnv(t, uint64(101+i), s.pin, s.variant))
		if got := h.railText(); got != s.rail {
			t.Fatalf("after pinning %s: rail %q, want %q", s.pin, got, s.rail)
		}
	}
	h.PressSettle("3")
	if got := h.lastAdd(); got != "candle-fig" {
		t.Errorf("3 added %q, want the candle", got)
	}
	h.PressSettle("1")
	h.mustSay("Speckled Mug is pinned now · a adds it")
	h.PressSettle("7")
	h.mustSay("No earlier product 7")
	if n := len(cartSignals(h.sess)); n != 1 {
		t.Errorf("%d cart signals, want the candle's only", n)
	}
}

// An earlier product is added in the variant the viewer had chosen while
// it was pinned.
func TestRailAddsTheVariantChosen(t *testing.T) {
	h := joined(t, 80, 24)
	h.Press("right")
	h.Events(pinEnv(t, 101, "scarf", "scarf-red"))
	h.PressSettle("1")
	if got := h.lastAdd(); got != "mug-green" {
		t.Errorf("1 added %q, want mug-green, the variant chosen", got)
	}
}

func TestRailNumberWithNothingBehindIt(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("1") // no rail yet
	h.mustSay("No earlier product 1")
	h.Events(pinEnv(t, 101, "scarf", "scarf-red"))
	h.PressSettle("7")
	h.mustSay("No earlier product 7")
	if !h.M.Cart().IsEmpty() {
		t.Errorf("the cart changed: %+v", h.M.Cart().Lines())
	}
}

func TestRailKeysWorkWithTheCartOpen(t *testing.T) {
	h := joined(t, 80, 24)
	h.Events(pinEnv(t, 101, "scarf", "scarf-red"))
	h.Press("c")
	h.Press("?")
	h.MustShow("add an earlier product")
	h.Press("?")
	h.PressSettle("1")
	if got := h.lastAdd(); got != "mug-blue" {
		t.Fatalf("1 with the cart open added %q, want the mug", got)
	}
	h.PressSettle("2")
	h.mustSay("No earlier product 2")
	if h.M.mode != modeCart {
		t.Error("a number key closed the cart")
	}
}

// bigShow is the test show with nine more products, P0 to P8, each named
// with suffix after its number.
func bigShow(suffix string) protocol.Welcome {
	w := testWelcome()
	for i := range 9 {
		w.Catalog = append(w.Catalog, uitest.Product(fmt.Sprintf("p%d", i), fmt.Sprintf("P%d%s", i, suffix), 100,
			protocol.Variant{ID: fmt.Sprintf("p%d-v", i), Name: "One", Stock: 3}))
	}
	return w
}

// A rail longer than its rows keeps every item whole, prices included,
// and counts what it could not show ("+2 more"): six products in 80
// columns, all nine in a tall card. Every number is shown or counted.
func TestRailKeepsEveryNumberInSight(t *testing.T) {
	more := regexp.MustCompile(`\+(\d+) more$`)
	for _, tt := range []struct{ width, height, products int }{{80, 24, 6}, {160, 50, 9}} {
		h := newHarness(t, tt.width, tt.height)
		h.Join(bigShow(" Handmade Stoneware"), 100)
		for i := range tt.products {
			h.Events(pinEnv(t, uint64(101+i), fmt.Sprintf("p%d", i), fmt.Sprintf("p%d-v", i)))
		}
		rail := h.railText()
		shown := 0
		for n := 1; n <= tt.products; n++ {
			if strings.Contains(rail, fmt.Sprintf(" %d ", n)) || strings.HasPrefix(rail, fmt.Sprintf("%d ", n)) {
				shown++
			}
		}
		counted := 0
		if m := more.FindStringSubmatch(rail); m != nil {
			counted, _ = strconv.Atoi(m[1])
		}
		if shown+counted != tt.products || shown == 0 {
			t.Errorf("%dx%d: rail %q shows %d and counts %d of %d products", tt.width, tt.height, rail, shown, counted, tt.products)
		}
		if cut := cutPrice.FindString(rail); cut != "" {
			t.Errorf("%dx%d: a price is cut: %q", tt.width, tt.height, cut)
		}
	}
}

// With more products than numbers, the one that left the card longest ago
// gives up its number; every other product keeps its own.
func TestRailFullGivesUpTheOldestNumber(t *testing.T) {
	h := newHarness(t, 200, 60)
	h.Join(bigShow(""), 100)
	seq := uint64(101)
	pin := func(id, variant string) {
		h.Events(pinEnv(t, seq, id, variant))
		seq++
	}
	// The mug (pinned at join) is 1, the scarf 2, then P0 to P6 are 3 to 9.
	pin("scarf", "scarf-red")
	pin("p0", "p0-v")
	for i := 1; i <= 7; i++ {
		pin(fmt.Sprintf("p%d", i), fmt.Sprintf("p%d-v", i))
	}
	// Nine are more than the card shows: the numbers are read from the
	// model.
	numbers := func() string {
		var parts []string
		for _, it := range h.M.rail() {
			parts = append(parts, fmt.Sprintf("%d %s", it.key, it.name))
		}
		return strings.Join(parts, " · ")
	}
	want := "1 Speckled Mug · 2 Merino Scarf · 3 P0 · 4 P1 · 5 P2 · 6 P3 · 7 P4 · 8 P5 · 9 P6"
	if got := numbers(); got != want {
		t.Fatalf("rail %q\nwant %q", got, want)
	}
	// The mug comes back and leaves again: it keeps 1, and P7, leaving,
	// takes 2 from the scarf, which left the card longest ago.
	pin("mug", "mug-blue")
	pin("p8", "p8-v")
	want = "1 Speckled Mug · 2 P7 · 3 P0 · 4 P1 · 5 P2 · 6 P3 · 7 P4 · 8 P5 · 9 P6"
	if got := numbers(); got != want {
		t.Fatalf("rail %q\nwant %q", got, want)
	}
	h.PressSettle("2")
	if got := h.lastAdd(); got != "p7-v" {
		t.Errorf("2 added %q, want P7", got)
	}
}

// A reconnect that finds something else pinned puts what was pinned on
// the rail, as a pin would.
func TestRailAfterASnapshotPinsAnotherProduct(t *testing.T) {
	h := joined(t, 80, 24)
	h.drop(errors.New("fell too far behind the show"), 1, time.Second)
	w := testWelcome()
	w.Pinned = &protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}
	h.Updates(uitest.Connecting(2), uitest.Snapshot(w, 250, true))
	if got := h.railText(); got != "1 Speckled Mug $24.00" {
		t.Errorf("rail %q, want the mug", got)
	}
}
