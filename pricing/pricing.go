// Package pricing is livecart's one rule for what a list of items costs
// now: the regular price, a running flash deal's price, the deal's
// per-buyer limit (the units over it at the regular price) and the stock
// (what it cannot fill is left out). One unit's price is
// protocol.Product.VariantPriceAt, which the viewer's card shows; the viewer's
// cart, the checkout link, the checkout page and the order all price with
// Price, which builds on it, so the total a viewer is shown is the total
// they are charged.
//
// Price does no I/O and reads no clock: the caller passes the products as
// it knows them and the time, so the client (from Update) and the server
// (under its lock) can both call it.
package pricing

import (
	"errors"
	"fmt"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// State says whether a line can be bought as asked.
type State string

// States of a line.
const (
	OK          State = "ok"          // every unit asked for can be bought
	Short       State = "short"       // fewer in stock than asked for: Qty of Want
	SoldOut     State = "sold_out"    // none in stock
	Unavailable State = "unavailable" // the show has no such variant (any more)
)

// Valid reports whether s is one of the states above.
func (s State) Valid() bool {
	switch s {
	case OK, Short, SoldOut, Unavailable:
		return true
	}
	return false
}

// Lookup returns the product a variant belongs to as the caller knows it
// now, and false when there is no such variant. show.State's
// ProductOfVariant is one.
type Lookup func(variantID string) (protocol.Product, bool)

// Taken returns how many units of p the buyer has already bought at its
// running deal's price, which the deal's per-buyer limit counts. A nil
// Taken counts none.
type Taken func(p protocol.Product) int

// Line is one item priced: how many of it can be bought now and for how
// much.
type Line struct {
	VariantID string
	ProductID string // empty when Unavailable
	Product   string // the product's name, as the show has it
	Variant   string // the variant's label
	Want      int    // units asked for
	// Qty is how many units can be bought now: Want, or the stock when
	// that is less; 0 when sold out or unavailable.
	Qty   int
	State State
	Stock int // the variant's stock

	Regular money.Money // the regular price of one unit
	// Deal is the price of one unit under the running deal, and zero
	// (no currency) when none runs.
	Deal     money.Money
	DealQty  int    // units of Qty at Deal; the rest are at Regular
	PerBuyer int    // the running deal's per-buyer limit; 0 for none
	DealCode string // the running deal's store discount code; empty for none

	Total money.Money // what Qty units cost
}

// DealOn reports whether a deal runs on the line's product.
func (l Line) DealOn() bool { return l.Deal.Currency != "" }

// RegularQty is how many of Qty are at the regular price.
func (l Line) RegularQty() int { return l.Qty - l.DealQty }

// Limited reports whether the deal's per-buyer limit put some of Qty at
// the regular price.
func (l Line) Limited() bool { return l.DealOn() && l.RegularQty() > 0 }

// Part is some units of a line at one price.
type Part struct {
	Qty  int
	Unit money.Money
	Deal bool // Unit is the deal's price
}

// Parts splits the line's Qty by price: the units at the deal's price
// first, then those at the regular price; none when Qty is 0. An order
// records one line per part.
func (l Line) Parts() []Part {
	var parts []Part
	if l.DealQty > 0 {
		parts = append(parts, Part{Qty: l.DealQty, Unit: l.Deal, Deal: true})
	}
	if n := l.RegularQty(); n > 0 {
		parts = append(parts, Part{Qty: n, Unit: l.Regular})
	}
	return parts
}

// Quote is a list of items priced.
type Quote struct {
	Lines []Line      // one per item, in the items' order
	Total money.Money // of every line's Qty; zero with no currency when nothing can be bought
}

// Items returns what can be bought: each line's variant and Qty, leaving
// out the lines with none.
func (q Quote) Items() []protocol.Item {
	var items []protocol.Item
	for _, l := range q.Lines {
		if l.Qty > 0 {
			items = append(items, protocol.Item{VariantID: l.VariantID, Qty: l.Qty})
		}
	}
	return items
}

// LeftOut returns the lines of which fewer units can be bought than were
// asked for: short, sold out or unavailable.
func (q Quote) LeftOut() []Line {
	var out []Line
	for _, l := range q.Lines {
		if l.Qty < l.Want {
			out = append(out, l)
		}
	}
	return out
}

// DiscountCode is the store discount code a checkout of the quote should
// carry: that of the first line with units at the price of a deal backed
// by one, or empty. A store's checkout link takes a single code, so a cart
// with units under two deals backed by different codes gets the first.
func (q Quote) DiscountCode() string {
	for _, l := range q.Lines {
		if l.DealQty > 0 && l.DealCode != "" {
			return l.DealCode
		}
	}
	return ""
}

// Complete reports whether every unit asked for can be bought.
func (q Quote) Complete() bool { return len(q.LeftOut()) == 0 }

// ErrTooLarge means a line or the total is above money.MaxAmount.
var ErrTooLarge = errors.New("total too large")

// Price prices items at time now, in the show's currency:
//
//   - a variant lookup does not find is Unavailable, and costs nothing;
//   - of the units asked for, only those in stock can be bought (Short,
//     SoldOut); a variant listed twice shares its stock;
//   - each variant has its regular price (protocol.Product.RegularOf: its
//     own, or its product's);
//   - while a deal runs on a product (protocol.Product.DealOf), its units
//     are at the deal's price for their variant, up to what its per-buyer
//     limit leaves the buyer (PerBuyer minus taken), counted across the
//     product's variants in the items' order; the units over it are at
//     the regular price.
//
// The error reports a total above money.MaxAmount (ErrTooLarge) or products
// in different currencies; the quote is complete even then, to show, but
// must not be charged.
func Price(items []protocol.Item, lookup Lookup, taken Taken, now time.Time) (Quote, error) {
	q := Quote{Lines: make([]Line, 0, len(items))}
	used := make(map[string]int) // variant ID -> units given to earlier lines
	room := make(map[string]int) // product ID -> units left at the deal price
	var total int64
	var currency string
	var err error
	for _, it := range items {
		l := Line{VariantID: it.VariantID, Want: it.Qty}
		p, ok := lookup(it.VariantID)
		v, found := p.Variant(it.VariantID)
		if !ok || !found {
			l.State = Unavailable
			q.Lines = append(q.Lines, l)
			continue
		}
		l.ProductID, l.Product, l.Variant, l.Stock = p.ID, p.Name, v.Name, v.Stock
		l.Regular = p.RegularOf(v.ID)
		left := max(v.Stock-used[v.ID], 0)
		l.Qty = min(max(it.Qty, 0), left)
		used[v.ID] += l.Qty
		switch {
		case l.Qty == l.Want:
			l.State = OK
		case left == 0:
			l.State = SoldOut
		default:
			l.State = Short
		}
		if deal, on := p.DealOf(v.ID, now); on {
			l.Deal, l.PerBuyer, l.DealCode = deal, p.Deal.PerBuyer, p.Deal.Code
			l.DealQty = l.Qty
			if l.PerBuyer > 0 {
				r, counted := room[p.ID]
				if !counted {
					r = l.PerBuyer
					if taken != nil {
						r = max(r-taken(p), 0)
					}
				}
				l.DealQty = min(l.Qty, r)
				room[p.ID] = r - l.DealQty
			}
		}
		// At most MaxQty units of MaxAmount each: no int64 overflow.
		amount := int64(l.DealQty)*l.Deal.Amount + int64(l.RegularQty())*l.Regular.Amount
		l.Total = money.New(amount, p.Price.Currency)
		switch {
		case currency == "":
			currency = p.Price.Currency
		case currency != p.Price.Currency && err == nil:
			err = fmt.Errorf("price %s in %s with a cart in %s: %w", v.ID, p.Price.Currency, currency, money.ErrCurrencyMismatch)
		}
		if total += amount; (amount > money.MaxAmount || total > money.MaxAmount) && err == nil {
			err = fmt.Errorf("%w: more than %s", ErrTooLarge, money.New(money.MaxAmount, currency))
		}
		q.Lines = append(q.Lines, l)
	}
	if currency != "" {
		q.Total = money.New(total, currency)
	}
	return q, err
}
