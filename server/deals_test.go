package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// dealRow is how checkout.html renders a line bought at a deal's price.
func dealRow(regular, unit, qty, total string) string {
	return row(`<s class="regular">`+regular+`</s> `+unit, qty, total)
}

func TestDealReachesEveryoneAndEndsOnTime(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk))
	timers := fakeTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")

	start := clk.Now()
	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "mug", Percent: 20, Seconds: 90, PerBuyer: 2})
	p := decode[protocol.Product](t, ana.nextShowEvent())
	want := protocol.Deal{Price: money.New(1920, "USD"), Percent: 20, EndsAt: start.Add(90 * time.Second), PerBuyer: 2}
	if p.ID != "mug" || p.Deal == nil || *p.Deal != want || p.Price.Amount != 2400 {
		t.Fatalf("product event = %+v, deal %+v; want deal %+v", p, p.Deal, want)
	}
	host.sync() // the timer is set after the event is queued
	if got := timers.armed(); !slices.Equal(got, []time.Duration{90 * time.Second}) {
		t.Fatalf("timers armed: %v", got)
	}
	if w := dial(t, ts.URL, "late", "").welcome; w.Catalog[0].Deal == nil || *w.Catalog[0].Deal != want {
		t.Fatalf("a new viewer's snapshot has deal %+v", w.Catalog[0].Deal)
	}
	if _, body := get(t, ts.URL, "/cart/mug-blue:2,tote-natural:1"); !strings.Contains(body, dealRow("$24.00", "$19.20", "2", "$38.40")) ||
		!strings.Contains(body, row("$18.00", "1", "$18.00")) || !strings.Contains(body, "$56.40") {
		t.Fatalf("checkout page during the deal:\n%s", body)
	}

	// The timer firing early (the clock has not reached the end) only
	// sets it again for what is left.
	clk.advance(60 * time.Second)
	timers.fire()
	if got := timers.armed(); !slices.Equal(got, []time.Duration{30 * time.Second}) {
		t.Fatalf("timers armed after an early firing: %v", got)
	}
	host.send(protocol.TypeSay, protocol.Say{Text: "still on"})
	if env := ana.nextShowEvent(); env.Type != protocol.TypeChat {
		t.Fatalf("an early firing published %s", env.Type)
	}

	clk.advance(30 * time.Second)
	timers.fire()
	if p := decode[protocol.Product](t, ana.nextShowEvent()); p.ID != "mug" || p.Deal != nil || p.Price.Amount != 2400 {
		t.Fatalf("at the deal's end the product is %+v with deal %+v", p, p.Deal)
	}
	if got := timers.armed(); len(got) != 0 {
		t.Errorf("timers armed with no deal left: %v", got)
	}
	if _, body := get(t, ts.URL, "/cart/mug-blue:2"); !strings.Contains(body, row("$24.00", "2", "$48.00")) {
		t.Fatalf("checkout page after the deal:\n%s", body)
	}
}

