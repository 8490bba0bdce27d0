package server

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// freeGifts turns the gift rate off, for tests that ask for many gifts.
func freeGifts(c *Config) {
	unlimited(c)
	c.GiftRate = Rate{PerSecond: math.Inf(1)}
}

// askGift sends a gift command and returns the link it was answered
// with, failing the test on an error.
func (c *client) askGift(kind string) protocol.GiftLink {
	c.t.Helper()
	c.send(protocol.TypeGift, protocol.SendGift{Kind: kind})
	env := c.nextOfAny(protocol.TypeGiftLink, protocol.TypeError)
	if env.Type == protocol.TypeError {
		c.t.Fatalf("gift %s refused: %s", kind, env.Data)
	}
	return decode[protocol.GiftLink](c.t, env)
}

// askGiftRefused sends a gift command and returns the error it got.
func (c *client) askGiftRefused(kind, code string) protocol.Error {
	c.t.Helper()
	c.send(protocol.TypeGift, protocol.SendGift{Kind: kind})
	env := c.nextOfAny(protocol.TypeGiftLink, protocol.TypeError)
	if env.Type != protocol.TypeError {
		c.t.Fatalf("gift %s accepted: %s", kind, env.Data)
	}
	e := decode[protocol.Error](c.t, env)
	if e.Code != code {
		c.t.Fatalf("gift %s: error %s (%q), want %s", kind, e.Code, e.Message, code)
	}
	return e
}

// nextOfAny skips to the next event of one of the types.
func (c *client) nextOfAny(types ...protocol.Type) protocol.Envelope {
	c.t.Helper()
	for {
		if env := c.next(); slices.Contains(types, env.Type) {
			return env
		}
	}
}

// giftForm is the form a gift page's button posts, with a key of its own.
func giftForm(l protocol.GiftLink, ref string) url.Values {
	return url.Values{"gift": {l.GiftID}, "ref": {ref}, "total": {strconv.FormatInt(l.Amount.Amount, 10)}, "key": {newOrderKey()}}
}

// payGift posts a gift's form and fails unless it is paid.
func payGift(t *testing.T, base string, l protocol.GiftLink, ref string) {
	t.Helper()
	if status, body := postOrder(t, base, giftForm(l, ref), nil); status != http.StatusOK || !strings.Contains(body, "Gift paid") {
		t.Fatalf("paying gift %s: %d\n%s", l.GiftID, status, body)
	}
}

// noGiftEvent fails if c has a gift event waiting.
func noGiftEvent(t *testing.T, c *client, when string) {
	t.Helper()
	for _, env := range c.sync() {
		if env.Type == protocol.TypeGift {
			t.Fatalf("%s: gift event %s", when, env.Data)
		}
	}
}

func TestWelcomeListsGifts(t *testing.T) {
	_, ts := startServer(t)
	got := dial(t, ts.URL, "ana", "").welcome.Gifts
	want := []protocol.GiftKind{
		{ID: "heart", Name: "Heart", Amount: money.New(100, "USD")},
		{ID: "rose", Name: "Rose", Amount: money.New(500, "USD")},
		{ID: "rocket", Name: "Rocket", Amount: money.New(2000, "USD")},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("welcome gifts %+v, want %+v", got, want)
	}
	if g := DefaultGifts("JPY"); g[2].Amount != money.New(20, "JPY") {
		t.Errorf("a rocket in yen costs %v", g[2].Amount)
	}
	cat := testCatalog(t)
	for _, bad := range [][]protocol.GiftKind{
		{{ID: "rose", Name: "Rose", Amount: money.New(500, "EUR")}},
		{{ID: "rose", Name: "Rose", Amount: money.New(500, "USD")}, {ID: "rose", Name: "Rose", Amount: money.New(600, "USD")}},
		{{ID: "car", Name: "Car", Amount: money.New(20_100, "USD")}},
		{{ID: "free", Name: "Free", Amount: money.New(0, "USD")}},
	} {
		if _, err := New(Config{Catalog: cat, Gifts: bad}); err == nil {
			t.Errorf("New with gifts %+v: no error", bad)
		}
	}
	_, none := startServer(t, func(c *Config) { c.Gifts = []protocol.GiftKind{} })
	if w := dial(t, none.URL, "bo", "").welcome; len(w.Gifts) != 0 {
		t.Errorf("a show without gifts lists %+v", w.Gifts)
	}
}

