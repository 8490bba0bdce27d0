package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/show"
)

// Bounds on the browser test's waits. None is a delay: a passing test
// waits only as long as chromium and the show take.
const (
	browserBound = 90 * time.Second // chromium's whole life: start, both orders, close
	tabBound     = 20 * time.Second // one order in the browser, pages and clicks
	// clickBound: a browser that refuses to send the form loads no page at
	// all, so the wait for the confirmation page needs its own bound.
	clickBound = 10 * time.Second
	eventBound = 10 * time.Second // one wait for events; metrics come once a second
)

// shotsEnv names a folder to keep the test's screenshots in; without it
// they go to a temporary folder that is removed after the test.
const shotsEnv = "LIVECART_SCREENSHOTS"

const hostToken = "browser-host-token"

// checkoutCase is one order a browser places through the checkout page.
type checkoutCase struct {
	name      string
	productID string // the product bought: two of its best stocked variant
	percent   int    // a flash deal the host starts first, percent off; 0 for none
}

// TestBrowserPlacesOrder is the checkout hand-off end to end, with nothing
// faked: a viewer's session builds its checkout link as the TUI's x does, a
// real headless chromium opens it, reads the page and presses "Place
// order", and the show tells everyone. It is the one test that sees the
// page under its own Content-Security-Policy and Referrer-Policy, with the
// Origin header a browser really sends, which POST /orders checks.
func TestBrowserPlacesOrder(t *testing.T) {
	browser := startBrowser(t)
	cat := showtest.Catalog(t, demo.Catalog())
	for _, tc := range []checkoutCase{
		{name: "regular price", productID: "mug"},
		{name: "flash deal", productID: "beanie", percent: 20},
	} {
		t.Run(tc.name, func(t *testing.T) { placeOrderInBrowser(t, browser, cat, tc) })
	}
	// The same browser: browser_money_test.go.
	t.Run("double click, reload and back", func(t *testing.T) { orderOnceInBrowser(t, browser, cat) })
	t.Run("what changed", func(t *testing.T) { pageSaysWhatChanged(t, browser, cat) })
	t.Run("deal limit", func(t *testing.T) { pageSplitsDealLimit(t, browser, cat) })
}

func placeOrderInBrowser(t *testing.T, browser context.Context, cat server.Catalog, tc checkoutCase) {
	start := time.Now()
	product, variant := bestStocked(t, cat, tc.productID)
	ordersFile := filepath.Join(t.TempDir(), "orders.jsonl")
	show := showtest.Start(t, server.Config{Catalog: cat, HostToken: hostToken, OrdersFile: ordersFile})

	const clientID = "k-browser-ana"
	ana := join(t, show.WS, client.Options{Name: "ana", ClientID: clientID})
	ben := join(t, show.WS, client.Options{Name: "ben"})
	host := join(t, show.WS, client.Options{Name: "Maya", Token: hostToken})

	e := expected{product: product, variant: variant, unit: product.Price}
	if tc.percent > 0 {
		e.unit = startDeal(t, host, product, tc.percent)
	}
	var err error
	if e.total, err = e.unit.Mul(2); err != nil {
		t.Fatal(err)
	}

	// What the viewer's x does with its cart: price it against the show as
	// its client knows it, then build the link from that.
	k, link := ana.checkout(t, variant.ID, 2)
	if k.Total != e.total {
		t.Fatalf("the cart shows %s, want %s", k.Total, e.total)
	}
	if want := fmt.Sprintf("%s/cart/%s:2?ref=%s&seen=%d", show.URL, variant.ID, clientID, e.total.Amount); link != want {
		t.Fatalf("checkout link %q, want %q", link, want)
	}

	tab, stopTab := openTab(t, browser)
	defer stopTab()
	e.orderID = orderInTab(t, tab, link, e, tc.name)
	t.Logf("order %s placed in the browser %s after the test started", e.orderID, time.Since(start).Round(time.Millisecond))

	showHears(t, e, ana, ben, host)
	if n, _ := show.Server.Stock(variant.ID); n != variant.Stock-2 {
		t.Errorf("server stock of %s is %d, want %d", variant.ID, n, variant.Stock-2)
	}

	// The orders file holds the order, and a restarted server counts it.
	checkOrdersFile(t, ordersFile, e.order())
	for _, w := range []*watcher{ana, ben, host} {
		w.s.Close()
	}
	show.Stop()
	again, err := server.New(server.Config{Catalog: cat, HostToken: hostToken, OrdersFile: ordersFile})
	if err != nil {
		t.Fatalf("restart on the same orders file: %v", err)
	}
	defer again.Close()
	if m := again.Metrics(); m.Orders != 1 || m.UnitsSold != 2 || m.Revenue != e.total || soldOf(m, product.ID) != 2 {
		t.Errorf("after a restart: %d orders, %d units (%d of %s), %s revenue; want 1, 2 (2), %s",
			m.Orders, m.UnitsSold, soldOf(m, product.ID), product.ID, m.Revenue, e.total)
	}
}