func TestEndDealEarlyAndReplace(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk))
	timers := fakeTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")

	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "tote", AmountOff: 300, Seconds: 600})
	if p := decode[protocol.Product](t, ana.nextShowEvent()); p.Deal == nil || p.Deal.Price.Amount != 1500 || p.Deal.AmountOff != 300 {
		t.Fatalf("first deal: %+v", p.Deal)
	}
	// A second deal replaces the first, with one timer for its own end.
	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "tote", Percent: 50, Seconds: 60})
	if p := decode[protocol.Product](t, ana.nextShowEvent()); p.Deal == nil || p.Deal.Price.Amount != 900 || p.Deal.AmountOff != 0 {
		t.Fatalf("second deal: %+v", p.Deal)
	}
	host.sync() // the timer is set after the event is queued
	if got := timers.armed(); !slices.Equal(got, []time.Duration{60 * time.Second}) {
		t.Fatalf("timers armed: %v", got)
	}
	// A new regular price keeps the percent off.
	host.send(protocol.TypeSetPrice, protocol.SetPrice{ProductID: "tote", Price: money.New(3000, "USD")})
	if p := decode[protocol.Product](t, ana.nextShowEvent()); p.Deal == nil || p.Deal.Price.Amount != 1500 {
		t.Fatalf("deal after a new price: %+v", p.Deal)
	}

	host.send(protocol.TypeEndDeal, protocol.EndDeal{ProductID: "tote"})
	if p := decode[protocol.Product](t, ana.nextShowEvent()); p.ID != "tote" || p.Deal != nil {
		t.Fatalf("after end_deal: %+v", p)
	}
	host.sync() // the timer is set after the event is queued
	if got := timers.armed(); len(got) != 0 {
		t.Errorf("timers armed after end_deal: %v", got)
	}
	for _, bad := range []struct {
		typ  protocol.Type
		data any
		code string
	}{
		{protocol.TypeEndDeal, protocol.EndDeal{ProductID: "tote"}, protocol.ErrCodeNotFound},
		{protocol.TypeEndDeal, protocol.EndDeal{ProductID: "nope"}, protocol.ErrCodeNotFound},
		{protocol.TypeStartDeal, protocol.StartDeal{ProductID: "nope", Percent: 10, Seconds: 60}, protocol.ErrCodeNotFound},
		{protocol.TypeStartDeal, protocol.StartDeal{ProductID: "tote", AmountOff: 3000, Seconds: 60}, protocol.ErrCodeBadRequest},
		{protocol.TypeStartDeal, protocol.StartDeal{ProductID: "tote", Percent: 91, Seconds: 60}, protocol.ErrCodeBadRequest},
		{protocol.TypeStartDeal, protocol.StartDeal{ProductID: "tote", Percent: 10, Seconds: 5}, protocol.ErrCodeBadRequest},
	} {
		host.send(bad.typ, bad.data)
		host.expectError(bad.code)
	}
	if p, _ := s.Product("tote"); p.Deal != nil {
		t.Errorf("a refused deal started: %+v", p.Deal)
	}
}

