package server

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/livecart/livecart/protocol"
)

// hasForm reports whether a page offers the Place order button.
func hasForm(page string) bool {
	return strings.Contains(page, `<form method="post"`) || strings.Contains(page, "Place order")
}

// The host sets the Blue mug's stock to 0 while it is in a cart: the page
// says so, leaves it out of the total and of the form, and the order
// placed from it goes through.
func TestCheckoutPageLeavesOutWhatCannotBeSold(t *testing.T) {
	s, ts := startServer(t, unlimited)
	host := dial(t, ts.URL, "", testToken)
	host.send(protocol.TypeSetStock, protocol.SetStock{VariantID: "mug-blue", Stock: 0})
	host.sync()

	resp, page := get(t, ts.URL, "/cart/mug-blue:2,tote-natural:1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "sold out: not in this order") ||
		!strings.Contains(page, `<tr class="out">`) || !strings.Contains(page, row("$24.00", "0", "—")) ||
		!strings.Contains(page, row("$18.00", "1", "$18.00")) || !strings.Contains(page, `<td class="num">$18.00</td></tr></tfoot>`) ||
		!strings.Contains(page, "Not everything in the cart can be bought now") {
		t.Fatalf("status %d:\n%s", resp.StatusCode, page)
	}
	form := formOf(t, page)
	if form.Get("items") != "tote-natural:1" || form.Get("total") != "1800" {
		t.Fatalf("form %v", form)
	}
	// A page with a form may be kept for the back button, never reused
	// without asking (see renderCheckout); pages without one never kept.
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("a page with a form: Cache-Control %q", cc)
	}
	if status, body := postOrder(t, ts.URL, form, nil); status != http.StatusOK || !strings.Contains(body, "Order placed") {
		t.Fatalf("order: %d\n%s", status, body)
	}

	// Short: what is left, said as such.
	host.send(protocol.TypeSetStock, protocol.SetStock{VariantID: "mug-sand", Stock: 2})
	host.sync()
	_, page = get(t, ts.URL, "/cart/mug-sand:5")
	if !strings.Contains(page, "only 2 left: 2 of the 5 asked for") || !strings.Contains(page, row("$24.00", "2", "$48.00")) ||
		formOf(t, page).Get("items") != "mug-sand:2" {
		t.Fatalf("short:\n%s", page)
	}

	// Nothing to sell: no button, and no checkout counted.
	before := s.Metrics().CheckoutsStarted
	resp, page = get(t, ts.URL, "/cart/mug-blue:1,candle-large:2")
	if resp.StatusCode != http.StatusOK || hasForm(page) || !strings.Contains(page, "Nothing in this cart can be bought now") {
		t.Fatalf("all sold out: %d\n%s", resp.StatusCode, page)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("a page without a form: Cache-Control %q", cc)
	}
	if n := s.Metrics().CheckoutsStarted; n != before {
		t.Errorf("a page with nothing to buy counted as a checkout started: %d, was %d", n, before)
	}
}

// A link carries the total the cart showed; when the show moved since,
// the page says so and why.
func TestCheckoutPageSaysWhatChanged(t *testing.T) {
	_, ts := startServer(t, unlimited)
	host := dial(t, ts.URL, "", testToken)
	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "mug", Percent: 20, Seconds: 60})
	host.sync()
	_, page := get(t, ts.URL, "/cart/mug-blue:2?seen=3840")
	if !strings.Contains(page, dealRow("$24.00", "$19.20", "2", "$38.40")) || strings.Contains(page, `class="notice"`) {
		t.Fatalf("during the deal, as the cart showed:\n%s", page)
	}

	host.send(protocol.TypeEndDeal, protocol.EndDeal{ProductID: "mug"})
	host.sync()
	_, page = get(t, ts.URL, "/cart/mug-blue:2?seen=3840")
	if !strings.Contains(page, "You were shown a total of $38.40; the total now is $48.00.") ||
		!strings.Contains(page, "the deal at $19.20 has ended") || !strings.Contains(page, row("$24.00", "2", "$48.00")) {
		t.Fatalf("after the deal:\n%s", page)
	}
	if form := formOf(t, page); form.Get("total") != "4800" {
		t.Errorf("form %v", form)
	}
	// Without a total to compare, there is nothing to explain.
	if _, page := get(t, ts.URL, "/cart/mug-blue:2?seen="); strings.Contains(page, "deal at") || strings.Contains(page, "You were shown") {
		t.Errorf("no seen total, yet:\n%s", page)
	}
}

// A page made before the stock fell: its order is refused, and the answer
// is the cart as it is now, with a new form that would be accepted.
func TestStaleOrderShowsTheCartNow(t *testing.T) {
	s, ts := startServer(t, unlimited)
	host := dial(t, ts.URL, "", testToken)
	_, page := get(t, ts.URL, "/cart/mug-blue:2")
	form := formOf(t, page)
	host.send(protocol.TypeSetStock, protocol.SetStock{VariantID: "mug-blue", Stock: 1})
	host.sync()

	status, body := postOrder(t, ts.URL, form, nil)
	if status != http.StatusConflict || !strings.Contains(body, "The order was not placed") ||
		!strings.Contains(body, "Only 1 of Speckled Mug (Blue) left.") || !strings.Contains(body, "only 1 left: 1 of the 2 asked for") {
		t.Fatalf("stale order: %d\n%s", status, body)
	}
	fresh := formOf(t, body)
	if fresh.Get("items") != "mug-blue:1" || fresh.Get("key") == form.Get("key") {
		t.Fatalf("fresh form %v after %v", fresh, form)
	}
	if status, _ := postOrder(t, ts.URL, fresh, nil); status != http.StatusOK {
		t.Fatalf("the fresh form: %d", status)
	}
	// The refused key may try again: the stock is gone now.
	if status, _ := postOrder(t, ts.URL, form, nil); status != http.StatusConflict {
		t.Errorf("the stale form again: %d", status)
	}
	if n, _ := s.Stock("mug-blue"); n != 0 {
		t.Errorf("stock %d", n)
	}
}

