package pricing

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

var now = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)

func usd(a int64) money.Money { return money.New(a, "USD") }

func it(variantID string, qty int) protocol.Item {
	return protocol.Item{VariantID: variantID, Qty: qty}
}

// catalog is a show's products by variant, as a Lookup.
func catalog(products ...protocol.Product) Lookup {
	return func(id string) (protocol.Product, bool) {
		for _, p := range products {
			if _, ok := p.Variant(id); ok {
				return p, true
			}
		}
		return protocol.Product{}, false
	}
}

func beanie(stock int, deal *protocol.Deal) protocol.Product {
	return protocol.Product{
		ID: "beanie", Name: "Beanie", Price: usd(2800), Deal: deal,
		Variants: []protocol.Variant{{ID: "beanie-grey", Name: "Grey", Stock: stock}, {ID: "beanie-red", Name: "Red", Stock: stock}},
	}
}

func mug(stock int) protocol.Product {
	return protocol.Product{ID: "mug", Name: "Speckled Mug", Price: usd(2400), Variants: []protocol.Variant{{ID: "mug-blue", Name: "Blue", Stock: stock}}}
}

func deal(price int64, perBuyer int) *protocol.Deal {
	return &protocol.Deal{Price: usd(price), Percent: 20, EndsAt: now.Add(time.Minute), PerBuyer: perBuyer}
}

// summary is what a test asserts of a line.
type summary struct {
	state        State
	qty, dealQty int
	deal, total  int64
}

func summarize(q Quote) []summary {
	var out []summary
	for _, l := range q.Lines {
		out = append(out, summary{l.State, l.Qty, l.DealQty, l.Deal.Amount, l.Total.Amount})
	}
	return out
}

func TestPrice(t *testing.T) {
	cases := []struct {
		name     string
		products []protocol.Product
		items    []protocol.Item
		taken    Taken
		want     []summary
		total    int64
	}{
		{"regular", []protocol.Product{mug(5)}, []protocol.Item{it("mug-blue", 2)},
			nil, []summary{{OK, 2, 0, 0, 4800}}, 4800},
		{"deal without a limit", []protocol.Product{beanie(10, deal(2240, 0))}, []protocol.Item{it("beanie-grey", 2)},
			nil, []summary{{OK, 2, 2, 2240, 4480}}, 4480},
		{"deal over its limit: the rest at the regular price", []protocol.Product{beanie(10, deal(2300, 1))}, []protocol.Item{it("beanie-grey", 3)},
			nil, []summary{{OK, 3, 1, 2300, 2300 + 2*2800}}, 2300 + 2*2800},
		{"the limit counts across variants, in order", []protocol.Product{beanie(10, deal(2300, 2))},
			[]protocol.Item{it("beanie-grey", 1), it("beanie-red", 3)},
			nil, []summary{{OK, 1, 1, 2300, 2300}, {OK, 3, 1, 2300, 2300 + 2*2800}}, 2*2300 + 2*2800},
		{"units already taken count against the limit", []protocol.Product{beanie(10, deal(2300, 2))}, []protocol.Item{it("beanie-grey", 2)},
			func(p protocol.Product) int { return 1 }, []summary{{OK, 2, 1, 2300, 2300 + 2800}}, 2300 + 2800},
		{"a limit used up", []protocol.Product{beanie(10, deal(2300, 2))}, []protocol.Item{it("beanie-grey", 1)},
			func(p protocol.Product) int { return 5 }, []summary{{OK, 1, 0, 2300, 2800}}, 2800},
		{"a deal past its end", []protocol.Product{beanie(10, &protocol.Deal{Price: usd(2240), EndsAt: now})}, []protocol.Item{it("beanie-grey", 2)},
			nil, []summary{{OK, 2, 0, 0, 5600}}, 5600},
		{"sold out", []protocol.Product{mug(0)}, []protocol.Item{it("mug-blue", 2)},
			nil, []summary{{SoldOut, 0, 0, 0, 0}}, 0},
		{"short", []protocol.Product{mug(3), beanie(10, nil)}, []protocol.Item{it("mug-blue", 5), it("beanie-red", 1)},
			nil, []summary{{Short, 3, 0, 0, 7200}, {OK, 1, 0, 0, 2800}}, 10000},
		{"short at the deal: only what is bought counts against the limit", []protocol.Product{beanie(1, deal(2300, 2))},
			[]protocol.Item{it("beanie-grey", 3), it("beanie-red", 1)},
			nil, []summary{{Short, 1, 1, 2300, 2300}, {OK, 1, 1, 2300, 2300}}, 4600},
		{"a variant listed twice shares its stock", []protocol.Product{mug(3)}, []protocol.Item{it("mug-blue", 2), it("mug-blue", 2)},
			nil, []summary{{OK, 2, 0, 0, 4800}, {Short, 1, 0, 0, 2400}}, 7200},
		{"unavailable", []protocol.Product{mug(3)}, []protocol.Item{it("gone", 2), it("mug-blue", 1)},
			nil, []summary{{Unavailable, 0, 0, 0, 0}, {OK, 1, 0, 0, 2400}}, 2400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := Price(c.items, catalog(c.products...), c.taken, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(q); !slices.Equal(got, c.want) || q.Total != usd(c.total) {
				t.Fatalf("lines %+v, total %v;\nwant %+v, %v", got, q.Total, c.want, usd(c.total))
			}
			// The lines' totals add up to the quote's, and the parts to each line.
			var sum int64
			for _, l := range q.Lines {
				sum += l.Total.Amount
				var parts int64
				n := 0
				for _, p := range l.Parts() {
					parts += int64(p.Qty) * p.Unit.Amount
					n += p.Qty
				}
				if parts != l.Total.Amount || n != l.Qty {
					t.Errorf("%s: parts %+v do not make %d for %v", l.VariantID, l.Parts(), l.Qty, l.Total)
				}
			}
			if sum != q.Total.Amount {
				t.Errorf("lines add up to %d, total %v", sum, q.Total)
			}
		})
	}
}

