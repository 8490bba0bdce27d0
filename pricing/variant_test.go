package pricing

import (
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// poster has a small size at the product's price and a large one priced
// apart, as a store that prices sizes apart sends it.
func poster(deal *protocol.Deal) protocol.Product {
	large := usd(129900)
	return protocol.Product{
		ID: "poster", Name: "Poster", Price: usd(99), Deal: deal,
		Variants: []protocol.Variant{
			{ID: "poster-s", Name: "Small", Stock: 10},
			{ID: "poster-l", Name: "Large", Stock: 10, Price: &large},
		},
	}
}

func TestPriceVariantOwnPrice(t *testing.T) {
	q, err := Price([]protocol.Item{it("poster-s", 2), it("poster-l", 1)}, catalog(poster(nil)), nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Lines[0].Regular; got != usd(99) {
		t.Errorf("small: regular %v, want 0.99", got)
	}
	if got := q.Lines[1].Regular; got != usd(129900) {
		t.Errorf("large: regular %v, want 1299.00", got)
	}
	if q.Total != usd(2*99+129900) {
		t.Errorf("total %v", q.Total)
	}
}

func TestPriceVariantDealAndLimit(t *testing.T) {
	deal := &protocol.Deal{Price: usd(50), Percent: 50, EndsAt: now.Add(time.Minute), PerBuyer: 2}
	q, err := Price([]protocol.Item{it("poster-l", 1), it("poster-s", 3)}, catalog(poster(deal)), nil, now)
	if err != nil {
		t.Fatal(err)
	}
	l, s := q.Lines[0], q.Lines[1]
	if l.Deal != usd(64950) || l.DealQty != 1 {
		t.Errorf("large: deal %v × %d, want 649.50 × 1", l.Deal, l.DealQty)
	}
	// The per-buyer limit counts across the product's variants: one left.
	if s.Deal != usd(50) || s.DealQty != 1 || s.RegularQty() != 2 {
		t.Errorf("small: deal %v × %d, regular × %d; want 0.50 × 1, × 2", s.Deal, s.DealQty, s.RegularQty())
	}
	if want := usd(64950 + 50 + 2*99); q.Total != want {
		t.Errorf("total %v, want %v", q.Total, want)
	}
}

func TestPriceVariantAmountOffLeavesNoDiscount(t *testing.T) {
	cheap := usd(30)
	p := protocol.Product{
		ID: "pin", Name: "Pin", Price: usd(500),
		Deal: &protocol.Deal{Price: usd(400), AmountOff: 100, EndsAt: now.Add(time.Minute)},
		Variants: []protocol.Variant{
			{ID: "pin-a", Name: "A", Stock: 5},
			{ID: "pin-b", Name: "B", Stock: 5, Price: &cheap},
		},
	}
	q, _ := Price([]protocol.Item{it("pin-b", 1)}, catalog(p), nil, now)
	if l := q.Lines[0]; l.DealOn() || l.Total != cheap {
		t.Errorf("pin-b: deal on %v, total %v; want no deal, 0.30", l.DealOn(), l.Total)
	}
	if got := p.VariantPriceAt("pin-b", now); got != cheap {
		t.Errorf("VariantPriceAt(pin-b) = %v, want 0.30", got)
	}
	if got := p.VariantPriceAt("pin-a", now); got != usd(400) {
		t.Errorf("VariantPriceAt(pin-a) = %v, want 4.00", got)
	}
}

func TestVariantPriceValidate(t *testing.T) {
	eur := money.New(100, "EUR")
	p := poster(nil)
	p.Variants[1].Price = &eur
	if err := p.Validate(); err == nil {
		t.Error("a variant priced in another currency passed Validate")
	}
	if err := poster(nil).Validate(); err != nil {
		t.Errorf("poster: %v", err)
	}
}
