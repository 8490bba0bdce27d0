package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// TestCartTotalIsWhatTheServerCharges is a property test of the money
// path, end to end: for random sequences of show events (prices, deals
// starting, repriced, ended by the host or by the clock, per-buyer
// limits, stock) and cart changes, the total a viewer's cart shows is the
// total the checkout page asks for the link that cart builds, and the
// total the order charges.
//
// It drives a real server over loopback rather than calling the server's
// pricing entry point with the link parser: the viewer's side is built as
// the viewer builds it, from the welcome and the product events as they
// arrive (show.State), and the link goes through the route, the page, its
// form and POST /orders, so every step where a price could be
// re-derived is in the loop. The server's clock and deal timer are the
// test's, so deals end on the clock without the test waiting.
//
// LIVECART_PROPERTY_SEED replays one sequence.
func TestCartTotalIsWhatTheServerCharges(t *testing.T) {
	var seeds []uint64
	for seed := range uint64(16) {
		seeds = append(seeds, seed+1)
	}
	steps := 300
	if testing.Short() {
		seeds, steps = seeds[:2], 100
	}
	if env := os.Getenv("LIVECART_PROPERTY_SEED"); env != "" {
		seed, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("LIVECART_PROPERTY_SEED=%q: %v", env, err)
		}
		seeds = []uint64{seed}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) { runMoneyProperty(t, seed, steps) })
	}
}

// viewerSide is the viewer as the property test plays it: a connection,
// its mirror of the show, its cart and the deal units it has bought.
type viewerSide struct {
	conn   *client
	show   show.State
	cart   cart.Cart
	bought cart.Bought
	clk    *clock
	orders []protocol.Order // orders the show has told it of
}

// catchUp applies every event the show sent before now, as the viewer's
// screen does: products to the mirror, orders to what was bought and out
// of the cart.
func (v *viewerSide) catchUp(t *testing.T) {
	t.Helper()
	for _, env := range v.conn.sync() {
		ch, err := v.show.Apply(env)
		if err != nil {
			t.Fatalf("apply %s: %v", env.Type, err)
		}
		if ch.Kind == show.KindOrder {
			v.orders = append(v.orders, ch.Order)
			v.bought = v.bought.Record(ch.Order, v.show.ProductOfVariant, v.clk.Now())
			for _, ol := range ch.Order.Lines {
				for _, l := range v.cart.Lines() {
					if l.VariantID == ol.VariantID {
						v.cart, _ = v.cart.SetQty(l.VariantID, max(0, l.Qty-ol.Qty), -1)
					}
				}
			}
		}
	}
}

