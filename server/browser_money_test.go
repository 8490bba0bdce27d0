package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// The subtests here run in TestBrowserPlacesOrder's browser: one chromium
// for the package.

// catchUp applies every event the show sent the watcher before now: the
// answer to a ping comes after them.
func (w *watcher) catchUp(t *testing.T) {
	t.Helper()
	if err := w.s.Send(protocol.TypePing, nil); err != nil {
		t.Fatal(err)
	}
	w.await(t, want{"pong", func(env protocol.Envelope) bool { return env.Type == protocol.TypePong }})
}

// checkout does what a viewer does: puts qty of a variant in a cart at the
// price of the moment, prices the cart against the show as its client
// knows it and builds the checkout link from that.
func (w *watcher) checkout(t *testing.T, variantID string, qty int) (cart.Checked, string) {
	t.Helper()
	return w.checkoutCart(t, w.add(t, cart.Cart{}, variantID, qty))
}

// add puts qty of a variant in c, as the viewer's a key does.
func (w *watcher) add(t *testing.T, c cart.Cart, variantID string, qty int) cart.Cart {
	t.Helper()
	w.catchUp(t)
	p, ok := w.show.ProductOfVariant(variantID)
	v, _ := p.Variant(variantID)
	if !ok {
		t.Fatalf("%s: no variant %s in the show", w.name, variantID)
	}
	line := cart.Line{ProductID: p.ID, VariantID: v.ID, Name: p.Name, Variant: v.Name, Unit: p.PriceAt(time.Now()), Qty: qty}
	next, err := c.Add(line, v.Stock)
	if err != nil {
		t.Fatalf("%s: add %s: %v", w.name, variantID, err)
	}
	return next
}

// checkoutCart prices c as the viewer's screen does and builds its link.
func (w *watcher) checkoutCart(t *testing.T, c cart.Cart) (cart.Checked, string) {
	t.Helper()
	k := w.check(t, c)
	h, err := checkout.ForQuote(w.show.Checkout, k.Quote)
	if err != nil {
		t.Fatalf("%s: checkout: %v", w.name, err)
	}
	return k, h.URL
}

// check prices c against the show as the watcher's client has it now.
func (w *watcher) check(t *testing.T, c cart.Cart) cart.Checked {
	t.Helper()
	w.catchUp(t)
	k, err := cart.Check(c, w.show.ProductOfVariant, time.Now(), nil)
	if err != nil {
		t.Fatalf("%s: check the cart: %v", w.name, err)
	}
	return k
}

// orderLog counts what the server logs about orders. When gate is set,
// the log of the first order placed holds that order's answer back until
// gate is closed, and closes entered when it starts to: the test can then
// press the button again while the first press is unanswered, as a
// double click on a slow connection does.
type orderLog struct {
	mu      sync.Mutex
	placed  int // orders placed
	again   int // posts of a key whose order was placed already
	gate    chan struct{}
	entered chan struct{}
}

func (l *orderLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *orderLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *orderLog) WithGroup(string) slog.Handler            { return l }
func (l *orderLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	var wait chan struct{}
	switch r.Message {
	case "order placed":
		l.placed++
		if l.placed == 1 && l.gate != nil {
			wait = l.gate
			close(l.entered)
		}
	case "order posted again":
		l.again++
	}
	l.mu.Unlock()
	if wait != nil {
		<-wait
	}
	return nil
}

func (l *orderLog) counts() (placed, again int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.placed, l.again
}