// expected is the order a test places: two units of one variant.
type expected struct {
	product protocol.Product
	variant protocol.Variant
	unit    money.Money // the price paid, deal included
	total   money.Money // two units
	orderID string      // as the confirmation page gives it
}

func (e expected) order() protocol.Order {
	return protocol.Order{
		ID: e.orderID,
		Lines: []protocol.OrderLine{{
			ProductID: e.product.ID, VariantID: e.variant.ID, Name: e.product.Name, Variant: e.variant.Name, Unit: e.unit, Qty: 2,
		}},
		Total: e.total,
	}
}

// startDeal has the host start a flash deal of percent off on the product
// and returns the deal price once the show has it.
func startDeal(t *testing.T, host *watcher, product protocol.Product, percent int) money.Money {
	t.Helper()
	if err := host.s.Send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: product.ID, Percent: percent, Seconds: 60}); err != nil {
		t.Fatal(err)
	}
	var deal *protocol.Deal
	host.await(t, want{"the product with the deal", func(env protocol.Envelope) bool {
		p, ok := decode[protocol.Product](env, protocol.TypeProduct)
		deal = p.Deal
		return ok && p.ID == product.ID && deal != nil
	}})
	// Percent deals round to the nearest minor unit, halves up.
	if off := (product.Price.Amount*int64(100-percent) + 50) / 100; deal.Price != money.New(off, product.Price.Currency) {
		t.Fatalf("deal price %s, want %d%% off %s", deal.Price, percent, product.Price)
	}
	return deal.Price
}

