package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/livecart/livecart/protocol"
)

// hiddenField matches the checkout form's hidden inputs.
var hiddenField = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`)

// orderKeyShape is what a checkout page's order key looks like.
var orderKeyShape = regexp.MustCompile(`^[0-9a-f]{32}$`)

// formOf reads the form a checkout page would post.
func formOf(t *testing.T, page string) url.Values {
	t.Helper()
	if !strings.Contains(page, `<form method="post" action="../orders">`) || !strings.Contains(page, "Place order") {
		t.Fatalf("no order form on the page:\n%s", page)
	}
	form := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	return form
}

func TestPlaceOrderFromCheckoutPage(t *testing.T) {
	s, ts := startServer(t)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	ana2 := dialClient(t, ts.URL, "ana on the phone", "client-ana")
	bo := dial(t, ts.URL, "bo", "")

	link := strings.Replace(ana.welcome.Checkout, protocol.CheckoutPlaceholder, "mug-blue:2,tote-natural:1", 1)
	resp, page := get(t, link, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("checkout page: %d", resp.StatusCode)
	}
	form := formOf(t, page)
	key := form.Get("key")
	if !orderKeyShape.MatchString(key) {
		t.Fatalf("order key %q, want 32 hex digits", key)
	}
	want := url.Values{"items": {"mug-blue:2,tote-natural:1"}, "ref": {"client-ana"}, "total": {"6600"}, "key": {key}}
	if form.Encode() != want.Encode() {
		t.Fatalf("form %v, want %v", form, want)
	}
	if _, again := get(t, link, ""); formOf(t, again).Get("key") == key {
		t.Fatal("two pages with one order key")
	}

	status, body := postOrder(t, ts.URL, form, http.Header{"Origin": {ts.URL}, "Referer": {link}})
	if status != http.StatusOK || !strings.Contains(body, "Order placed") ||
		!strings.Contains(body, row("$24.00", "2", "$48.00")) || !strings.Contains(body, "$66.00") {
		t.Fatalf("order page: %d\n%s", status, body)
	}
	// Both of ana's connections hear of the order; bo hears who bought what.
	var id string
	for _, c := range []*client{ana, ana2} {
		o := decode[protocol.Order](t, c.nextOf(protocol.TypeOrder))
		if o.Total.Amount != 6600 || len(o.Lines) != 2 || o.Lines[0].VariantID != "mug-blue" || o.Lines[0].Unit.Amount != 2400 {
			t.Fatalf("order event %+v", o)
		}
		if id == "" {
			id = o.ID
		} else if o.ID != id {
			t.Fatalf("order IDs %s and %s", id, o.ID)
		}
	}
	if !strings.Contains(body, id) {
		t.Errorf("the page does not name order %s", id)
	}
	var seen []string
	for _, env := range bo.sync() {
		switch env.Type {
		case protocol.TypeOrder:
			t.Errorf("bo got ana's order")
		case protocol.TypeProduct:
			p := decode[protocol.Product](t, env)
			seen = append(seen, fmt.Sprintf("%s:%d", p.ID, p.Stock()))
		case protocol.TypePurchase:
			p := decode[protocol.Purchase](t, env)
			seen = append(seen, fmt.Sprintf("%s bought %d %s", p.Buyer, p.Qty, p.ProductName))
		}
	}
	// The buyer goes by the name of their newest connection.
	if want := []string{"mug:15", "tote:2", "ana on the phone bought 2 Speckled Mug", "ana on the phone bought 1 Canvas Tote"}; !slices.Equal(seen, want) {
		t.Errorf("bo saw %q, want %q", seen, want)
	}
	if n, _ := s.Stock("mug-blue"); n != 3 {
		t.Errorf("stock %d", n)
	}
}

func TestOrderRefusals(t *testing.T) {
	s, ts := startServer(t, unlimited)
	bo := dial(t, ts.URL, "bo", "")
	good := url.Values{"items": {"mug-blue:1"}}
	cases := []struct {
		name   string
		form   url.Values
		header http.Header
		status int
		says   string
	}{
		{"foreign origin", good, http.Header{"Origin": {"http://shop.evil"}}, http.StatusForbidden, "did not come from"},
		{"foreign referer", good, http.Header{"Referer": {"http://shop.evil/cart"}}, http.StatusForbidden, "did not come from"},
		{"opaque origin", good, http.Header{"Origin": {"null"}}, http.StatusForbidden, "did not come from"},
		{"same host, other referer", good, http.Header{"Origin": {"http://shop.evil"}, "Referer": {ts.URL}}, http.StatusForbidden, "did not come from"},
		{"unknown variant", order("mug-blue:1,nope:1", ""), nil, http.StatusNotFound, `no variant &#34;nope&#34;`},
		{"sold out", order("mug-blue:1,candle-large:1", ""), nil, http.StatusConflict, "Soy Candle (16 oz) is sold out"},
		{"short", order("tote-natural:4", ""), nil, http.StatusConflict, "Only 3 of Canvas Tote (Natural) left"},
		{"malformed", order("mug-blue", ""), nil, http.StatusBadRequest, "VARIANT:QTY"},
		{"empty", url.Values{}, nil, http.StatusBadRequest, "empty"},
		{"bad ref", order("mug-blue:1", "a/b"), nil, http.StatusBadRequest, "ref"},
		{"bad total", withField(order("mug-blue:1", ""), "total", "-1"), nil, http.StatusBadRequest, "total"},
		{"no key", url.Values{"items": {"mug-blue:1"}}, nil, http.StatusBadRequest, "no valid key"},
		{"bad key", withField(order("mug-blue:1", ""), "key", "a/b"), nil, http.StatusBadRequest, "no valid key"},
		{"changed total", withField(order("mug-blue:1", ""), "total", "1920"), nil, http.StatusConflict, "the total is now $24.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := postOrder(t, ts.URL, c.form, c.header)
			if status != c.status || !strings.Contains(body, c.says) || !strings.Contains(body, "The order was not placed") {
				t.Fatalf("status %d, want %d saying %q:\n%s", status, c.status, c.says, body)
			}
		})
	}
	if n, _ := s.Stock("mug-blue"); n != 5 {
		t.Errorf("stock %d after refused orders", n)
	}
	if m := s.Metrics(); m.Orders != 0 || m.UnitsSold != 0 {
		t.Errorf("metrics count refused orders: %+v", m)
	}
	for _, env := range bo.sync() {
		if env.Type == protocol.TypeProduct || env.Type == protocol.TypePurchase {
			t.Errorf("a refused order published %s", env.Type)
		}
	}
}