// pageState says where the tab is and what it shows, for a failure.
func pageState(tab context.Context) string {
	s, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.href + " (" + document.readyState + ", " + performance.getEntriesByType("navigation").map(e => e.type).join() + ")\n" + document.documentElement.outerHTML.slice(0, 3000)`))
	if err != nil {
		return err.Error()
	}
	return s
}

// tableText is a page as a person reads it: its heading, notices, rows,
// total and button.
type tableText struct {
	Heading string     `json:"heading"`
	Problem string     `json:"problem"`
	Notice  string     `json:"notice"`
	OrderID string     `json:"order"`
	Button  string     `json:"button"`
	Total   string     `json:"total"`
	Rows    [][]string `json:"rows"` // cells, as innerText
	// Ready: the document has loaded; one still loading may show its
	// heading and not yet the rest.
	Ready bool `json:"ready"`
}

// readTableJS reads the page in the tab as it is rendered now. It runs
// through DevTools, which the page's CSP does not cover, and reads the
// document the tab shows, also one restored by the back button.
const readTableJS = `(() => {
	const text = sel => (document.querySelector(sel) || {innerText: ""}).innerText.trim();
	return {
		heading: text("h1"), problem: text(".problem"), notice: text(".notice"), order: text(".order strong"),
		button: text('form button[type="submit"]'), total: text("tfoot td.num"),
		rows: Array.from(document.querySelectorAll("tbody tr")).map(r => Array.from(r.cells).map(c => c.innerText.trim())),
		ready: document.readyState === "complete",
	};
})()`

func readTable(t *testing.T, tab context.Context) tableText {
	t.Helper()
	page, err := chromedp.Run(tab, chromedp.Evaluate[tableText](readTableJS))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return page
}

// waitPage waits until the tab shows a loaded page that satisfies ok,
// and returns it.
func waitPage(t *testing.T, tab context.Context, what string, ok func(tableText) bool) tableText {
	t.Helper()
	deadline := time.Now().Add(tabBound)
	for {
		page, err := chromedp.Run(tab, chromedp.Evaluate[tableText](readTableJS))
		if err == nil && page.Ready && ok(page) {
			return page
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s: %v; the tab shows %s", what, tabBound, err, pageState(tab))
		}
		time.Sleep(20 * time.Millisecond) // a poll of the tab, not a wait for time to pass
	}
}

// open loads link in the tab and reads the page.
func open(t *testing.T, tab context.Context, link string) tableText {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, tabBound)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(link))
	if err != nil || resp.Status != 200 {
		t.Fatalf("open %s: %v (HTTP %v)", link, err, resp)
	}
	return readTable(t, tab)
}

// buttonAt returns where the page's Place order button is, in the
// viewport's coordinates.
func buttonAt(t *testing.T, tab context.Context) (x, y float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, clickBound)
	defer cancel()
	at, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](
		`(r => [r.x + r.width/2, r.y + r.height/2])(document.querySelector('form button[type="submit"]').getBoundingClientRect())`))
	if err != nil || len(at) != 2 {
		t.Fatalf("find Place order: %v; the tab shows %s", err, pageState(tab))
	}
	return at[0], at[1]
}

// press clicks the mouse at x, y, as a person does, without waiting for
// what it loads. While a page loads, the tab answers no questions about
// the page, so where to click is worked out before (buttonAt).
func press(t *testing.T, tab context.Context, x, y float64, opts ...chromedp.MouseOption) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, clickBound)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(x, y, opts...)); err != nil {
		t.Fatalf("press at %.0f, %.0f: %v", x, y, err)
	}
}

// placeOrder presses Place order and waits for the page that answers.
func placeOrder(t *testing.T, tab context.Context) tableText {
	t.Helper()
	x, y := buttonAt(t, tab)
	press(t, tab, x, y)
	return waitPage(t, tab, "answer to Place order", func(p tableText) bool {
		return p.Heading == "Order placed" || p.Heading == "The order was not placed"
	})
}

// orderOnceInBrowser posts one checkout page's form again and again, as
// people do: a double click on Place order, a reload of the confirmation
// (which posts the form again) and the back button to the checkout page
// and Place order once more. One order is placed, and every answer is its
// confirmation.
func orderOnceInBrowser(t *testing.T, browser context.Context, cat server.Catalog) {
	log := &orderLog{gate: make(chan struct{}), entered: make(chan struct{})}
	ordersFile := filepath.Join(t.TempDir(), "orders.jsonl")
	show := showtest.Start(t, server.Config{Catalog: cat, HostToken: hostToken, OrdersFile: ordersFile, Logger: slog.New(log)})
	ana := join(t, show.WS, client.Options{Name: "ana", ClientID: "k-browser-once"})
	_, link := ana.checkout(t, "mug-sand", 2)

	tab, stopTab := openTab(t, browser)
	defer stopTab()
	page := open(t, tab, link)
	if page.Heading != "Checkout" || page.Button != "Place order" || page.Total != "$48.00" {
		t.Fatalf("checkout page: %+v", page)
	}

	// A double click: the second press comes before the first is answered.
	x, y := buttonAt(t, tab)
	press(t, tab, x, y)
	select {
	case <-log.entered:
	case <-time.After(clickBound):
		t.Fatalf("the first press placed no order within %s; the tab shows %s", clickBound, pageState(tab))
	}
	press(t, tab, x, y, chromedp.ClickCount(2))
	close(log.gate)
	placed := waitPage(t, tab, "confirmation", func(p tableText) bool { return p.OrderID != "" })
	if placed.Heading != "Order placed" || placed.Total != "$48.00" || !strings.Contains(placed.Notice, "placed already") {
		t.Fatalf("after a double click: %+v, want the first order, placed already", placed)
	}
	shoot(t, tab, "double click placed")
	n, again := log.counts()
	if n != 1 || again != 1 {
		t.Fatalf("a double click: %d orders placed, %d posts again; want 1 and 1", n, again)
	}

	// A reload of the confirmation posts the form again.
	ctx, cancel := context.WithTimeout(tab, tabBound)
	resp, err := chromedp.RunResponse(ctx, chromedp.Reload())
	cancel()
	if err != nil || resp.Status != 200 {
		t.Fatalf("reload: %v (HTTP %v)", err, resp)
	}
	reloaded := readTable(t, tab)
	if reloaded.OrderID != placed.OrderID || !strings.Contains(reloaded.Notice, "placed already") {
		t.Fatalf("after a reload: %+v, want order %s placed already", reloaded, placed.OrderID)
	}
	n, again2 := log.counts()
	if n != 1 || again2 <= again {
		t.Fatalf("after a reload: %d orders placed, %d posts again (%d before)", n, again2, again)
	}

	// Back to the checkout page, and Place order again: the page is the
	// one the order was placed from, key and all.
	// NavigateBack waits for the page it goes to; a script's history.back()
	// can lose its answer to the navigation it starts.
	if _, err := chromedp.Run(tab, chromedp.NavigateBack()); err != nil {
		t.Fatalf("back: %v", err)
	}
	waitPage(t, tab, "checkout page", func(p tableText) bool { return p.Heading == "Checkout" && p.Button == "Place order" })
	resubmitted := placeOrder(t, tab)
	if resubmitted.OrderID != placed.OrderID || !strings.Contains(resubmitted.Notice, "placed already") {
		t.Fatalf("back and Place order again: %+v, want order %s placed already", resubmitted, placed.OrderID)
	}
	shoot(t, tab, "back and resubmit")
	if n, again3 := log.counts(); n != 1 || again3 <= again2 {
		t.Fatalf("after back and Place order: %d orders placed, %d posts again (%d before)", n, again3, again2)
	}

	// One order, in the metrics and the orders file; the stock went down once.
	if m := show.Server.Metrics(); m.Orders != 1 || m.UnitsSold != 2 {
		t.Errorf("metrics: %d orders, %d units; want 1, 2", m.Orders, m.UnitsSold)
	}
	if n, _ := show.Server.Stock("mug-sand"); n != 34-2 {
		t.Errorf("stock of mug-sand %d, want 32", n)
	}
	checkOrderCount(t, ordersFile, 1)
}

// pageSaysWhatChanged: a viewer makes a checkout link during a deal, then
// the deal ends and the Blue mug sells out before the page opens. The page
// says what changed, leaves the mug out of the total and the order, and
// charges what the viewer's cart, checked again, shows.
func pageSaysWhatChanged(t *testing.T, browser context.Context, cat server.Catalog) {
	ordersFile := filepath.Join(t.TempDir(), "orders.jsonl")
	show := showtest.Start(t, server.Config{Catalog: cat, HostToken: hostToken, OrdersFile: ordersFile})
	ana := join(t, show.WS, client.Options{Name: "ana", ClientID: "k-browser-changed"})
	host := join(t, show.WS, client.Options{Name: "Maya", Token: hostToken})
	beanie, _ := bestStocked(t, cat, "beanie")
	deal := startDeal(t, host, beanie, 20) // $28.00 → $22.40

	c := ana.add(t, ana.add(t, cart.Cart{}, "beanie-oat", 2), "mug-blue", 1)
	k, link := ana.checkoutCart(t, c)
	if want := deal.Amount*2 + 2400; k.Total.Amount != want || !strings.HasSuffix(link, fmt.Sprintf("&seen=%d", want)) {
		t.Fatalf("during the deal the cart shows %s, link %s", k.Total, link)
	}

	for _, cmd := range []struct {
		typ  protocol.Type
		data any
	}{
		{protocol.TypeEndDeal, protocol.EndDeal{ProductID: "beanie"}},
		{protocol.TypeSetStock, protocol.SetStock{VariantID: "mug-blue", Stock: 0}},
	} {
		if err := host.s.Send(cmd.typ, cmd.data); err != nil {
			t.Fatal(err)
		}
	}
	host.catchUp(t)

	tab, stopTab := openTab(t, browser)
	defer stopTab()
	page := open(t, tab, link)
	shoot(t, tab, "what changed")
	wantRows := [][]string{
		{"Chunky Knit Beanie\nOat\nthe deal at $22.40 has ended", "$28.00", "2", "$56.00"},
		{"Speckled Stoneware Mug\nBlue\nsold out: not in this order", "$24.00", "0", "—"},
	}
	if !slices.EqualFunc(page.Rows, wantRows, slices.Equal) || page.Total != "$56.00" || page.Button != "Place order" ||
		!strings.Contains(page.Notice, "You were shown a total of $68.80; the total now is $56.00.") ||
		!strings.Contains(page.Notice, "Not everything in the cart can be bought now") {
		t.Fatalf("page:\n%+v\nwant rows %q, total $56.00, a notice and a button", page, wantRows)
	}

	// The viewer's cart, checked against the show now, says the same.
	now := ana.check(t, k.Cart)
	var reasons []string
	for _, ch := range now.Changes {
		reasons = append(reasons, ch.Reason)
	}
	wantReasons := []string{"deal ended: Chunky Knit Beanie now $28.00", "sold out: Speckled Stoneware Mug (Blue) stays out of checkout"}
	if now.Total.String() != page.Total || !slices.Equal(reasons, wantReasons) {
		t.Errorf("the cart now shows %s and says %q; want %s and %q", now.Total, reasons, page.Total, wantReasons)
	}

	placed := placeOrder(t, tab)
	if placed.Heading != "Order placed" || placed.Total != "$56.00" || len(placed.Rows) != 1 {
		t.Fatalf("order: %+v", placed)
	}

	// A cart of nothing that can be sold: no button.
	if empty := open(t, tab, show.URL+"/cart/mug-blue:1"); empty.Button != "" || !strings.Contains(empty.Notice, "Nothing in this cart") {
		t.Errorf("a sold-out cart's page: %+v", empty)
	}
}

// pageSplitsDealLimit: deal "$5 90s 1" with three in the cart. The cart,
// the page and the order all price one at the deal's price and two at the
// regular price, and say so.
func pageSplitsDealLimit(t *testing.T, browser context.Context, cat server.Catalog) {
	show := showtest.Start(t, server.Config{Catalog: cat, HostToken: hostToken})
	ana := join(t, show.WS, client.Options{Name: "ana", ClientID: "k-browser-limit"})
	host := join(t, show.WS, client.Options{Name: "Maya", Token: hostToken})
	if err := host.s.Send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "beanie", AmountOff: 500, Seconds: 90, PerBuyer: 1}); err != nil {
		t.Fatal(err)
	}
	host.catchUp(t)

	k, link := ana.checkout(t, "beanie-charcoal", 3)
	if l := k.Lines[0]; k.Total.Amount != 2300+2*2800 || l.DealQty != 1 || l.RegularQty() != 2 {
		t.Fatalf("the cart shows %s: %+v", k.Total, l)
	}

	tab, stopTab := openTab(t, browser)
	defer stopTab()
	page := open(t, tab, link)
	shoot(t, tab, "deal limit")
	wantRows := [][]string{
		{"Chunky Knit Beanie\nCharcoal\ndeal price, 1 per buyer", "$28.00 $23.00", "1", "$23.00"},
		{"Chunky Knit Beanie\nCharcoal\nover the deal's limit of 1 per buyer: regular price", "$28.00", "2", "$56.00"},
	}
	if !slices.EqualFunc(page.Rows, wantRows, slices.Equal) || page.Total != k.Total.String() || page.Notice != "" || page.Button != "Place order" {
		t.Fatalf("page:\n%+v\nwant rows %q and the cart's total %s", page, wantRows, k.Total)
	}
	placed := placeOrder(t, tab)
	wantPlaced := [][]string{
		{"Chunky Knit Beanie\nCharcoal", "$23.00", "1", "$23.00"},
		{"Chunky Knit Beanie\nCharcoal", "$28.00", "2", "$56.00"},
	}
	if placed.Heading != "Order placed" || placed.Total != k.Total.String() || !slices.EqualFunc(placed.Rows, wantPlaced, slices.Equal) {
		t.Fatalf("order: %+v\nwant rows %q", placed, wantPlaced)
	}
}

// checkOrderCount checks that the orders file holds n orders.
func checkOrderCount(t *testing.T, path string, n int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), "\n"); got != n {
		t.Fatalf("orders file holds %d orders, want %d:\n%s", got, n, data)
	}
}
