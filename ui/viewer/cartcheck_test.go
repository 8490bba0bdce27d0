package viewer

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

func usd(cents int64) money.Money { return money.New(cents, "USD") }

// seenCheckout is the show's link template with the total shown, as the
// show server's has it.
const seenCheckout = testCheckout + "?seen={total}"

// beanie is a product of the shows below, with a deal when deal is not
// nil.
func beanie(deal *protocol.Deal) protocol.Product {
	p := uitest.Product("beanie", "Beanie", 2800, protocol.Variant{ID: "beanie-oat", Name: "Oat", Stock: 9})
	p.Deal = deal
	return p
}

// percentOff is the host's "20% for a minute": $22.40 for the $28.00
// beanie.
func percentOff(ends time.Time) *protocol.Deal {
	return &protocol.Deal{Price: usd(2240), Percent: 20, EndsAt: ends}
}

// beanieShow is testWelcome with the beanie pinned and the checkout link
// carrying the total shown.
func beanieShow(deal *protocol.Deal) protocol.Welcome {
	w := testWelcome()
	w.Catalog = append(w.Catalog, beanie(deal))
	w.Pinned = &protocol.Pin{ProductID: "beanie", VariantID: "beanie-oat"}
	w.Checkout = seenCheckout
	return w
}

// joinedTo is a harness joined to w with its cart loaded.
func joinedTo(t *testing.T, w protocol.Welcome, width, height int, tweak ...func(*Options)) *harness {
	t.Helper()
	h := newHarness(t, width, height, tweak...)
	h.Join(w, 100)
	if !h.M.cartLoaded {
		t.Fatal("cart did not load on connect")
	}
	return h
}

// product is a product event stamped with the test's clock.
func product(t *testing.T, seq uint64, p protocol.Product) protocol.Envelope {
	t.Helper()
	return stamped(t, protocol.TypeProduct, seq, uitest.T0, p)
}

// mustStatus fails unless the status line holds want.
func mustStatus(t *testing.T, h *harness, kind live.StatusKind, want string) {
	t.Helper()
	if h.M.Status.Kind != kind || !strings.Contains(h.M.Status.Text, want) {
		t.Errorf("status = %v %q, want %v with %q", h.M.Status.Kind, h.M.Status.Text, kind, want)
	}
}