// withField returns form with one field set to value.
func withField(form url.Values, field, value string) url.Values {
	form.Set(field, value)
	return form
}

func TestOrdersAreRateLimitedPerIP(t *testing.T) {
	_, ts := startServer(t, func(c *Config) { c.OrderRate = Rate{PerSecond: 1e-9, Burst: 2} })
	for i := range 2 {
		if status, _ := postOrder(t, ts.URL, order("mug-blue:1", ""), nil); status != http.StatusOK {
			t.Fatalf("order %d: status %d", i, status)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/orders", strings.NewReader(order("mug-blue:1", "").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third order: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestConcurrentOrdersNeverOversell(t *testing.T) {
	const buyers, stock = 50, 10
	s, ts := startServer(t, unlimited)
	observer := dial(t, ts.URL, "observer", "")
	start := make(chan struct{})
	statuses := make([]int, buyers)
	errs := make([]error, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			<-start
			statuses[i], _, errs[i] = tryPostOrder(ts.URL, order("candle-small:1", fmt.Sprintf("client-%d", i)), nil)
		})
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("buyer %d: %v", i, err)
		}
		counts[statuses[i]]++
	}
	if counts[http.StatusOK] != stock || counts[http.StatusConflict] != buyers-stock {
		t.Fatalf("statuses %v, want %d × 200 and %d × 409", counts, stock, buyers-stock)
	}
	if n, _ := s.Stock("candle-small"); n != 0 {
		t.Errorf("stock %d, want 0", n)
	}
	if m := s.Metrics(); m.Orders != stock || m.UnitsSold != stock || m.Revenue.Amount != stock*1250 || m.Products[2].Sold != stock {
		t.Errorf("metrics %+v", m)
	}
	var stocks []int
	purchases := 0
	for _, env := range observer.sync() {
		switch env.Type {
		case protocol.TypeProduct:
			stocks = append(stocks, decode[protocol.Product](t, env).Variants[0].Stock)
		case protocol.TypePurchase:
			purchases++
		}
	}
	// Orders that land before the previous one's stock went out share
	// one product event with the latest stock: falling, ending at 0.
	if !fallingTo(stocks, 0) || purchases != stock {
		t.Errorf("published stock %v and %d purchases, want stock falling to 0 and %d purchases", stocks, purchases, stock)
	}
}