func runMoneyProperty(t *testing.T, seed uint64, steps int) {
	r := rand.New(rand.NewPCG(seed, 0x11ce))
	clk := newClock()
	s, ts := startServer(t, withClock(clk), unlimited)
	timers := fakeTimers(s)
	host := dial(t, ts.URL, "", testToken)
	conn := dialClient(t, ts.URL, "ana", "client-ana")
	mirror, _ := show.FromWelcome(conn.welcome, conn.welcomeSeq)
	v := &viewerSide{conn: conn, show: mirror, clk: clk}

	products := v.show.Catalog()
	var variants []string
	for _, p := range products {
		for _, vr := range p.Variants {
			variants = append(variants, vr.ID)
		}
	}
	var log []string // what happened, for a failure
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d, after:\n  %s\n%s", seed, joinLines(log), fmt.Sprintf(format, args...))
	}
	orders := 0

	for step := range steps {
		// Time moves a little between any two things, as it does.
		clk.advance(time.Duration(1+r.IntN(900)) * time.Millisecond)
		p := products[r.IntN(len(products))]
		switch n := r.IntN(100); {
		case n < 10:
			price := money.New(int64(100+r.IntN(4900)), "USD")
			host.send(protocol.TypeSetPrice, protocol.SetPrice{ProductID: p.ID, Price: price})
			log = append(log, fmt.Sprintf("set_price %s %s", p.ID, price))
		case n < 22:
			d := protocol.StartDeal{ProductID: p.ID, Seconds: 30 + r.IntN(600), PerBuyer: r.IntN(4)}
			if r.IntN(2) == 0 {
				d.Percent = 1 + r.IntN(90)
			} else {
				d.AmountOff = int64(1 + r.IntN(2000))
			}
			host.send(protocol.TypeStartDeal, d)
			log = append(log, fmt.Sprintf("start_deal %+v", d))
		case n < 28:
			host.send(protocol.TypeEndDeal, protocol.EndDeal{ProductID: p.ID})
			log = append(log, "end_deal "+p.ID)
		case n < 38:
			id := variants[r.IntN(len(variants))]
			stock := r.IntN(7)
			host.send(protocol.TypeSetStock, protocol.SetStock{VariantID: id, Stock: stock})
			log = append(log, fmt.Sprintf("set_stock %s %d", id, stock))
		case n < 44:
			d := time.Duration(1+r.IntN(300)) * time.Second
			clk.advance(d)
			timers.fire()
			log = append(log, "clock +"+d.String())
		case n < 70:
			id := variants[r.IntN(len(variants))]
			v.catchUp(t)
			pr, _ := v.show.ProductOfVariant(id)
			vr, _ := pr.Variant(id)
			qty := 1 + r.IntN(3)
			line := cart.Line{ProductID: pr.ID, VariantID: id, Name: pr.Name, Variant: vr.Name, Unit: pr.PriceAt(clk.Now()), Qty: qty}
			if next, err := v.cart.Add(line, vr.Stock); err == nil {
				v.cart = next
				log = append(log, fmt.Sprintf("add %s ×%d", id, qty))
			}
		case n < 80:
			if lines := v.cart.Lines(); len(lines) > 0 {
				l := lines[r.IntN(len(lines))]
				qty := r.IntN(5)
				if next, err := v.cart.SetQty(l.VariantID, qty, -1); err == nil {
					v.cart = next
					log = append(log, fmt.Sprintf("set %s ×%d", l.VariantID, qty))
				}
			}
		default:
			// Check out below, and place the order.
		}
		host.sync()
		v.catchUp(t)

		// What the viewer's screen shows, and the link it builds.
		k, err := cart.Check(v.cart, v.show.ProductOfVariant, clk.Now(), v.bought.Taken)
		if err != nil {
			fail("step %d: check: %v", step, err)
		}
		v.cart = k.Cart
		h, err := checkout.ForQuote(v.show.Checkout, k.Quote)
		if errors.Is(err, checkout.ErrNothingToBuy) {
			continue
		}
		if err != nil {
			fail("step %d: checkout link: %v", step, err)
		}
		resp, page := get(t, h.URL, "")
		if resp.StatusCode != http.StatusOK {
			fail("step %d: %s: HTTP %d\n%s", step, h.URL, resp.StatusCode, page)
		}
		form := formOf(t, page)
		items, _ := protocol.FormatItems(h.Items)
		if form.Get("total") != strconv.FormatInt(k.Total.Amount, 10) || form.Get("items") != items {
			fail("step %d: the cart shows %s for %s; the page at %s asks %s for %s\n%s",
				step, k.Total, items, h.URL, form.Get("total"), form.Get("items"), page)
		}
		if n := r.IntN(100); n < 80 {
			continue
		}
		status, body := postOrder(t, ts.URL, form, nil)
		if status != http.StatusOK {
			fail("step %d: order of %s at %s: HTTP %d\n%s", step, items, k.Total, status, body)
		}
		orders++
		log = append(log, fmt.Sprintf("order %s at %s", items, k.Total))
		v.catchUp(t)
		if got := v.orders[len(v.orders)-1]; got.Total != k.Total {
			fail("step %d: the cart showed %s; the order charged %s: %+v", step, k.Total, got.Total, got)
		}
	}
	t.Logf("seed %d: %d steps, %d orders", seed, steps, orders)
}

func joinLines(lines []string) string {
	const keep = 40
	if len(lines) > keep {
		lines = append([]string{fmt.Sprintf("(%d earlier)", len(lines)-keep)}, lines[len(lines)-keep:]...)
	}
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}