// orderInTab opens the checkout link in the tab, checks the page, presses
// "Place order" and checks the confirmation page. It returns the order's
// ID as the page gives it.
func orderInTab(t *testing.T, tab context.Context, link string, e expected, name string) string {
	t.Helper()
	tab, cancel := context.WithTimeout(tab, tabBound)
	defer cancel()
	resp, err := chromedp.Run(tab, chromedp.NavigateResponse(link))
	if err != nil {
		t.Fatalf("open %s: %v", link, err)
	}
	if resp.Status != 200 || !strings.Contains(fmt.Sprint(resp.Headers["Content-Security-Policy"]), "form-action 'self'") {
		t.Fatalf("checkout page: HTTP %d, headers %v", resp.Status, resp.Headers)
	}
	cart := readPage(t, tab)
	if cart.heading != "Checkout" || cart.button != "Place order" {
		t.Fatalf("checkout page heading %q, button %q, problem %q", cart.heading, cart.button, cart.problem)
	}
	// During a deal the regular price is struck through before it.
	price, struck := e.unit.String(), ""
	if e.unit != e.product.Price {
		struck = e.product.Price.String()
		price = struck + " " + price
	}
	if cart.struck != struck {
		t.Errorf("struck-through price %q, want %q", cart.struck, struck)
	}
	cart.checkLine(t, e, price)
	shoot(t, tab, name+" checkout")

	// The form posts to ../orders; the answer is the confirmation page.
	click, cancelClick := context.WithTimeout(tab, clickBound)
	resp, err = chromedp.RunResponse(click, chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
	cancelClick()
	if err != nil {
		t.Fatalf("place order: no page came back within %s: %v", clickBound, err)
	}
	placed := readPage(t, tab)
	if resp.Status != 200 || placed.heading != "Order placed" || placed.orderID == "" {
		t.Fatalf("after Place order: HTTP %d, heading %q, order %q, problem %q", resp.Status, placed.heading, placed.orderID, placed.problem)
	}
	placed.checkLine(t, e, e.unit.String())
	if placed.button != "" {
		t.Errorf("confirmation page offers %q", placed.button)
	}
	shoot(t, tab, name+" placed")
	return placed.orderID
}

// showHears checks that the show told everyone of the order: the new
// stock and the purchase to every session, the product first, as
// PROTOCOL.md promises; the order to ana's client only; the order in the
// host's metrics.
func showHears(t *testing.T, e expected, ana, ben, host *watcher) {
	t.Helper()
	stockLeft := e.variant.Stock - 2
	stock := want{fmt.Sprintf("%s with stock %d", e.variant.ID, stockLeft), func(env protocol.Envelope) bool {
		p, ok := decode[protocol.Product](env, protocol.TypeProduct)
		return ok && p.ID == e.product.ID && stockOf(p, e.variant.ID) == stockLeft
	}}
	purchase := want{"a purchase of 2 by ana", func(env protocol.Envelope) bool {
		p, ok := decode[protocol.Purchase](env, protocol.TypePurchase)
		return ok && p == protocol.Purchase{Buyer: "ana", ProductID: e.product.ID, ProductName: e.product.Name, VariantID: e.variant.ID, Qty: 2}
	}}
	var got protocol.Order
	order := want{"order " + e.orderID, func(env protocol.Envelope) bool {
		var ok bool
		got, ok = decode[protocol.Order](env, protocol.TypeOrder)
		return ok && got.ID == e.orderID
	}}
	for _, w := range []*watcher{ana, ben, host} {
		wants := []want{stock, purchase}
		if w == ana {
			wants = append(wants, order)
		}
		if at := w.await(t, wants...); at[0] > at[1] {
			t.Errorf("%s: purchase came before the product with the new stock", w.name)
		}
	}
	if !reflect.DeepEqual(got, e.order()) {
		t.Errorf("ana's order event %+v, want %+v", got, e.order())
	}
	// Ben's events are read up to the answer to a ping sent now: an order
	// for him would come before it.
	if err := ben.s.Send(protocol.TypePing, nil); err != nil {
		t.Fatal(err)
	}
	ben.await(t, want{"pong", func(env protocol.Envelope) bool {
		if env.Type == protocol.TypeOrder {
			t.Errorf("ben got ana's order: %s", env.Data)
		}
		return env.Type == protocol.TypePong
	}})

	host.await(t, want{fmt.Sprintf("metrics with 1 order, 2 units, %s revenue", e.total), func(env protocol.Envelope) bool {
		m, ok := decode[protocol.Metrics](env, protocol.TypeMetrics)
		if !ok || m.Orders != 1 || m.UnitsSold != 2 || m.Revenue != e.total {
			return false
		}
		if m.CheckoutsStarted != 1 || m.Funnel.CheckedOut != 1 || soldOf(m, e.product.ID) != 2 {
			t.Errorf("metrics: %d checkouts started, %d checked out, %d of %s sold; want 1, 1, 2",
				m.CheckoutsStarted, m.Funnel.CheckedOut, soldOf(m, e.product.ID), e.product.ID)
		}
		return true
	}})
}

// pageText is what the test reads off a checkout or confirmation page, as
// the browser renders it (innerText: what a person sees).
type pageText struct {
	heading, problem, orderID, button string
	rows                              int
	item, price, qty, lineTotal       string // the first row's cells
	struck                            string // the struck-through regular price, or ""
	total                             string
}

func readPage(t *testing.T, tab context.Context) pageText {
	t.Helper()
	text := func(css string) string {
		t.Helper()
		// AtLeast(0): an element the page leaves out reads as "" at once
		// rather than being waited for.
		nodes, err := chromedp.Run(tab, chromedp.Nodes(chromedp.CSS(css), chromedp.AtLeast(0)))
		if err != nil {
			t.Fatalf("find %s: %v", css, err)
		}
		if len(nodes) == 0 {
			return ""
		}
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(css)))
		if err != nil {
			t.Fatalf("read %s: %v", css, err)
		}
		return strings.TrimSpace(s)
	}
	rows, err := chromedp.Run(tab, chromedp.Nodes(chromedp.CSS("tbody tr"), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatalf("find rows: %v", err)
	}
	return pageText{
		heading:   text("h1"),
		problem:   text(".problem"),
		orderID:   text(".order strong"),
		button:    text(`form button[type="submit"]`),
		rows:      len(rows),
		item:      text("tbody tr td:nth-child(1)"),
		price:     text("tbody tr td:nth-child(2)"),
		struck:    text("tbody tr td:nth-child(2) s"),
		qty:       text("tbody tr td:nth-child(3)"),
		lineTotal: text("tbody tr td:nth-child(4)"),
		total:     text("tfoot td.num"),
	}
}

// checkLine checks that the page lists e's one line, its unit price
// reading price.
func (p pageText) checkLine(t *testing.T, e expected, price string) {
	t.Helper()
	total := e.total.String() // of the line and of the order
	if p.rows != 1 || !strings.Contains(p.item, e.product.Name) || !strings.Contains(p.item, e.variant.Name) ||
		p.price != price || p.qty != "2" || p.lineTotal != total || p.total != total {
		t.Errorf("%s page shows %d rows, first %q at %q × %q = %q, total %q;\nwant 1 row, %s %s at %q × 2 = %s, total %s",
			p.heading, p.rows, p.item, p.price, p.qty, p.lineTotal, p.total,
			e.product.Name, e.variant.Name, price, total, total)
	}
}