// serveFile runs a server that keeps its orders in path until stop.
func serveFile(t *testing.T, path string) (s *Server, base string, stop func()) {
	t.Helper()
	s, err := New(Config{Catalog: testCatalog(t), OrdersFile: path})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	once := sync.OnceFunc(func() { s.Close(); ts.Close() })
	t.Cleanup(once)
	return s, ts.URL, once
}

func TestOrdersSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.jsonl")
	_, base, stop := serveFile(t, path)
	for _, items := range []string{"mug-blue:2", "tote-natural:1,mug-sand:1"} {
		if status, body := postOrder(t, base, order(items, "client-ana"), nil); status != http.StatusOK {
			t.Fatalf("%s: %d\n%s", items, status, body)
		}
	}
	stop()

	// Another show's order is kept but not counted; a line torn by a crash
	// is cut off.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	other := `{"show":"other","id":"x-o1","lines":[{"product_id":"p","variant_id":"v","unit":{"amount":5,"currency":"USD"},"qty":1}],"total":{"amount":5,"currency":"USD"}}` + "\n"
	if _, err := f.WriteString(other + `{"show":"test","id":"torn`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	s2, base2, _ := serveFile(t, path)
	m := s2.Metrics()
	if m.Orders != 2 || m.UnitsSold != 4 || m.Revenue.Amount != 2*2400+1800+2400 || m.Products[0].Sold != 3 || m.Products[1].Sold != 1 {
		t.Fatalf("after a restart: %+v", m)
	}
	if status, _ := postOrder(t, base2, order("candle-small:1", ""), nil); status != http.StatusOK {
		t.Fatalf("order after the restart: %d", status)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 4 || lines[2]+"\n" != other || !strings.Contains(lines[3], `"candle-small"`) {
		t.Fatalf("orders file:\n%s", data)
	}

	// Anything else unreadable stops the server from starting.
	lines[1] = "{garbage"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Catalog: testCatalog(t), OrdersFile: path}); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("New with a corrupt orders file: %v", err)
	}
	if _, err := New(Config{Catalog: testCatalog(t), OrdersFile: filepath.Join(t.TempDir(), "no", "such")}); err == nil {
		t.Fatal("New with an orders file in a missing folder")
	}
}

func TestUnrecordedOrderGivesStockBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.jsonl")
	s, base, _ := serveFile(t, path)
	observer := dial(t, base, "observer", "")
	// A folder where the file was: the next append fails.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if status, body := postOrder(t, base, order("tote-natural:3", ""), nil); status != http.StatusInternalServerError ||
		!strings.Contains(body, "nothing was bought") {
		t.Fatalf("status %d\n%s", status, body)
	}
	if n, _ := s.Stock("tote-natural"); n != 3 {
		t.Errorf("stock %d, want 3 back", n)
	}
	var seen []string
	for _, env := range observer.sync() {
		if env.Type == protocol.TypeProduct {
			seen = append(seen, fmt.Sprint(decode[protocol.Product](t, env).Stock()))
		} else if env.Seq != 0 && env.Type != protocol.TypeViewers {
			seen = append(seen, string(env.Type))
		}
	}
	// The stock taken and given back, or, when both changes went out in
	// one batch, only the stock given back; never a purchase.
	if !slices.Equal(seen, []string{"0", "3"}) && !slices.Equal(seen, []string{"3"}) {
		t.Errorf("observer saw %v, want the stock taken and given back", seen)
	}
	if m := s.Metrics(); m.Orders != 0 {
		t.Errorf("metrics count an unrecorded order: %+v", m)
	}
}

// fallingTo reports whether stocks is not empty, strictly falling, and ends
// at last.
func fallingTo(stocks []int, last int) bool {
	if len(stocks) == 0 || stocks[len(stocks)-1] != last {
		return false
	}
	for i := 1; i < len(stocks); i++ {
		if stocks[i] >= stocks[i-1] {
			return false
		}
	}
	return true
}
