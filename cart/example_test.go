package cart_test

import (
	"fmt"
	"time"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
)

// The viewer's screen keeps a cart and what it was last shown. Whenever the
// show moves (a product event, the welcome, a deal's end on the clock, an
// order) it checks the cart again, keeps the checked cart, draws the lines
// and tells the viewer the changes; x builds the link from the same check.
func ExampleCheck() {
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	beanie := protocol.Product{
		ID: "beanie", Name: "Beanie", Price: money.New(2800, "USD"),
		Deal:     &protocol.Deal{Price: money.New(2240, "USD"), Percent: 20, EndsAt: now.Add(time.Minute)},
		Variants: []protocol.Variant{{ID: "beanie-oat", Name: "Oat", Stock: 9}},
	}
	// In the viewer, this is show.State's ProductOfVariant.
	lookup := func(id string) (protocol.Product, bool) {
		_, ok := beanie.Variant(id)
		return beanie, ok
	}
	var bought cart.Bought // Record each order event into it

	c, _ := cart.Cart{}.Add(cart.Line{ProductID: "beanie", VariantID: "beanie-oat", Name: "Beanie", Variant: "Oat",
		Unit: beanie.PriceAt(now), Qty: 2}, 9)
	k, _ := cart.Check(c, lookup, now, bought.Taken)
	c = k.Cart // keep (and save) the checked cart
	fmt.Println("during the deal:", k.Total)

	beanie.Deal = nil // the host ends the deal: a product event
	k, _ = cart.Check(c, lookup, now, bought.Taken)
	c = k.Cart
	for _, ch := range k.Changes {
		fmt.Println(ch.Reason)
	}
	for _, l := range k.Lines {
		for _, p := range l.Parts() {
			fmt.Printf("%s (%s) ×%d %s\n", l.Product, l.Variant, p.Qty, p.Unit)
		}
		if l.State != pricing.OK {
			fmt.Println("  ", l.State, l.Qty, "of", l.Want)
		}
	}

	// x: the link orders what can be bought, at the total shown.
	h, _ := checkout.ForQuote("http://127.0.0.1:7420/cart/{items}?ref=k-1&seen={total}", k.Quote)
	fmt.Println(h.URL, "left out:", len(h.LeftOut))
	// Output:
	// during the deal: $44.80
	// deal ended: Beanie now $28.00
	// Beanie (Oat) ×2 $28.00
	// http://127.0.0.1:7420/cart/beanie-oat:2?ref=k-1&seen=5600 left out: 0
}