func TestGiftPaidOnceAndShownOnlyWhenPaid(t *testing.T) {
	orders := filepath.Join(t.TempDir(), "orders.jsonl")
	s, ts := startServer(t, func(c *Config) { c.OrdersFile = orders })
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dial(t, ts.URL, "bo", "")

	link := ana.askGift("rose")
	if link.Kind != "rose" || link.Amount != money.New(500, "USD") ||
		link.Checkout != ts.URL+"/gift/"+link.GiftID+"?ref=client-ana" {
		t.Fatalf("gift link %+v", link)
	}
	noGiftEvent(t, bo, "asked for")

	u, _ := url.Parse(link.Checkout)
	resp, page := get(t, ts.URL, u.RequestURI())
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Rose gift") || !strings.Contains(page, row("$5.00", "1", "$5.00")) {
		t.Fatalf("gift page: %d\n%s", resp.StatusCode, page)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("gift page Cache-Control %q", cc)
	}
	form := formOf(t, page)
	if form.Get("gift") != link.GiftID || form.Get("ref") != "client-ana" || form.Get("total") != "500" || form.Has("items") {
		t.Fatalf("gift form %v", form)
	}
	noGiftEvent(t, bo, "page opened")
	if m := s.Metrics(); m.Gifts != 0 {
		t.Fatalf("metrics count an unpaid gift: %+v", m)
	}

	status, body := postOrder(t, ts.URL, form, http.Header{"Origin": {ts.URL}})
	if status != http.StatusOK || !strings.Contains(body, "Gift paid") || !strings.Contains(body, link.GiftID) {
		t.Fatalf("paying: %d\n%s", status, body)
	}
	for _, c := range []*client{bo, ana} {
		g := decode[protocol.Gift](t, c.nextOf(protocol.TypeGift))
		want := protocol.Gift{ID: link.GiftID, From: ana.welcome.You, Kind: "rose", Amount: money.New(500, "USD")}
		if g != want {
			t.Fatalf("gift event %+v, want %+v", g, want)
		}
	}

	// The same form again, and another page's form, pay nothing more.
	status, body = postOrder(t, ts.URL, form, nil)
	if status != http.StatusOK || !strings.Contains(body, "paid already") {
		t.Fatalf("the same form again: %d\n%s", status, body)
	}
	status, body = postOrder(t, ts.URL, giftForm(link, "client-ana"), nil)
	if status != http.StatusOK || !strings.Contains(body, "paid already") {
		t.Fatalf("another form for the same gift: %d\n%s", status, body)
	}
	if _, page := get(t, ts.URL, u.RequestURI()); !strings.Contains(page, "paid already") || strings.Contains(page, "Place order") {
		t.Fatalf("the page of a paid gift:\n%s", page)
	}
	noGiftEvent(t, bo, "paid twice")
	m := s.Metrics()
	if m.Gifts != 1 || m.GiftRevenue != money.New(500, "USD") || m.Orders != 0 || m.Revenue.Amount != 0 || m.CheckoutsStarted != 0 {
		t.Fatalf("metrics after one gift: %+v", m)
	}
	if p, _ := s.Product("mug"); p.Stock() != 17 {
		t.Errorf("a gift moved stock: %d", p.Stock())
	}

	// The orders file says it was a gift, and a restart counts it.
	data, err := os.ReadFile(orders)
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatalf("orders file %q: %v", data, err)
	}
	if rec["type"] != "gift" || rec["id"] != link.GiftID || rec["kind"] != "rose" || rec["lines"] != nil || rec["key"] != form.Get("key") {
		t.Fatalf("gift record %s", data)
	}
	again, err := New(Config{Catalog: testCatalog(t), OrdersFile: orders})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	m = again.Metrics()
	if m.Gifts != 1 || m.GiftRevenue.Amount != 500 || m.Orders != 0 || len(m.Supporters) != 1 || m.Supporters[0].Name != "ana" {
		t.Fatalf("metrics read back: %+v", m)
	}
}