// shoot saves a full-page PNG of the tab and logs where.
func shoot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv(shotsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// startBrowser starts a headless chromium for the test and returns its
// context; tabs are opened in it with openTab. Chromium is closed, and
// every goroutine chromedp started has ended, when the test ends. Without
// chromium the test is skipped, except in CI, where .ci/run installs it.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is needed in CI (.ci/run installs it): %v", err)
		}
		t.Skipf("no chromium to drive: %v", err)
	}
	profile := t.TempDir() // removed after the browser is closed: cleanups run last in, first out
	// No network prediction: chromium would open a spare socket to the
	// show that carries no request, and http.Server.Shutdown waits for
	// such a socket until it is five seconds old, so every stop of the
	// show would take that long.
	if err := os.MkdirAll(filepath.Join(profile, "Default"), 0o700); err != nil {
		t.Fatal(err)
	}
	prefs := []byte(`{"net": {"network_prediction_options": 2}}`) // 2: never
	if err := os.WriteFile(filepath.Join(profile, "Default", "Preferences"), prefs, 0o600); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer // chromium's output and chromedp's log, shown when the test fails
	bound, cancelBound := context.WithTimeout(context.Background(), browserBound)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Loopback is all there is: no updates, sync or QUIC probes.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// No back-forward cache: the back button then shows what the
		// HTTP cache kept, as a browser that evicted the page does, which
		// is what the checkout page's Cache-Control decides.
		chromedp.Flag("disable-features", "BackForwardCache"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(900, 700),
		chromedp.CombinedOutput(&out),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(bound, opts...)
	browser, _ := chromedp.NewContext(alloc, chromedp.WithLogf(out.logf), chromedp.WithErrorf(out.logf))
	t.Cleanup(func() {
		// Cancel closes chromium gracefully and waits for it; cancelling
		// the allocator then ends the last of chromedp's goroutines, so
		// goleak in TestMain finds none.
		if err := chromedp.Cancel(browser); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("close chromium: %v", err)
		}
		cancelAlloc()
		cancelBound()
		if t.Failed() {
			t.Logf("chromium and chromedp said:\n%s", out.String())
		}
	})
	started := time.Now()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v\n%s", path, err, out.String())
	}
	t.Logf("chromium started in %s", time.Since(started).Round(time.Millisecond))
	return browser
}

// openTab opens a new tab in the browser; stop closes it. What the page
// says on its console (a form its CSP blocks, say) is logged when the test
// has failed.
func openTab(t *testing.T, browser context.Context) (tab context.Context, stop func()) {
	t.Helper()
	tab, _ = chromedp.NewContext(browser)
	var console syncBuffer
	messages := chromedp.Console(tab) // opens the tab and listens from now on
	read := make(chan struct{})
	go func() {
		defer close(read)
		for m, err := range messages {
			if err != nil {
				return // the tab is closed
			}
			console.logf("%s", m)
		}
	}()
	return tab, func() {
		if err := chromedp.Cancel(tab); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("close tab: %v", err)
		}
		<-read
		if t.Failed() {
			t.Logf("the page's console:\n%s", console.String())
		}
	}
}

// syncBuffer collects chromium's output, written from chromedp's
// goroutines, and chromedp's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) logf(format string, args ...any) {
	fmt.Fprintf(b, format+"\n", args...)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watcher is a client session whose events the test reads in order.
type watcher struct {
	name    string
	s       *client.Session
	welcome protocol.Welcome
	show    show.State          // the show as the events looked at so far have it, as a viewer's mirror
	backlog []protocol.Envelope // read from the session, not yet looked at
	read    int                 // events looked at so far
}

// join starts a session and waits for its snapshot. The session is closed
// when the test ends, before the server (cleanups run last in, first out).
func join(t *testing.T, url string, opts client.Options) *watcher {
	t.Helper()
	opts.URL = url
	s := client.StartSession(context.Background(), client.SessionOptions{Options: opts})
	t.Cleanup(s.Close)
	w := &watcher{name: opts.Name, s: s}
	timeout := time.After(eventBound)
	for {
		u, ok := w.update(t, timeout)
		if !ok {
			t.Fatalf("%s: no snapshot within %s", w.name, eventBound)
		}
		if u.Kind == client.UpdateSnapshot {
			w.welcome = u.Welcome
			w.show, _ = show.FromWelcome(u.Welcome, u.Seq)
			return w
		}
	}
}

