package cart

import (
	"slices"
	"testing"
	"time"

	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
)

var t0 = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)

func usd(a int64) money.Money { return money.New(a, "USD") }

// shop is a test's show: products it can change between checks.
type shop map[string]protocol.Product

func (s shop) lookup(variantID string) (protocol.Product, bool) {
	for _, p := range s {
		if _, ok := p.Variant(variantID); ok {
			return p, true
		}
	}
	return protocol.Product{}, false
}

func newShop() shop {
	return shop{
		"beanie": {ID: "beanie", Name: "Beanie", Price: usd(2800),
			Variants: []protocol.Variant{{ID: "beanie-grey", Name: "Grey", Stock: 20}, {ID: "beanie-red", Name: "Red", Stock: 20}}},
		"mug": {ID: "mug", Name: "Speckled Mug", Price: usd(2400),
			Variants: []protocol.Variant{{ID: "mug-blue", Name: "Blue", Stock: 5}, {ID: "mug-sand", Name: "Sand", Stock: 12}}},
	}
}

func (s shop) deal(productID string, price int64, perBuyer int) {
	p := s[productID]
	p.Deal = &protocol.Deal{Price: usd(price), AmountOff: p.Price.Amount - price, EndsAt: t0.Add(90 * time.Second), PerBuyer: perBuyer}
	s[productID] = p
}

func (s shop) endDeal(productID string) {
	p := s[productID]
	p.Deal = nil
	s[productID] = p
}

func (s shop) stock(variantID string, n int) {
	for id, p := range s {
		for i := range p.Variants {
			if p.Variants[i].ID == variantID {
				p.Variants = slices.Clone(p.Variants)
				p.Variants[i].Stock = n
				s[id] = p
			}
		}
	}
}

// add puts qty of a variant in the cart as the viewer's a key does: at the
// price of the moment, then checks it.
func (s shop) add(t *testing.T, c Cart, variantID string, qty int) Cart {
	t.Helper()
	p, _ := s.lookup(variantID)
	v, _ := p.Variant(variantID)
	next, err := c.Add(Line{ProductID: p.ID, VariantID: v.ID, Name: p.Name, Variant: v.Name, Unit: p.PriceAt(t0), Qty: qty}, v.Stock)
	if err != nil {
		t.Fatalf("add %s: %v", variantID, err)
	}
	return next
}

// check checks c against the shop and returns the checked cart and its
// changes' reasons.
func (s shop) check(t *testing.T, c Cart, b Bought) (Checked, []string) {
	t.Helper()
	k, err := Check(c, s.lookup, t0, b.Taken)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, ch := range k.Changes {
		reasons = append(reasons, ch.Reason)
	}
	return k, reasons
}

func states(k Checked) []string {
	var out []string
	for _, l := range k.Lines {
		out = append(out, l.VariantID+":"+string(l.State))
	}
	return out
}

// A deal ends with Beanies in the cart: the cart says so and shows what
// checkout will charge, the regular price, not the deal price it was
// added at.
func TestCheckDealEnds(t *testing.T) {
	s := newShop()
	s.deal("beanie", 2240, 0) // 20% off
	c := s.add(t, Cart{}, "beanie-grey", 2)
	k, reasons := s.check(t, c, Bought{})
	if k.Total != usd(4480) || len(reasons) != 0 {
		t.Fatalf("during the deal: total %v, changes %q", k.Total, reasons)
	}
	c = k.Cart

	s.endDeal("beanie")
	k, reasons = s.check(t, c, Bought{})
	if k.Total != usd(5600) || !slices.Equal(reasons, []string{"deal ended: Beanie now $28.00"}) {
		t.Fatalf("after the deal: total %v, changes %q", k.Total, reasons)
	}
	if k.Changes[0].Kind != ChangeDealEnded || k.Changes[0].VariantID != "beanie-grey" {
		t.Errorf("change %+v", k.Changes[0])
	}
	// Told once: the next check has no news.
	if _, reasons := s.check(t, k.Cart, Bought{}); len(reasons) != 0 {
		t.Errorf("checked again: %q", reasons)
	}
	// The line's hint follows what was shown; the cart it came from is as it was.
	if got := k.Cart.Lines()[0]; got.Unit != usd(2800) || got.Seen.State != pricing.OK || got.Seen.Deal != (money.Money{}) {
		t.Errorf("checked line %+v", got)
	}
	if c.Lines()[0].Unit != usd(2240) {
		t.Errorf("Check changed the cart it was given: %+v", c.Lines()[0])
	}
}