func TestGiftLinkOfAnotherClientRefused(t *testing.T) {
	_, ts := startServer(t)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dial(t, ts.URL, "bo", "")
	link := ana.askGift("heart")
	path := "/gift/" + link.GiftID
	for _, ref := range []string{"?ref=client-bo", "", "?ref=bad%20ref"} {
		if resp, body := get(t, ts.URL, path+ref); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "Place order") {
			t.Errorf("GET %s: %d\n%s", path+ref, resp.StatusCode, body)
		}
	}
	for _, ref := range []string{"client-bo", ""} {
		if status, body := postOrder(t, ts.URL, giftForm(link, ref), nil); status != http.StatusForbidden {
			t.Errorf("paying with ref %q: %d\n%s", ref, status, body)
		}
	}
	if resp, _ := get(t, ts.URL, "/gift/nope?ref=client-ana"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown gift: %d", resp.StatusCode)
	}
	noGiftEvent(t, bo, "refused payments")
	payGift(t, ts.URL, link, "client-ana")
	bo.nextOf(protocol.TypeGift)
}

func TestGiftRefusals(t *testing.T) {
	_, ts := startServer(t, func(c *Config) { c.GiftRate = Rate{PerSecond: 0.001, Burst: 2} })
	host := dial(t, ts.URL, "", testToken)
	host.send(protocol.TypeGift, protocol.SendGift{Kind: "rose"})
	host.expectError(protocol.ErrCodeForbidden)
	anon := dial(t, ts.URL, "anon", "")
	if e := anon.askGiftRefused("rose", protocol.ErrCodeForbidden); !strings.Contains(e.Message, "client_id") {
		t.Errorf("a viewer without a client id: %q", e.Message)
	}
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	ana.askGiftRefused("diamond", protocol.ErrCodeNotFound)
	// The gift rate is its own: two gifts, then the third is dropped.
	ana.askGift("heart")
	ana.send(protocol.TypeGift, protocol.SendGift{Kind: "heart"})
	if e := ana.expectError(protocol.ErrCodeRateLimited); !strings.Contains(e.Message, "gifts a second") {
		t.Errorf("rate limited: %q", e.Message)
	}
	ana.send(protocol.TypeSay, protocol.Say{Text: "still here"})
	ana.nextOf(protocol.TypeChat)
}

func TestGiftCapsCountUnpaidLinksAndFollowTheClient(t *testing.T) {
	clk := newClock()
	_, ts := startServer(t, withClock(clk), freeGifts)
	ana := dialClient(t, ts.URL, "ana", "client-ana")

	// Unpaid links count: five at most, and they count towards the amount.
	var links []protocol.GiftLink
	for range maxUnpaidGifts {
		links = append(links, ana.askGift("rocket"))
	}
	if e := ana.askGiftRefused("heart", protocol.ErrCodeLimit); !strings.Contains(e.Message, "not yet paid") {
		t.Errorf("sixth unpaid link: %q", e.Message)
	}
	for _, l := range links {
		payGift(t, ts.URL, l, "client-ana")
	}
	// $100 paid; four rockets more, from a reconnected client, make $180:
	// the caps follow the identity.
	ana2 := dialClient(t, ts.URL, "ana again", "client-ana")
	for range 4 {
		payGift(t, ts.URL, ana2.askGift("rocket"), "client-ana")
	}
	// A rose unpaid makes $185, and a rocket on top would pass the cap.
	rose := ana2.askGift("rose")
	e := ana2.askGiftRefused("rocket", protocol.ErrCodeLimit)
	for _, want := range []string{"at most $200.00", "$205.00", "1 gift link(s) not yet paid"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("amount cap message %q does not say %q", e.Message, want)
		}
	}
	ana.askGift("rose") // $190

	// Unpaid links expire and free their room; an expired link cannot be
	// paid.
	clk.advance(giftLinkTTL)
	if status, body := postOrder(t, ts.URL, giftForm(rose, "client-ana"), nil); status != http.StatusNotFound {
		t.Fatalf("paying an expired link: %d\n%s", status, body)
	}
	payGift(t, ts.URL, ana.askGift("rocket"), "client-ana") // $200
	if e := ana.askGiftRefused("heart", protocol.ErrCodeLimit); !strings.Contains(e.Message, "$201.00") {
		t.Errorf("at the cap: %q", e.Message)
	}
}