// want is an event a watcher waits for.
type want struct {
	what  string
	match func(protocol.Envelope) bool
}

// await reads events until each want has matched one, in whatever order
// they come, and returns where in the stream each matched. Events that
// match nothing are passed over.
func (w *watcher) await(t *testing.T, wants ...want) []int {
	t.Helper()
	at := make([]int, len(wants))
	found := make([]bool, len(wants))
	left := len(wants)
	timeout := time.After(eventBound)
	var types []protocol.Type
	for left > 0 {
		env, ok := w.next(t, timeout)
		if !ok {
			var missing []string
			for i, wt := range wants {
				if !found[i] {
					missing = append(missing, wt.what)
				}
			}
			t.Fatalf("%s: no %s within %s; saw %v", w.name, strings.Join(missing, ", "), eventBound, types)
		}
		types = append(types, env.Type)
		for i, wt := range wants {
			if !found[i] && wt.match(env) {
				at[i], found[i] = w.read, true
				left--
				break
			}
		}
	}
	return at
}

// next returns the next event, or false at the timeout.
func (w *watcher) next(t *testing.T, timeout <-chan time.Time) (protocol.Envelope, bool) {
	t.Helper()
	for len(w.backlog) == 0 {
		u, ok := w.update(t, timeout)
		if !ok {
			return protocol.Envelope{}, false
		}
		if u.Kind == client.UpdateEvents {
			w.backlog = append(w.backlog, u.Events...)
		}
	}
	env := w.backlog[0]
	w.backlog = w.backlog[1:]
	w.read++
	if _, err := w.show.Apply(env); err != nil {
		t.Errorf("%s: apply %s: %v", w.name, env.Type, err)
	}
	return env, true
}

// update returns the session's next update, or false at the timeout. A
// session that loses the show fails the test: nothing here should drop a
// connection.
func (w *watcher) update(t *testing.T, timeout <-chan time.Time) (client.Update, bool) {
	t.Helper()
	select {
	case u, ok := <-w.s.Updates():
		if !ok || u.Kind == client.UpdateWaiting || u.Kind == client.UpdateFailed {
			t.Fatalf("%s: lost the show: %v", w.name, u.Err)
		}
		return u, true
	case <-timeout:
		return client.Update{}, false
	}
}

// decode returns env's payload when env is of type typ and decodes.
func decode[T any](env protocol.Envelope, typ protocol.Type) (T, bool) {
	if env.Type != typ {
		var zero T
		return zero, false
	}
	v, err := protocol.Decode[T](env)
	return v, err == nil
}

// bestStocked returns a product of the catalog and its variant with the
// most stock, which must allow an order of two.
func bestStocked(t *testing.T, cat server.Catalog, productID string) (protocol.Product, protocol.Variant) {
	t.Helper()
	i := slices.IndexFunc(cat.Products, func(p protocol.Product) bool { return p.ID == productID })
	if i < 0 {
		t.Fatalf("demo catalog has no product %q", productID)
	}
	p := cat.Products[i]
	best := slices.MaxFunc(p.Variants, func(a, b protocol.Variant) int { return a.Stock - b.Stock })
	if best.Stock < 2 {
		t.Fatalf("demo catalog: %s has no variant with 2 in stock", productID)
	}
	return p, best
}

// stockOf returns the stock of a product's variant, -1 when it has none.
func stockOf(p protocol.Product, variantID string) int {
	if i := slices.IndexFunc(p.Variants, func(v protocol.Variant) bool { return v.ID == variantID }); i >= 0 {
		return p.Variants[i].Stock
	}
	return -1
}

// soldOf returns the units of a product the metrics count sold, -1 when
// they leave it out.
func soldOf(m protocol.Metrics, productID string) int {
	if i := slices.IndexFunc(m.Products, func(p protocol.ProductMetrics) bool { return p.ProductID == productID }); i >= 0 {
		return m.Products[i].Sold
	}
	return -1
}

// checkOrdersFile checks that the orders file holds exactly the one order,
// bought by ana, in the shape PROTOCOL.md gives.
func checkOrdersFile(t *testing.T, path string, order protocol.Order) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 1 || lines[0] == "" {
		t.Fatalf("orders file holds %d lines, want 1:\n%s", len(lines), data)
	}
	var rec struct {
		Show  string `json:"show"`
		Buyer string `json:"buyer"`
		protocol.Order
	}
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("orders file: %v", err)
	}
	if rec.Show != "demo" || rec.Buyer != "ana" || !reflect.DeepEqual(rec.Order, order) {
		t.Errorf("orders file line %s\nwant show demo, buyer ana, order %+v", lines[0], order)
	}
}