// Close stops a pending deal timer; goleak and Close's wait check it.
func TestCloseStopsTheDealTimer(t *testing.T) {
	s, err := New(Config{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	s.hub.mu.Lock()
	e := s.startDealLocked(protocol.StartDeal{ProductID: "mug", Percent: 10, Seconds: 60})
	pending := s.deals.stop != nil
	s.hub.mu.Unlock()
	if e != nil || !pending {
		t.Fatalf("start deal: %v, timer pending %v", e, pending)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(waitFor):
		t.Fatal("Close waits for the deal's end")
	}
}

// A deal's per-buyer limit prices the units over it at the regular price,
// on the page and in the order alike; nothing is refused for it.
func TestDealLimitPerBuyer(t *testing.T) {
	s, ts := startServer(t, unlimited)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "mug", Percent: 25, Seconds: 60, PerBuyer: 2})
	ana.nextOf(protocol.TypeProduct)

	if status, body := postOrder(t, ts.URL, order("mug-blue:1,mug-sand:1", "client-ana"), nil); status != http.StatusOK ||
		!strings.Contains(body, row("$18.00", "1", "$18.00")) || !strings.Contains(body, "$36.00") {
		t.Fatalf("first order: %d\n%s", status, body)
	}
	// The limit is per product, across its variants, and per client: the
	// page shows ana the regular price, and the order charges it.
	if _, body := get(t, ts.URL, "/cart/mug-sand:1?ref=client-ana"); !strings.Contains(body, row("$24.00", "1", "$24.00")) ||
		!strings.Contains(body, "the deal&#39;s limit of 2 per buyer is used up: regular price") {
		t.Errorf("checkout page over the limit:\n%s", body)
	}
	if status, body := postOrder(t, ts.URL, withField(order("mug-sand:1", "client-ana"), "total", "2400"), nil); status != http.StatusOK ||
		!strings.Contains(body, row("$24.00", "1", "$24.00")) {
		t.Fatalf("over the limit: %d\n%s", status, body)
	}
	ana.nextOf(protocol.TypeOrder)
	ana.nextOf(protocol.TypeOrder)
	// Her buy command counts as the same buyer: same client ID.
	ana.send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "mug-blue", Qty: 1}}})
	if o := decode[protocol.Order](t, ana.nextOf(protocol.TypeOrder)); len(o.Lines) != 1 || o.Lines[0].Unit.Amount != 2400 {
		t.Fatalf("buy over the limit: %+v", o)
	}

	// Three for someone new: two at the deal's price, one over the limit,
	// each shown as such, and charged so.
	link := "/cart/mug-sand:3?ref=client-bo"
	_, page := get(t, ts.URL, link)
	if !strings.Contains(page, dealRow("$24.00", "$18.00", "2", "$36.00")) || !strings.Contains(page, "deal price, 2 per buyer") ||
		!strings.Contains(page, row("$24.00", "1", "$24.00")) || !strings.Contains(page, "over the deal&#39;s limit of 2 per buyer: regular price") ||
		!strings.Contains(page, "$60.00") {
		t.Fatalf("checkout page for three under a limit of two:\n%s", page)
	}
	form := formOf(t, page)
	if status, body := postOrder(t, ts.URL, form, nil); status != http.StatusOK ||
		!strings.Contains(body, row("$18.00", "2", "$36.00")) || !strings.Contains(body, row("$24.00", "1", "$24.00")) {
		t.Fatalf("bo's order: %d\n%s", status, body)
	}
	if n, _ := s.Stock("mug-sand"); n != 12-1-1-3 {
		t.Errorf("mug-sand stock %d, want 7", n)
	}
	if m := s.Metrics(); m.Revenue.Amount != 3600+2400+2400+6000 {
		t.Errorf("revenue %v", m.Revenue)
	}

	host.send(protocol.TypeEndDeal, protocol.EndDeal{ProductID: "mug"})
	host.sync()
	if status, body := postOrder(t, ts.URL, order("mug-sand:3", "client-ana"), nil); status != http.StatusOK ||
		!strings.Contains(body, row("$24.00", "3", "$72.00")) {
		t.Fatalf("after the deal: %d\n%s", status, body)
	}
}

// A deal backed by a store discount code carries it to every viewer, in
// the product event and a late joiner's snapshot; a bad code is refused,
// and the demo store's checkout page ignores the parameter a link adds.
func TestDealCodeTravelsWithTheDeal(t *testing.T) {
	s, ts := startServer(t, unlimited)
	fakeTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")

	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "mug", Percent: 20, Seconds: 90, Code: "SUMMER10"})
	p := decode[protocol.Product](t, ana.nextOf(protocol.TypeProduct))
	if p.ID != "mug" || p.Deal == nil || p.Deal.Code != "SUMMER10" {
		t.Fatalf("product event = %+v, deal %+v; want the code SUMMER10", p, p.Deal)
	}
	if w := dial(t, ts.URL, "late", "").welcome; w.Catalog[0].Deal == nil || w.Catalog[0].Deal.Code != "SUMMER10" {
		t.Fatalf("a new viewer's snapshot has deal %+v", w.Catalog[0].Deal)
	}

	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "mug", Percent: 20, Seconds: 90, Code: "SUMMER 10"})
	if e := decode[protocol.Error](t, host.nextOf(protocol.TypeError)); e.Code != protocol.ErrCodeBadRequest {
		t.Fatalf("a bad code: %+v", e)
	}

	resp, body := get(t, ts.URL, "/cart/mug-blue:1?ref=k1&discount=SUMMER10")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, dealRow("$24.00", "$19.20", "1", "$19.20")) {
		t.Fatalf("checkout page with a discount parameter: %d\n%s", resp.StatusCode, body)
	}
}