func TestQuoteItemsAndLeftOut(t *testing.T) {
	q, err := Price([]protocol.Item{it("mug-blue", 5), it("beanie-grey", 1), it("gone", 1), it("beanie-red", 2)},
		catalog(mug(3), beanie(0, nil)), nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Items(); !slices.Equal(got, []protocol.Item{it("mug-blue", 3)}) {
		t.Errorf("Items = %v", got)
	}
	var out []string
	for _, l := range q.LeftOut() {
		out = append(out, l.VariantID+":"+string(l.State))
	}
	if want := []string{"mug-blue:short", "beanie-grey:sold_out", "gone:unavailable", "beanie-red:sold_out"}; !slices.Equal(out, want) {
		t.Errorf("LeftOut = %v, want %v", out, want)
	}
	if q.Complete() {
		t.Error("Complete with lines left out")
	}
	if q, _ := Price([]protocol.Item{it("mug-blue", 3)}, catalog(mug(3)), nil, now); !q.Complete() || len(q.LeftOut()) != 0 {
		t.Error("a quote that can be filled is not Complete")
	}
	// Nothing to buy: no total, no currency.
	if q, _ := Price([]protocol.Item{it("gone", 1)}, catalog(), nil, now); q.Total != (money.Money{}) || q.Items() != nil {
		t.Errorf("nothing to buy: total %+v, items %v", q.Total, q.Items())
	}
}

func TestLineParts(t *testing.T) {
	q, _ := Price([]protocol.Item{it("beanie-grey", 3)}, catalog(beanie(5, deal(2300, 1))), nil, now)
	l := q.Lines[0]
	want := []Part{{Qty: 1, Unit: usd(2300), Deal: true}, {Qty: 2, Unit: usd(2800)}}
	if !slices.Equal(l.Parts(), want) || !l.Limited() || !l.DealOn() || l.RegularQty() != 2 {
		t.Fatalf("parts %+v, limited %v", l.Parts(), l.Limited())
	}
	if p := (Line{}).Parts(); p != nil {
		t.Errorf("an empty line has parts %+v", p)
	}
}

func TestPriceRefusesWhatCannotBeCharged(t *testing.T) {
	big := protocol.Product{ID: "gold", Name: "Gold", Price: usd(money.MaxAmount), Variants: []protocol.Variant{{ID: "gold-bar", Name: "Bar", Stock: 10}}}
	q, err := Price([]protocol.Item{it("gold-bar", 2)}, catalog(big), nil, now)
	if !errors.Is(err, ErrTooLarge) || len(q.Lines) != 1 || q.Lines[0].Qty != 2 {
		t.Errorf("a total over MaxAmount: %v, lines %+v", err, q.Lines)
	}
	eur := protocol.Product{ID: "tea", Name: "Tea", Price: money.New(500, "EUR"), Variants: []protocol.Variant{{ID: "tea-green", Name: "Green", Stock: 10}}}
	if _, err := Price([]protocol.Item{it("mug-blue", 1), it("tea-green", 1)}, catalog(mug(5), eur), nil, now); !errors.Is(err, money.ErrCurrencyMismatch) {
		t.Errorf("two currencies: %v", err)
	}
}

func TestStateValid(t *testing.T) {
	for _, s := range []State{OK, Short, SoldOut, Unavailable} {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	if State("gone").Valid() || State("").Valid() {
		t.Error("an unknown state is valid")
	}
}