func TestGiftCountCap(t *testing.T) {
	s, ts := startServer(t, freeGifts)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	for range protocol.MaxGiftsPerViewer - 2 {
		payGift(t, ts.URL, ana.askGift("heart"), "client-ana")
	}
	ana.askGift("heart")
	ana.askGift("heart") // unpaid, but counted
	e := ana.askGiftRefused("heart", protocol.ErrCodeLimit)
	if !strings.Contains(e.Message, "at most 50 gifts") || !strings.Contains(e.Message, "2 gift link(s) not yet paid") {
		t.Errorf("count cap: %q", e.Message)
	}
	if m := s.Metrics(); m.Gifts != protocol.MaxGiftsPerViewer-2 || m.GiftRevenue.Amount != 4800 {
		t.Errorf("metrics: %d gifts, %v", m.Gifts, m.GiftRevenue)
	}
}

func TestSupportersBoard(t *testing.T) {
	s, ts := startServer(t, freeGifts)
	host := dial(t, ts.URL, "", testToken)
	fastMetrics(s)
	viewers := map[string]*client{}
	give := func(name, kind string) {
		t.Helper()
		c, ok := viewers[name]
		if !ok {
			c = dialClient(t, ts.URL, name, "client-"+name)
			viewers[name] = c
		}
		payGift(t, ts.URL, c.askGift(kind), "client-"+name)
	}
	give("ana", "rose")   // ana $5
	give("bo", "rocket")  // bo $20
	give("cy", "rose")    // cy $5, after ana: below her
	give("dee", "heart")  // dee $1
	give("ana", "heart")  // ana $6
	give("cy", "heart")   // cy $6, after ana again
	give("dee", "rocket") // dee $21: first
	board := func(m protocol.Metrics) string {
		var parts []string
		for _, sp := range m.Supporters {
			parts = append(parts, sp.Name+":"+strconv.Itoa(sp.Gifts)+":"+sp.Amount.String())
		}
		return strings.Join(parts, " ")
	}
	want := "dee:2:$21.00 bo:1:$20.00 ana:2:$6.00 cy:2:$6.00"
	m := host.awaitMetrics(func(m protocol.Metrics) bool { return m.Gifts == 7 })
	if got := board(m); got != want || m.GiftRevenue.Amount != 5300 {
		t.Fatalf("board %q (revenue %v), want %q", got, m.GiftRevenue, want)
	}
	if m.Supporters[0].ID != viewers["dee"].welcome.You.ID {
		t.Errorf("supporter ID %s, want dee's identity %s", m.Supporters[0].ID, viewers["dee"].welcome.You.ID)
	}

	// Only the top ten are on the board.
	for i := range 12 {
		give("v"+strconv.Itoa(i), "rocket")
	}
	m = s.Metrics()
	if len(m.Supporters) != protocol.MaxSupporters || m.Supporters[0].Name != "dee" || m.Supporters[1].Name != "bo" || m.Supporters[2].Name != "v0" {
		t.Fatalf("board of %d: %s", len(m.Supporters), board(m))
	}
}