func TestCheckDealStartsAndMoves(t *testing.T) {
	s := newShop()
	k, _ := s.check(t, s.add(t, Cart{}, "mug-blue", 1), Bought{})
	s.deal("mug", 1800, 0)
	k, reasons := s.check(t, k.Cart, Bought{})
	if k.Total != usd(1800) || !slices.Equal(reasons, []string{"deal: Speckled Mug now $18.00 (was $24.00)"}) {
		t.Fatalf("a deal starts: %v, %q", k.Total, reasons)
	}
	// The host sets a new price: the deal keeps its amount off.
	p := s["mug"]
	p.Price = usd(3000)
	s["mug"] = p
	s.deal("mug", 2400, 0)
	if _, reasons := s.check(t, k.Cart, Bought{}); !slices.Equal(reasons, []string{"deal price: Speckled Mug now $24.00 (was $18.00)"}) {
		t.Fatalf("a repriced deal: %q", reasons)
	}
	s.endDeal("mug")
	k, _ = s.check(t, k.Cart, Bought{})
	p = s["mug"]
	p.Price = usd(2600)
	s["mug"] = p
	if _, reasons := s.check(t, k.Cart, Bought{}); !slices.Equal(reasons, []string{"price: Speckled Mug now $26.00 (was $30.00)"}) {
		t.Fatalf("a new regular price: %q", reasons)
	}
}

// Deal "$5 90s 1" with 3 in the cart: one at the deal price, two at the
// regular price, and the cart says why.
func TestCheckDealLimit(t *testing.T) {
	s := newShop()
	s.deal("beanie", 2300, 1)
	c := s.add(t, Cart{}, "beanie-grey", 1)
	k, reasons := s.check(t, c, Bought{})
	if k.Total != usd(2300) || len(reasons) != 0 {
		t.Fatalf("one at the deal: %v, %q", k.Total, reasons)
	}
	k, reasons = s.check(t, s.add(t, k.Cart, "beanie-grey", 2), Bought{})
	l := k.Lines[0]
	if k.Total != usd(2300+2*2800) || l.DealQty != 1 || l.RegularQty() != 2 || !l.Limited() {
		t.Fatalf("three under a limit of one: total %v, line %+v", k.Total, l)
	}
	if !slices.Equal(reasons, []string{"deal limit 1 each: 1 Beanie at $23.00, 2 at $28.00"}) || k.Changes[0].Kind != ChangeLimit {
		t.Fatalf("changes %q", reasons)
	}
	// The limit is per product: another colour is at the regular price too.
	k, reasons = s.check(t, s.add(t, k.Cart, "beanie-red", 1), Bought{})
	if k.Total != usd(2300+3*2800) || !slices.Equal(reasons, []string{"deal limit 1 each, used up: Beanie at $28.00"}) {
		t.Fatalf("a second colour: %v, %q", k.Total, reasons)
	}

	// The viewer bought one at the deal price: what is left is at the
	// regular price.
	var b Bought
	b = b.Record(protocol.Order{ID: "o1", Lines: []protocol.OrderLine{
		{ProductID: "beanie", VariantID: "beanie-grey", Unit: usd(2300), Qty: 1},
		{ProductID: "beanie", VariantID: "beanie-grey", Unit: usd(2800), Qty: 2},
	}, Total: usd(7900)}, s.lookup, t0)
	if n := b.Taken(s["beanie"]); n != 1 {
		t.Fatalf("taken %d, want 1", n)
	}
	c = s.add(t, Cart{}, "beanie-grey", 1)
	if k, reasons := s.check(t, c, b); k.Total != usd(2800) || !slices.Equal(reasons, []string{"deal limit 1 each, used up: Beanie at $28.00"}) {
		t.Fatalf("after buying one: %v, %q", k.Total, reasons)
	}
	// A new deal is a new limit.
	s.deal("beanie", 2000, 1)
	p := s["beanie"]
	p.Deal.EndsAt = p.Deal.EndsAt.Add(time.Minute)
	if n := b.Taken(p); n != 0 {
		t.Errorf("taken %d under a new deal", n)
	}
}

