package server

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
)

// winMug runs mugAuction to its end with winner's bid of amount alone,
// and returns the auction as sold. It reads the host's events only: the
// winner's auction_won comes before the sold auction event.
func winMug(t *testing.T, clk *clock, tm *timers, host, winner *client, amount int64) protocol.Auction {
	t.Helper()
	a := startAuction(t, host, host, mugAuction)
	winner.bid(a.ID, amount, false)
	host.nextAuction()
	clk.advance(30 * time.Second)
	tm.fire()
	if a = host.nextAuction(); a.State != protocol.AuctionSold {
		t.Fatalf("not sold: %+v", a)
	}
	return a
}

// wonOf reads up to the next auction_won.
func (c *client) wonOf() protocol.AuctionWon {
	c.t.Helper()
	return decode[protocol.AuctionWon](c.t, c.nextOf(protocol.TypeAuctionWon))
}

// auctionForm reads the form of a won auction's page.
func auctionForm(t *testing.T, page, auctionID string) url.Values {
	t.Helper()
	if !strings.Contains(page, `<form method="post" action="./`+auctionID+`">`) || !strings.Contains(page, "Place order") {
		t.Fatalf("no order form for %s on the page:\n%s", auctionID, page)
	}
	form := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	return form
}

// post posts form to link and returns the status and page.
func post(t *testing.T, link string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(link, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestWinnerPaysAtTheWinningPrice(t *testing.T) {
	clk := newClock()
	orders := filepath.Join(t.TempDir(), "orders.jsonl")
	s, ts := startServer(t, withClock(clk), freeBids, func(c *Config) { c.OrdersFile = orders })
	tm := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	anaPhone := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")

	a := winMug(t, clk, tm, host, ana, 1500)
	link := ts.URL + "/auction/" + a.ID + "?ref=client-ana"
	for _, c := range []*client{ana, anaPhone} {
		w := c.wonOf()
		if w.AuctionID != a.ID || w.VariantID != "mug-blue" || w.Price != usd(1500) || w.Checkout != link ||
			!w.HeldUntil.Equal(clk.Now().Add(DefaultAuctionHold)) {
			t.Fatalf("auction_won = %+v, want the link %s held for 10 minutes", w, link)
		}
	}
	if slices.ContainsFunc(bo.sync(), func(e protocol.Envelope) bool { return e.Type == protocol.TypeAuctionWon }) {
		t.Error("bo got ana's win")
	}
	host.sync()
	if got := tm.armed(); !slices.Equal(got, []time.Duration{DefaultAuctionHold}) {
		t.Errorf("timers armed for the hold: %v", got)
	}
	// Back while the hold lasts: told again, after a welcome that shows
	// the auction sold.
	again := dialClient(t, ts.URL, "ana", "client-ana")
	if w := again.wonOf(); w.AuctionID != a.ID || w.Checkout != link {
		t.Errorf("auction_won on rejoining: %+v", w)
	}
	if again.welcome.Auction == nil || again.welcome.Auction.State != protocol.AuctionSold || leaderOf(*again.welcome.Auction) != ana.welcome.You.ID {
		t.Errorf("welcome's auction: %+v", again.welcome.Auction)
	}

	// Only the winner's ref opens the page or pays.
	for _, ref := range []string{"client-bo", "", "not a ref"} {
		resp, page := get(t, ts.URL, "/auction/"+a.ID+"?ref="+url.QueryEscape(ref))
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "only the viewer who won the auction can pay") || strings.Contains(page, "<form") {
			t.Errorf("ref %q: %d\n%s", ref, resp.StatusCode, page)
		}
	}
	if resp, _ := get(t, ts.URL, "/auction/"+s.Epoch()+"-a99?ref=client-ana"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown auction: %d", resp.StatusCode)
	}

	resp, page := get(t, link, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, row("$15.00", "1", "$15.00")) || !strings.Contains(page, "Speckled Mug") {
		t.Fatalf("the win's page: %d\n%s", resp.StatusCode, page)
	}
	form := auctionForm(t, page, a.ID)
	key := form.Get("key")
	if status, body := post(t, ts.URL+"/auction/"+a.ID, withField(url.Values{"key": {newOrderKey()}}, "ref", "client-bo")); status != http.StatusForbidden {
		t.Errorf("bo paying for ana's win: %d\n%s", status, body)
	}

	status, body := post(t, ts.URL+"/auction/"+a.ID, form)
	if status != http.StatusOK || !strings.Contains(body, "Order placed") || !strings.Contains(body, row("$15.00", "1", "$15.00")) {
		t.Fatalf("paying: %d\n%s", status, body)
	}
	status, body = post(t, ts.URL+"/auction/"+a.ID, form)
	if status != http.StatusOK || !strings.Contains(body, "placed already") {
		t.Fatalf("paying twice: %d\n%s", status, body)
	}
	// A fresh page of the paid win has no form, and a form from an older
	// page places nothing.
	if resp, page := get(t, link, ""); resp.StatusCode != http.StatusOK || strings.Contains(page, "<form") || !strings.Contains(page, "paid for this win already") {
		t.Errorf("the page once paid: %d\n%s", resp.StatusCode, page)
	}
	other := withField(url.Values{"ref": {"client-ana"}, "total": {"1500"}}, "key", newOrderKey())
	if status, body := post(t, ts.URL+"/auction/"+a.ID, other); status != http.StatusOK || !strings.Contains(body, "nothing more was placed") {
		t.Errorf("another page's form: %d\n%s", status, body)
	}

	for _, c := range []*client{ana, anaPhone} {
		if o := decode[protocol.Order](t, c.nextOf(protocol.TypeOrder)); o.Total != usd(1500) || len(o.Lines) != 1 || o.Lines[0].Unit != usd(1500) || o.Lines[0].Qty != 1 {
			t.Errorf("ana's order: %+v", o)
		}
	}
	if p := decode[protocol.Purchase](t, bo.nextOf(protocol.TypePurchase)); p.VariantID != "mug-blue" || p.Qty != 1 || p.Buyer != "ana" {
		t.Errorf("the purchase: %+v", p)
	}
	more := 0
	for _, env := range ana.sync() {
		if env.Type == protocol.TypeOrder {
			more++
		}
	}
	for _, env := range bo.sync() {
		if env.Type == protocol.TypePurchase {
			more++
		}
	}
	if more != 0 {
		t.Errorf("%d more orders or purchases after the first", more)
	}
	if m := s.Metrics(); m.Orders != 1 || m.Revenue != usd(1500) || m.UnitsSold != 1 || m.Products[0].Sold != 1 {
		t.Errorf("metrics: %d orders, %v, %d units", m.Orders, m.Revenue, m.UnitsSold)
	}
	if n, _ := s.Stock("mug-blue"); n != 4 {
		t.Errorf("stock %d after the sale, want 4", n)
	}
	if data, err := os.ReadFile(orders); err != nil || strings.Count(string(data), "\n") != 1 ||
		!strings.Contains(string(data), `"key":"`+key+`"`) || !strings.Contains(string(data), `"total":{"amount":1500,"currency":"USD"}`) {
		t.Errorf("orders file (%v):\n%s", err, data)
	}
	host.sync()
	if got := tm.armed(); len(got) != 0 {
		t.Errorf("timers armed once paid: %v", got)
	}
	if slices.ContainsFunc(dialClient(t, ts.URL, "ana", "client-ana").sync(), func(e protocol.Envelope) bool { return e.Type == protocol.TypeAuctionWon }) {
		t.Error("auction_won after the win was paid for")
	}
}

func TestUnpaidHoldLapses(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids, func(c *Config) { c.AuctionHold = 5 * time.Minute })
	tm := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")

	a := winMug(t, clk, tm, host, ana, 1500)
	w := ana.wonOf()
	if !w.HeldUntil.Equal(clk.Now().Add(5 * time.Minute)) {
		t.Fatalf("held until %v", w.HeldUntil)
	}
	_, page := get(t, w.Checkout, "")
	form := auctionForm(t, page, a.ID)
	bo.sync()

	// The hold is over before its timer fires: the page says so, and the
	// unit is back for everyone at once.
	clk.advance(5 * time.Minute)
	resp, page := get(t, w.Checkout, "")
	if resp.StatusCode != http.StatusGone || !strings.Contains(page, "went back on sale") || strings.Contains(page, "<form") {
		t.Fatalf("the page after the hold: %d\n%s", resp.StatusCode, page)
	}
	if p := decode[protocol.Product](t, bo.nextOf(protocol.TypeProduct)); p.Variants[0].Stock != 5 {
		t.Fatalf("the unit is not back: %+v", p.Variants)
	}
	if status, body := post(t, ts.URL+"/auction/"+a.ID, form); status != http.StatusGone {
		t.Errorf("paying after the hold: %d\n%s", status, body)
	}
	tm.fire()
	for _, env := range bo.sync() {
		if env.Type == protocol.TypeProduct || env.Type == protocol.TypePurchase {
			t.Errorf("the lapse's timer published %s: %s", env.Type, env.Data)
		}
	}
	if n, _ := s.Stock("mug-blue"); n != 5 {
		t.Errorf("stock %d after the lapse, want 5", n)
	}
	if m := s.Metrics(); m.Orders != 0 || m.Revenue.Amount != 0 {
		t.Errorf("an unpaid win counted: %+v", m)
	}
	if slices.ContainsFunc(dialClient(t, ts.URL, "ana", "client-ana").sync(), func(e protocol.Envelope) bool { return e.Type == protocol.TypeAuctionWon }) {
		t.Error("auction_won after the hold lapsed")
	}
}

// The timer lapses a hold nobody looks at.
func TestHoldLapsesOnTime(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	tm := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	winMug(t, clk, tm, host, ana, 1500)
	w := ana.wonOf()
	clk.advance(DefaultAuctionHold)
	tm.fire()
	if p := decode[protocol.Product](t, ana.nextOf(protocol.TypeProduct)); p.Variants[0].Stock != 5 {
		t.Fatalf("the unit is not back: %+v", p.Variants)
	}
	if resp, _ := get(t, w.Checkout, ""); resp.StatusCode != http.StatusGone {
		t.Errorf("the link after the hold: %d", resp.StatusCode)
	}
}

// A show that sells on a real store still takes a win's payment on its
// own page: the store knows nothing of the auction's price.
func TestWinLinkIsTheShowsOwnOnAStoreShow(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids, func(c *Config) {
		c.StoreCheckout = "https://shop.example/cart/" + protocol.CheckoutPlaceholder + "?ref=livecart-test"
	})
	tm := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	a := winMug(t, clk, tm, host, ana, 1500)
	if w := ana.wonOf(); w.Checkout != ts.URL+"/auction/"+a.ID+"?ref=client-ana" {
		t.Fatalf("the win's link on a store show: %s", w.Checkout)
	}
}