// The same form posted twice (a double click, a reload, back and submit)
// places one order; the second post gets its confirmation.
func TestOrderKeyPlacesOnce(t *testing.T) {
	s, ts := startServer(t, unlimited)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	_, page := get(t, ts.URL, "/cart/mug-blue:2?ref=client-ana")
	form := formOf(t, page)
	status, first := postOrder(t, ts.URL, form, nil)
	if status != http.StatusOK || !strings.Contains(first, "Order placed") {
		t.Fatalf("first post: %d\n%s", status, first)
	}
	o := decode[protocol.Order](t, ana.nextOf(protocol.TypeOrder))
	ana.sync() // the first order's other events
	status, second := postOrder(t, ts.URL, form, nil)
	if status != http.StatusOK || !strings.Contains(second, o.ID) || !strings.Contains(second, "placed already") ||
		!strings.Contains(second, row("$24.00", "2", "$48.00")) {
		t.Fatalf("second post: %d\n%s", status, second)
	}
	if n, _ := s.Stock("mug-blue"); n != 3 {
		t.Errorf("stock %d, want 3", n)
	}
	if m := s.Metrics(); m.Orders != 1 || m.UnitsSold != 2 {
		t.Errorf("metrics count %d orders, %d units", m.Orders, m.UnitsSold)
	}
	for _, env := range ana.sync() {
		if env.Type == protocol.TypeOrder || env.Type == protocol.TypePurchase {
			t.Errorf("the second post sent a %s", env.Type)
		}
	}
}

// With an orders file, a key is recorded with its order: posting the form
// again after a restart still finds it.
func TestOrderKeySurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.jsonl")
	_, base, stop := serveFile(t, path)
	_, page := get(t, base, "/cart/tote-natural:1")
	form := formOf(t, page)
	status, first := postOrder(t, base, form, nil)
	if status != http.StatusOK {
		t.Fatalf("first post: %d\n%s", status, first)
	}
	stop()

	s2, base2, _ := serveFile(t, path)
	status, again := postOrder(t, base2, form, nil)
	id := orderIDOf(t, first)
	if status != http.StatusOK || orderIDOf(t, again) != id || !strings.Contains(again, "placed already") {
		t.Fatalf("after a restart: %d\n%s", status, again)
	}
	if n, _ := s2.Stock("tote-natural"); n != 3 {
		t.Errorf("stock %d after a restart, want the catalog's 3", n)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 1 || !strings.Contains(string(data), `"key":"`+form.Get("key")+`"`) {
		t.Fatalf("orders file:\n%s", data)
	}
}

// orderIDOf reads the order ID off a confirmation page.
func orderIDOf(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `<p class="order">Order <strong>`)
	id, _, ok2 := strings.Cut(rest, "</strong>")
	if !ok || !ok2 {
		t.Fatalf("no order ID on the page:\n%s", page)
	}
	return id
}

// Many buyers on the last units, each posting their page's form a few
// times at once: exactly the stock is sold, never more, and each key
// places at most one order, which every post of it is answered with.
func TestLastUnitsManyBuyersManyPosts(t *testing.T) {
	const buyers, posts, stock = 40, 3, 10
	s, ts := startServer(t, unlimited)
	forms := make([]map[string][]string, buyers)
	for i := range buyers {
		_, page := get(t, ts.URL, fmt.Sprintf("/cart/candle-small:1?ref=client-%d", i))
		forms[i] = formOf(t, page)
	}
	type answer struct {
		status int
		order  string
		err    error
	}
	answers := make([][]answer, buyers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range buyers {
		answers[i] = make([]answer, posts)
		for j := range posts {
			wg.Go(func() {
				<-start
				status, body, err := tryPostOrder(ts.URL, forms[i], nil)
				a := answer{status: status, err: err}
				if _, rest, ok := strings.Cut(body, `<p class="order">Order <strong>`); ok {
					a.order, _, _ = strings.Cut(rest, "</strong>")
				}
				answers[i][j] = a
			})
		}
	}
	close(start)
	wg.Wait()

	orders := map[string]int{} // order ID -> buyer
	for i, as := range answers {
		var mine string
		for _, a := range as {
			switch {
			case a.err != nil:
				t.Fatalf("buyer %d: %v", i, a.err)
			case a.status == http.StatusOK && a.order != "":
				if mine != "" && a.order != mine {
					t.Errorf("buyer %d's key placed orders %s and %s", i, mine, a.order)
				}
				mine = a.order
			case a.status != http.StatusConflict:
				t.Errorf("buyer %d: status %d", i, a.status)
			}
		}
		if mine != "" {
			if other, dup := orders[mine]; dup {
				t.Errorf("order %s answered buyers %d and %d", mine, other, i)
			}
			orders[mine] = i
		}
	}
	if len(orders) != stock {
		t.Errorf("%d orders, want %d", len(orders), stock)
	}
	if n, _ := s.Stock("candle-small"); n != 0 {
		t.Errorf("stock %d, want 0", n)
	}
	if m := s.Metrics(); m.Orders != stock || m.UnitsSold != stock {
		t.Errorf("metrics: %d orders, %d units; want %d", m.Orders, m.UnitsSold, stock)
	}
}