// The host sets the Blue mug's stock to 0 while it is in the cart: the
// line says so, the total leaves it out, and so does the checkout link.
func TestCheckStock(t *testing.T) {
	s := newShop()
	c := s.add(t, s.add(t, Cart{}, "mug-blue", 3), "beanie-grey", 1)
	k, _ := s.check(t, c, Bought{})

	s.stock("mug-blue", 0)
	k, reasons := s.check(t, k.Cart, Bought{})
	if k.Total != usd(2800) || !slices.Equal(states(k), []string{"mug-blue:sold_out", "beanie-grey:ok"}) ||
		!slices.Equal(reasons, []string{"sold out: Speckled Mug (Blue) stays out of checkout"}) {
		t.Fatalf("sold out: total %v, %v, %q", k.Total, states(k), reasons)
	}
	h, err := checkout.ForQuote("http://127.0.0.1:7420/cart/{items}?seen={total}", k.Quote)
	if err != nil || h.URL != "http://127.0.0.1:7420/cart/beanie-grey:1?seen=2800" || len(h.LeftOut) != 1 || h.LeftOut[0].VariantID != "mug-blue" {
		t.Fatalf("checkout: %+v, %v", h, err)
	}

	s.stock("mug-blue", 2)
	k, reasons = s.check(t, k.Cart, Bought{})
	if k.Total != usd(2*2400+2800) || !slices.Equal(reasons, []string{"only 2 left: 2 of your 3 Speckled Mug (Blue) go to checkout"}) {
		t.Fatalf("short: %v, %q", k.Total, reasons)
	}
	s.stock("mug-blue", 1)
	if _, reasons := s.check(t, k.Cart, Bought{}); !slices.Equal(reasons, []string{"only 1 left: 1 of your 3 Speckled Mug (Blue) go to checkout"}) {
		t.Fatalf("shorter: %q", reasons)
	}
	s.stock("mug-blue", 9)
	if k, reasons := s.check(t, k.Cart, Bought{}); k.Total != usd(3*2400+2800) || !slices.Equal(reasons, []string{"back in stock: Speckled Mug (Blue)"}) {
		t.Fatalf("restocked: %v, %q", k.Total, reasons)
	}
}

// A cart saved during a deal is restored into a show without it: the
// saved price is not charged, and the viewer is told why the price moved;
// a variant the show no longer has is left out of checkout.
func TestCheckRestoredCart(t *testing.T) {
	s := newShop()
	s.deal("beanie", 2240, 0)
	c := s.add(t, s.add(t, Cart{}, "beanie-grey", 2), "mug-sand", 1)
	k, _ := s.check(t, c, Bought{})
	store := Store{Dir: t.TempDir()}
	if err := store.Save(show, k.Cart); err != nil {
		t.Fatal(err)
	}

	// The next show: no deal, and no Sand mug.
	next := newShop()
	mug := next["mug"]
	mug.Variants = mug.Variants[:1]
	next["mug"] = mug
	restored, err := store.Load(show)
	if err != nil {
		t.Fatal(err)
	}
	k, reasons := next.check(t, restored, Bought{})
	want := []string{"deal ended: Beanie now $28.00", "no longer in this show: Speckled Mug (Sand) stays out of checkout"}
	if k.Total != usd(5600) || !slices.Equal(reasons, want) {
		t.Fatalf("restored: total %v, changes %q; want $56.00, %q", k.Total, reasons, want)
	}
	if !slices.Equal(states(k), []string{"beanie-grey:ok", "mug-sand:unavailable"}) || !slices.Equal(k.Items(), []protocol.Item{{VariantID: "beanie-grey", Qty: 2}}) {
		t.Fatalf("restored: %v, items %v", states(k), k.Items())
	}
}