// checkedOut is x pressed and the URL the opener got.
func checkedOut(t *testing.T, h *harness) *url.URL {
	t.Helper()
	before := len(h.opener.URLs())
	h.PressSettle("x")
	urls := h.opener.URLs()
	if len(urls) != before+1 {
		t.Fatalf("x opened %v; status %q", urls[before:], h.M.Status.Text)
	}
	u, err := url.Parse(urls[len(urls)-1])
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// pageTotal is what the checkout page of link charges for the show as the
// viewer's mirror has it now: the one rule, pricing.Price, which the page
// prices with.
func pageTotal(t *testing.T, h *harness, link *url.URL) money.Money {
	t.Helper()
	items, err := protocol.ParseItems(strings.TrimPrefix(link.Path, "/cart/"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := pricing.Price(items, h.M.Show.ProductOfVariant, nil, h.M.ServerNow())
	if err != nil {
		t.Fatal(err)
	}
	return q.Total
}

// The first scenario: the host starts a 20% deal, the viewer adds
// two beanies, the host ends the deal. The cart shows the regular price at
// once, and the status line says why.
func TestDealEndRepricesTheCart(t *testing.T) {
	h := joinedTo(t, beanieShow(nil), 80, 24)
	h.Events(product(t, 101, beanie(percentOff(uitest.T0.Add(time.Minute)))))
	h.PressSettle("a", "a", "c")
	h.MustShow("Beanie (Oat)", "×2 $28.00 $22.40", "$44.80")

	h.Events(product(t, 102, beanie(nil)))
	h.MustShow("×2 $28.00  $56.00")
	if h.M.checked.Total != usd(5600) {
		t.Errorf("total %v, want $56.00", h.M.checked.Total)
	}
	h.MustNotShow("$22.40", "$44.80")
	mustStatus(t, h, live.StatusError, "deal ended: Beanie now $28.00")
	h.MustShow("— deal ended: Beanie now $28.00 —") // and in the chat, to read later

	// Said once: the next event about the beanie has nothing new to say.
	h.expireToast()
	h.Events(product(t, 103, beanie(nil)))
	if h.M.Status.Text != "" {
		t.Errorf("the same price was told again: %q", h.M.Status.Text)
	}
	// The link orders what the cart shows, at the total shown.
	if u := checkedOut(t, h); u.Query().Get("seen") != "5600" || u.Path != "/cart/beanie-oat:2" {
		t.Errorf("x opened %s, want the two beanies seen at 5600", u)
	}
}

// A cart saved during a deal and restored in a new session, after the
// deal, shows the price of the day and says why.
func TestRestoredCartShowsTodaysPrice(t *testing.T) {
	h := joinedTo(t, beanieShow(percentOff(uitest.T0.Add(time.Minute))), 80, 24)
	h.PressSettle("a", "a")
	saved, _ := h.store.get(testCartKey)
	if l := saved.Lines(); len(l) != 1 || l[0].Seen.Deal != usd(2240) || l[0].Seen.DealQty != 2 {
		t.Fatalf("saved %+v, want the deal as it was shown", l)
	}

	next := newHarness(t, 80, 24)
	next.store.set(func(s *memStore) { s.carts[testCartKey] = saved })
	next.Join(beanieShow(nil), 200)
	next.Press("c")
	next.MustShow("×2 $28.00  $56.00")
	next.MustNotShow("$22.40")
	mustStatus(t, next, live.StatusError, "deal ended: Beanie now $28.00")
	if now, _ := next.store.get(testCartKey); now.Lines()[0].Seen.Deal != (money.Money{}) {
		t.Errorf("the new price was not saved as shown: %+v", now.Lines()[0].Seen)
	}
}

// The second scenario: a deal of $5 off for 90 s, 1 per buyer,
// with 3 in the cart: 1 at the deal's price, 2 at the regular price, shown
// as such, and the link's total is what the page charges.
func TestDealLimitInTheCart(t *testing.T) {
	h := joinedTo(t, beanieShow(nil), 80, 24)
	limited := &protocol.Deal{Price: usd(2300), AmountOff: 500, EndsAt: uitest.T0.Add(90 * time.Second), PerBuyer: 1}
	h.Events(product(t, 101, beanie(limited)))
	h.PressSettle("a")
	h.PressSettle("a")
	mustStatus(t, h, live.StatusError, "Added Beanie (Oat) · deal limit 1 each: 1 Beanie at $23.00, 1 at $28.00")
	h.PressSettle("a", "c")
	h.MustShow("Beanie (Oat)", "$79.00", "×1 $28.00 $23.00", "×2 $28.00 over the deal's limit of 1 each")
	h.MustNotShow("— deal limit") // the viewer's own doing: the status line is enough
	if raw, _ := h.M.cartPanel(true, 80, 12); !struck.MatchString(raw) {
		t.Error("the regular price of the deal's unit is not struck through")
	}
	u := checkedOut(t, h)
	if u.Path != "/cart/beanie-oat:3" || u.Query().Get("seen") != "7900" {
		t.Errorf("x opened %s, want 3 beanies seen at 7900", u)
	}
	if got := pageTotal(t, h, u); got != usd(7900) {
		t.Errorf("the page charges %v for the link, the cart showed $79.00", got)
	}
}

// The link shown for copying follows the cart: it orders what the cart
// shows, at the total it shows, and goes when nothing can be bought.
func TestShownLinkFollowsTheCart(t *testing.T) {
	h := joinedTo(t, beanieShow(percentOff(uitest.T0.Add(time.Minute))), 80, 24, func(o *Options) { o.OpenBrowser = false })
	h.PressSettle("a", "a", "x")
	h.MustShow("http://127.0.0.1:7420/cart/beanie-oat:2?seen=4480")

	h.Events(product(t, 101, beanie(nil)))
	h.MustShow("http://127.0.0.1:7420/cart/beanie-oat:2?seen=5600")
	h.MustNotShow("seen=4480")

	gone := beanie(nil)
	gone.Variants[0].Stock = 0
	h.Events(product(t, 102, gone))
	h.MustNotShow("http://127.0.0.1:7420/cart/", "esc hides the link")
	h.Fits()
}

// An order counts the units it bought at a deal's price against the
// deal's limit for what is left in the cart, which is not saved.
func TestOrderCountsAgainstTheDealLimit(t *testing.T) {
	deal := &protocol.Deal{Price: usd(2300), AmountOff: 500, EndsAt: uitest.T0.Add(90 * time.Second), PerBuyer: 2}
	h := joinedTo(t, beanieShow(deal), 80, 24)
	h.PressSettle("a", "a", "a", "c")
	h.MustShow("×2 $28.00 $23.00", "×1 $28.00 over the deal's limit of 2 each", "$74.00")

	// One beanie bought elsewhere, at the deal's price.
	h.Events(uitest.Env(t, protocol.TypeOrder, 0, protocol.Order{ID: "o-1",
		Lines: []protocol.OrderLine{{ProductID: "beanie", VariantID: "beanie-oat", Name: "Beanie", Variant: "Oat", Unit: usd(2300), Qty: 1}},
		Total: usd(2300)}))
	if h.M.Cart().Units() != 2 {
		t.Fatalf("cart holds %d units after the order, want 2", h.M.Cart().Units())
	}
	h.MustShow("×1 $28.00 $23.00", "×1 $28.00 over the deal's limit of 2 each", "$51.00")
	if q := h.M.checked.Lines[0]; q.DealQty != 1 || q.Total != usd(5100) {
		t.Errorf("after the order: %+v", q)
	}
	if u := checkedOut(t, h); u.Query().Get("seen") != "5100" {
		t.Errorf("x opened %s, want seen=5100", u)
	}
}

// The third scenario: the host sets the stock to 0 while the mug
// is in the cart. The line says sold out, the total leaves it out, and x
// checks out the rest and says what it left out.
func TestSoldOutLineStaysOutOfCheckout(t *testing.T) {
	h := joined(t, 80, 24, func(o *Options) { o.OpenBrowser = false })
	h.PressSettle("a")
	h.Events(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.PressSettle("a", "c")
	h.MustShow("$63.00")

	gone := testWelcome().Catalog[0]
	gone.Variants[0].Stock = 0
	h.Events(product(t, 102, gone))
	mustStatus(t, h, live.StatusError, "sold out: Speckled Mug (Blue) stays out of checkout")
	h.MustShow("Speckled Mug (Blue)", "sold out", "×1 left out of checkout", "Total · 1 line left out", "$39.00")
	h.MustNotShow("$63.00")

	h.PressSettle("x")
	h.MustShow("http://127.0.0.1:7420/cart/scarf-red:1")
	if n, ok := h.M.Notice(noticeCheckout); !ok || !strings.Contains(n.Text, "left out: Speckled Mug (Blue) sold out") {
		t.Errorf("the checkout link's notice = %q, want what was left out", n.Text)
	}

	// Closed, the cart's summary says the same.
	h.PressSettle("c", "esc")
	h.expireToast()
	h.MustShow("Cart: 2 items · $39.00 · 1 line left out")
}

// A line the stock covers only in part goes to checkout in part.
func TestShortLineGoesToCheckoutInPart(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a", "a", "a", "c")
	short := testWelcome().Catalog[0]
	short.Variants[0].Stock = 2
	h.Events(product(t, 101, short))
	mustStatus(t, h, live.StatusError, "only 2 left: 2 of your 3 Speckled Mug (Blue) go to checkout")
	h.MustShow("×2 $24.00 only 2 of 3", "$48.00")
	u := checkedOut(t, h)
	if u.Path != "/cart/mug-blue:2" {
		t.Errorf("x opened %s, want the 2 in stock", u)
	}
	mustStatus(t, h, live.StatusGood, "left out: Speckled Mug (Blue) only 2 of 3")
	// Fewer is always allowed, though the stock is below the line, and
	// is not news.
	h.PressSettle("-")
	if got := h.M.Cart().Lines()[0].Qty; got != 2 || h.M.checked.Lines[0].State != pricing.OK {
		t.Errorf("- left %d, %s", got, h.M.checked.Lines[0].State)
	}
	if strings.Contains(h.M.Status.Text, "back in stock") {
		t.Errorf("status %q", h.M.Status.Text)
	}
}

// x with nothing that can be bought opens nothing and says why; with an
// empty cart, says that.
func TestCheckoutWithNothingToBuy(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("x")
	mustStatus(t, h, live.StatusInfo, "Your cart is empty")

	h.PressSettle("a")
	gone := testWelcome().Catalog[0]
	gone.Variants[0].Stock = 0
	h.Events(product(t, 101, gone))
	h.PressSettle("x")
	mustStatus(t, h, live.StatusError, "Nothing in your cart can be bought now: Speckled Mug (Blue) sold out")
	if urls := h.opener.URLs(); len(urls) != 0 {
		t.Errorf("x opened %v", urls)
	}
}

// A total that cannot be charged shows as "?" and is not checked out.
func TestTotalTooLargeIsNotCheckedOut(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a", "a")
	dear := testWelcome().Catalog[0]
	dear.Price = usd(money.MaxAmount - 1)
	h.Events(product(t, 101, dear))
	h.expireToast()
	h.MustShow("Cart: 2 items · ?")
	h.PressSettle("x")
	mustStatus(t, h, live.StatusError, "Cannot check out: total too large")
	if urls := h.opener.URLs(); len(urls) != 0 {
		t.Errorf("x opened %v", urls)
	}
}

// A deal that runs out on the clock reprices the cart at once, before the
// show's event says so, and only once.
func TestDealRunsOutOnTheClock(t *testing.T) {
	tk := &uitest.Ticker{}
	ends := uitest.T0.Add(30 * time.Second)
	h := joinedTo(t, beanieShow(percentOff(ends)), 80, 24, func(o *Options) { o.Tick = tk.Tick })
	h.PressSettle("a", "a", "c")
	h.MustShow("$44.80")
	h.Send(tk.LastClock(t, ends.Add(-time.Second)))
	h.MustShow("$44.80")
	h.Settle(h.Send(tk.LastClock(t, ends)))
	h.MustShow("×2 $28.00  $56.00")
	mustStatus(t, h, live.StatusError, "deal ended: Beanie now $28.00")

	// The show's own word on it comes later: nothing new.
	h.expireToast()
	h.Events(product(t, 101, beanie(nil)))
	if h.M.Status.Text != "" {
		t.Errorf("the deal's end was told twice: %q", h.M.Status.Text)
	}
}

// Several changes at once: the first on the status line with how many
// more, each in the chat.
func TestSeveralChangesAtOnce(t *testing.T) {
	h := joinedTo(t, beanieShow(percentOff(uitest.T0.Add(time.Minute))), 80, 24)
	h.PressSettle("a")
	h.Events(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"}))
	h.PressSettle("a")
	gone := testWelcome().Catalog[0]
	gone.Variants[0].Stock = 0
	h.Events(product(t, 102, beanie(nil)), product(t, 103, gone))
	mustStatus(t, h, live.StatusError, "deal ended: Beanie now $28.00 · and 1 more (in the chat)")
	h.MustShow("— deal ended: Beanie now $28.00 —", "— sold out: Speckled Mug (Blue) stays out of checkout —")

	// A restored cart with both at once.
	saved, _ := h.store.get(testCartKey)
	next := newHarness(t, 80, 24)
	next.store.set(func(s *memStore) { s.carts[testCartKey] = saved })
	w := beanieShow(nil)
	w.Catalog[0].Variants[0].Stock = 3
	w.Catalog[len(w.Catalog)-1].Price = usd(2600)
	next.Join(w, 200)
	mustStatus(t, next, live.StatusInfo, "price: Beanie now $26.00 (was $28.00) · and 1 more (in the chat)")
	next.MustShow("— back in stock: Speckled Mug (Blue) —")
}

// TestGoldenCheckedCart: a cart with a deal line, a line over a deal's
// limit, a short line, a sold-out line and a line the show no longer
// sells, as restored from disk into today's show.
func TestGoldenCheckedCart(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := newHarness(t, width, height)
		h.store.set(func(s *memStore) { s.carts[testCartKey] = checkedCart(t) })
		w := beanieShow(percentOff(uitest.T0.Add(2 * time.Minute)))
		tote := uitest.Product("tote", "Canvas Tote", 1500, protocol.Variant{ID: "tote-navy", Name: "Navy", Stock: 20})
		tote.Deal = &protocol.Deal{Price: usd(1000), AmountOff: 500, EndsAt: uitest.T0.Add(90 * time.Second), PerBuyer: 1}
		w.Catalog = append(w.Catalog, tote)
		w.Catalog[0].Variants[2].Stock = 2 // the green mug
		h.Join(w, 100)
		h.Press("c")
		h.Golden(fmt.Sprintf("cart_checked_%dx%d", width, height))
		if width < wideMinWidth {
			h.Press("down", "down", "down", "down")
			h.MustShow("no longer in this show")
		}
		h.MustShow("left out")
	})
}

// checkedCart is the golden's cart as it was saved.
func checkedCart(t *testing.T) cart.Cart {
	t.Helper()
	var c cart.Cart
	for _, l := range []cart.Line{
		{ProductID: "beanie", VariantID: "beanie-oat", Name: "Beanie", Variant: "Oat", Unit: usd(2240), Qty: 2},
		{ProductID: "tote", VariantID: "tote-navy", Name: "Canvas Tote", Variant: "Navy", Unit: usd(1000), Qty: 3},
		{ProductID: "mug", VariantID: "mug-green", Name: "Speckled Mug", Variant: "Green", Unit: usd(2400), Qty: 4},
		{ProductID: "mug", VariantID: "mug-sand", Name: "Speckled Mug", Variant: "Sand", Unit: usd(2400), Qty: 1},
		{ProductID: "lamp", VariantID: "lamp-brass", Name: "Brass Lamp", Variant: "Small", Unit: usd(8900), Qty: 1},
	} {
		var err error
		if c, err = c.Add(l, -1); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// A new snapshot after a drop that could not be resumed prices the cart
// by the show as it is now.
func TestRejoinRepricesTheCart(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a")
	h.drop(fmt.Errorf("the link went silent"), 1, time.Second)
	w := testWelcome()
	w.Catalog[0].Price = usd(2000)
	h.Updates(uitest.Connecting(2), uitest.Snapshot(w, 140, true))
	mustStatus(t, h, live.StatusInfo, "price: Speckled Mug now $20.00 (was $24.00)")
	h.expireToast()
	h.MustShow("Cart: 1 item · $20.00")
}
