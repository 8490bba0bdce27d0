package cart

import (
	"fmt"
	"slices"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// Seen is how a line last looked to the viewer: what Check last found for
// it. It is kept with the line, in the cart file too, so that the next
// Check, later in the show or in the next run, can say what changed since.
// It is a hint for those words only: nothing is ever charged from it.
type Seen struct {
	Regular money.Money   `json:"regular"`
	Deal    money.Money   `json:"deal,omitzero"`      // the deal's price, when a deal ran
	DealQty int           `json:"deal_qty,omitempty"` // units shown at Deal
	Qty     int           `json:"qty"`                // units shown as ready for checkout
	State   pricing.State `json:"state"`
}

func seenOf(l pricing.Line) Seen {
	return Seen{Regular: l.Regular, Deal: l.Deal, DealQty: l.DealQty, Qty: l.Qty, State: l.State}
}

func (s Seen) dealOn() bool  { return s.Deal.Currency != "" }
func (s Seen) limited() bool { return s.dealOn() && s.DealQty < s.Qty }
func (s Seen) buyable() bool { return s.State == pricing.OK || s.State == pricing.Short }

func (s Seen) validate() error {
	if !s.State.Valid() {
		return fmt.Errorf("%w: seen state %q", ErrInvalidLine, s.State)
	}
	for _, m := range []money.Money{s.Regular, s.Deal} {
		if m != (money.Money{}) {
			if err := m.Validate(); err != nil {
				return fmt.Errorf("%w: seen price: %w", ErrInvalidLine, err)
			}
		}
	}
	if s.Qty < 0 || s.Qty > MaxQty || s.DealQty < 0 || s.DealQty > s.Qty {
		return fmt.Errorf("%w: seen %d units, %d at the deal", ErrInvalidLine, s.Qty, s.DealQty)
	}
	return nil
}

// ChangeKind says what kind of news a Change is, so the screen can colour
// it.
type ChangeKind int

// Kinds of change.
const (
	ChangePrice       ChangeKind = iota // the regular price, or a running deal's price, moved
	ChangeDealStarted                   // a deal now prices the line
	ChangeDealEnded                     // the deal that priced the line is over
	ChangeLimit                         // the deal's per-buyer limit puts some units at the regular price
	ChangeShort                         // fewer in stock than in the cart
	ChangeSoldOut                       // none in stock
	ChangeUnavailable                   // the show no longer sells the variant
	ChangeRestocked                     // a line that was short, sold out or unavailable can be bought in full again
)

// Change is news about one line of the cart.
type Change struct {
	VariantID string
	Kind      ChangeKind
	// Reason says it for people, ready to show: "deal ended: Beanie now
	// $28.00".
	Reason string
}

// Checked is a cart priced against the show: what the cart panel shows and
// what checkout charges.
type Checked struct {
	// Quote has one line per cart line, in the cart's order, each with its
	// state (pricing.OK, Short, SoldOut, Unavailable), the units that can
	// be bought and their prices, and the Total of those: the total to
	// show, and the one the checkout link carries. Pass it to
	// checkout.ForQuote to check out.
	pricing.Quote
	// Changes says what changed since the viewer last saw each line (as
	// the cart recorded it), in line order; empty when nothing did.
	Changes []Change
	// Cart is the cart checked, with what the viewer is now shown
	// recorded in each line (Line.Seen, Line.Unit) and names brought up to
	// date. Keep and save it in place of the cart checked, so the next
	// Check reports only what changes after this one.
	Cart Cart
}

// Check prices c at the show's prices of the moment (see pricing.Price)
// and says what changed since the viewer last saw each line. lookup finds
// a variant's product as the client's mirror of the show has it (pass
// show.State.ProductOfVariant); now is the server's time as the client
// estimates it; taken counts the units the viewer has already bought at a
// running deal's price (pass Bought.Taken; nil counts none).
//
// Call it whenever something the prices depend on moves: a product event
// (price, deal, stock), the welcome snapshot (a cart restored from disk is
// checked the same way), a deal's end on the clock, an order, and after
// every change to the cart. It does no I/O.
//
// The error is pricing.Price's: a total too large to charge, or mixed
// currencies. Checked is complete even then, to show, but must not be
// checked out.
func Check(c Cart, lookup pricing.Lookup, now time.Time, taken pricing.Taken) (Checked, error) {
	items := make([]protocol.Item, len(c.lines))
	for i, l := range c.lines {
		items[i] = protocol.Item{VariantID: l.VariantID, Qty: l.Qty}
	}
	q, err := pricing.Price(items, lookup, taken, now)
	lines := slices.Clone(c.lines)
	var changes []Change
	for i := range lines {
		l, p := &lines[i], q.Lines[i]
		changes = append(changes, diff(*l, p)...)
		l.Seen = seenOf(p)
		if p.State == pricing.Unavailable {
			continue // keep the names and price it had, to say what it was
		}
		l.ProductID, l.Name, l.Variant = p.ProductID, sanitize.Line(p.Product), sanitize.Line(p.Variant)
		l.Unit = p.Regular
		if p.DealQty > 0 {
			l.Unit = p.Deal
		}
	}
	return Checked{Quote: q, Changes: changes, Cart: Cart{lines: lines}}, err
}

// before is what the viewer last saw of l: its record, or for a line not
// checked yet (just added, or from an older cart file) what its unit price
// says.
func before(l Line, now pricing.Line) Seen {
	if l.Seen != (Seen{}) {
		return l.Seen
	}
	s := Seen{Regular: l.Unit, Qty: l.Qty, State: pricing.OK}
	switch {
	case now.DealOn() && l.Unit == now.Deal:
		s.Regular, s.Deal, s.DealQty = now.Regular, now.Deal, l.Qty
	case !now.DealOn() && l.Unit == now.Regular:
		s.Regular = now.Regular
	}
	return s
}

// diff says what changed between what the viewer saw of l and now.
func diff(l Line, now pricing.Line) []Change {
	was := before(l, now)
	item := l.Name + " (" + l.Variant + ")"
	if now.State != pricing.Unavailable {
		item = sanitize.Line(now.Product) + " (" + sanitize.Line(now.Variant) + ")"
	}
	change := func(kind ChangeKind, format string, args ...any) Change {
		return Change{VariantID: l.VariantID, Kind: kind, Reason: fmt.Sprintf(format, args...)}
	}
	switch now.State {
	case pricing.Unavailable:
		if was.State == pricing.Unavailable {
			return nil
		}
		return []Change{change(ChangeUnavailable, "no longer in this show: %s stays out of checkout", item)}
	case pricing.SoldOut:
		if was.State == pricing.SoldOut {
			return nil
		}
		return []Change{change(ChangeSoldOut, "sold out: %s stays out of checkout", item)}
	}

	var out []Change
	switch {
	case now.State == pricing.Short && (was.State != pricing.Short || was.Qty != now.Qty):
		out = append(out, change(ChangeShort, "only %d left: %d of your %d %s go to checkout", now.Qty, now.Qty, now.Want, item))
	case now.State == pricing.OK && was.State != pricing.OK:
		out = append(out, change(ChangeRestocked, "back in stock: %s", item))
	}
	if !was.buyable() {
		// Nothing was priced before: the line is news as a whole.
		return out
	}

	name := sanitize.Line(now.Product)
	switch {
	case was.dealOn() && !now.DealOn():
		out = append(out, change(ChangeDealEnded, "deal ended: %s now %s", name, now.Regular))
	case !was.dealOn() && now.DealOn():
		out = append(out, change(ChangeDealStarted, "deal: %s now %s (was %s)", name, now.Deal, was.Regular))
	case was.dealOn() && now.DealOn() && was.Deal != now.Deal:
		out = append(out, change(ChangePrice, "deal price: %s now %s (was %s)", name, now.Deal, was.Deal))
	}
	// A deal that starts or ends says the new price itself; the regular
	// price is news only where it is shown: without a deal, or for the
	// units over a deal's limit.
	if regularShown := !now.DealOn() || now.Limited(); was.Regular != now.Regular && regularShown && was.dealOn() == now.DealOn() {
		out = append(out, change(ChangePrice, "price: %s now %s (was %s)", name, now.Regular, was.Regular))
	}
	if now.Limited() && (!was.limited() || was.DealQty != now.DealQty || was.Qty != now.Qty) {
		if now.DealQty == 0 {
			out = append(out, change(ChangeLimit, "deal limit %d each, used up: %s at %s", now.PerBuyer, name, now.Regular))
		} else {
			out = append(out, change(ChangeLimit, "deal limit %d each: %d %s at %s, %d at %s",
				now.PerBuyer, now.DealQty, name, now.Deal, now.RegularQty(), now.Regular))
		}
	}
	return out
}

// Bought counts the units the viewer has bought at each product's running
// deal price, which the deal's per-buyer limit counts: the server counts
// the same from its orders. Its Taken is the taken argument of Check. The
// zero value counts nothing; Record returns a new Bought and leaves the
// old one as it was.
type Bought struct {
	deals map[string]dealUse // product ID -> the deal and the units
}

// dealUse is the units bought during one deal, which its end names.
type dealUse struct {
	endsAt time.Time
	units  int
}

// Record counts the lines of o, an order this viewer placed, bought at
// their product's running deal price, as lookup has the products now. Call
// it when the order event arrives.
func (b Bought) Record(o protocol.Order, lookup pricing.Lookup, now time.Time) Bought {
	deals := make(map[string]dealUse, len(b.deals)+1)
	for id, u := range b.deals {
		deals[id] = u
	}
	for _, ol := range o.Lines {
		p, ok := lookup(ol.VariantID)
		if !ok {
			continue
		}
		if deal, on := p.DealOf(ol.VariantID, now); !on || ol.Unit != deal {
			continue
		}
		u := deals[p.ID]
		if !u.endsAt.Equal(p.Deal.EndsAt) {
			u = dealUse{endsAt: p.Deal.EndsAt}
		}
		u.units += ol.Qty
		deals[p.ID] = u
	}
	return Bought{deals: deals}
}

// Taken returns the units of p bought during its running deal; units of an
// earlier deal on p do not count.
func (b Bought) Taken(p protocol.Product) int {
	u, ok := b.deals[p.ID]
	if !ok || p.Deal == nil || !u.endsAt.Equal(p.Deal.EndsAt) {
		return 0
	}
	return u.units
}