// A line from a cart file written before lines recorded what was seen
// knows only the unit price it was added at.
func TestCheckLineNeverChecked(t *testing.T) {
	s := newShop()
	old := Line{ProductID: "beanie", VariantID: "beanie-grey", Name: "Beanie", Variant: "Grey", Unit: usd(2240), Qty: 1}
	c, err := fromLines([]Line{old})
	if err != nil {
		t.Fatal(err)
	}
	if k, reasons := s.check(t, c, Bought{}); k.Total != usd(2800) || !slices.Equal(reasons, []string{"price: Beanie now $28.00 (was $22.40)"}) {
		t.Fatalf("%v, %q", k.Total, reasons)
	}
	// Added at the deal's price while it runs: nothing to say.
	s.deal("beanie", 2240, 0)
	if _, reasons := s.check(t, c, Bought{}); len(reasons) != 0 {
		t.Fatalf("a line added at the deal price: %q", reasons)
	}
}

func TestSeenIsCheckedOnLoad(t *testing.T) {
	bad := []Seen{
		{State: "gone", Qty: 1},
		{State: pricing.OK, Qty: MaxQty + 1, Regular: usd(1)},
		{State: pricing.OK, Qty: 1, DealQty: 2, Regular: usd(1)},
		{State: pricing.OK, Qty: 1, Regular: money.New(-1, "USD")},
		{State: pricing.OK, Qty: 1, Regular: usd(1), Deal: money.New(5, "usd")},
	}
	for _, s := range bad {
		l := line("v1", 100, 1)
		l.Seen = s
		if _, err := fromLines([]Line{l}); err == nil {
			t.Errorf("a line that has seen %+v loads", s)
		}
	}
}

func TestBoughtCountsOnlyDealUnits(t *testing.T) {
	s := newShop()
	s.deal("beanie", 2300, 2)
	var b Bought
	order := protocol.Order{ID: "o1", Lines: []protocol.OrderLine{
		{ProductID: "beanie", VariantID: "beanie-red", Unit: usd(2300), Qty: 1},
		{ProductID: "mug", VariantID: "mug-blue", Unit: usd(2400), Qty: 1},
		{ProductID: "gone", VariantID: "gone", Unit: usd(100), Qty: 1},
	}, Total: usd(4800)}
	b2 := b.Record(order, s.lookup, t0)
	if b.Taken(s["beanie"]) != 0 || b2.Taken(s["beanie"]) != 1 || b2.Taken(s["mug"]) != 0 {
		t.Fatalf("taken: before %d, after %d, mug %d", b.Taken(s["beanie"]), b2.Taken(s["beanie"]), b2.Taken(s["mug"]))
	}
	b3 := b2.Record(order, s.lookup, t0)
	if b3.Taken(s["beanie"]) != 2 || b2.Taken(s["beanie"]) != 1 {
		t.Fatalf("taken after two orders %d (the older Bought %d)", b3.Taken(s["beanie"]), b2.Taken(s["beanie"]))
	}
	// After the deal, nothing is counted, and a deal's end forgets it.
	if n := b3.Record(order, s.lookup, t0.Add(time.Hour)).Taken(s["beanie"]); n != 2 {
		t.Errorf("an order after the deal's end counted: %d", n)
	}
	s.endDeal("beanie")
	if n := b3.Taken(s["beanie"]); n != 0 {
		t.Errorf("taken %d with no deal", n)
	}
}
