package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/store/storetest"
)

func fetch(t *testing.T, spec string, o Options) (Result, error) {
	t.Helper()
	src, ok, err := ParseSource(spec)
	if !ok || err != nil {
		t.Fatalf("ParseSource(%q) = %v, %v", spec, ok, err)
	}
	return Fetch(context.Background(), src, o)
}

func TestParseSource(t *testing.T) {
	for _, c := range []struct {
		spec   string
		ok     bool
		failed bool
	}{
		{"shopify:https://shop.example", true, false},
		{"woo:https://shop.example/", true, false},
		{"catalog.json", false, false},
		{"C:/catalogs/a.json", false, false},
		{"shopify:shop.example", true, true},
		{"woo:ftp://shop.example", true, true},
		{"shopify:https://u:p@shop.example", true, true},
	} {
		src, ok, err := ParseSource(c.spec)
		if ok != c.ok || (err != nil) != c.failed {
			t.Errorf("ParseSource(%q) = %v, %v; want ok %v, failed %v", c.spec, ok, err, c.ok, c.failed)
		}
		if ok && err == nil && strings.HasSuffix(src.Base, "/") {
			t.Errorf("ParseSource(%q): base %q keeps its slash", c.spec, src.Base)
		}
	}
}

func TestShopify(t *testing.T) {
	st := storetest.NewShopify("USD", storetest.Demo())
	defer st.Close()
	r, err := fetch(t, "shopify:"+st.URL, Options{ShowStock: 7})
	if err != nil {
		t.Fatal(err)
	}
	if r.Currency != "USD" || r.CurrencyFrom != "/cart.js" {
		t.Errorf("currency %s from %s, want USD from /cart.js", r.Currency, r.CurrencyFrom)
	}
	ps := r.Catalog.Products
	if len(ps) != 2 {
		t.Fatalf("%d products, want 2", len(ps))
	}
	art := ps[0]
	if art.ID != "7001" || art.Name != "Art Print" {
		t.Errorf("product %s %q", art.ID, art.Name)
	}
	if want := "Giclée print & frame – signed"; art.Description != want {
		t.Errorf("description %q, want %q", art.Description, want)
	}
	if art.Price != money.New(99, "USD") || art.RegularOf("8001") != money.New(99, "USD") {
		t.Errorf("small: %v", art.RegularOf("8001"))
	}
	if got := art.RegularOf("8002"); got != money.New(129900, "USD") {
		t.Errorf("large: %v, want $1299.00", got)
	}
	if art.Variants[0].Stock != 7 || art.Variants[1].Stock != 7 {
		t.Errorf("available variants' stock %d, %d; want the show stock 7", art.Variants[0].Stock, art.Variants[1].Stock)
	}
	sticker := ps[1]
	if v := sticker.Variants[0]; v.Stock != 0 || v.Name != "Default" {
		t.Errorf("unavailable variant: %+v, want sold out, named Default", v)
	}
	if want := st.URL + "/cart/{items}?ref=livecart-" + r.Catalog.Show.ID; r.Checkout != want {
		t.Errorf("checkout %q, want %q", r.Checkout, want)
	}
}

func TestShopifyPagesAndCuts(t *testing.T) {
	var products []storetest.Product
	for i := range 260 {
		vs := []storetest.Variant{{ID: int64(100000 + i*20), Title: "One", Price: "1.00", Available: true}}
		if i == 0 {
			for j := 1; j < 10; j++ {
				vs = append(vs, storetest.Variant{ID: int64(100000 + j), Title: fmt.Sprintf("V%d", j), Price: "1.00", Available: true})
			}
		}
		products = append(products, storetest.Product{ID: int64(i + 1), Title: fmt.Sprintf("Thing %d", i+1), Variants: vs})
	}
	st := storetest.NewShopify("USD", products)
	defer st.Close()
	r, err := fetch(t, "shopify:"+st.URL, Options{Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Hits() != 2 {
		t.Errorf("%d pages read, want 2", st.Hits())
	}
	if r.Currency != "EUR" || r.CurrencyFrom != "--currency" {
		t.Errorf("currency %s from %s, want EUR from --currency", r.Currency, r.CurrencyFrom)
	}
	if n := len(r.Catalog.Products); n != protocol.MaxProducts {
		t.Errorf("%d products, want %d", n, protocol.MaxProducts)
	}
	if n := len(r.Catalog.Products[0].Variants); n != protocol.MaxVariants {
		t.Errorf("%d variants, want %d", n, protocol.MaxVariants)
	}
	all := strings.Join(r.Warnings, "\n")
	for _, want := range []string{`"Thing 1": 2 variants left out, past the first 8: "V8", "V9"`, "160 products left out, past the first 100", `"Thing 101"`} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings %q do not say %q", all, want)
		}
	}
}

func TestShopifyNoMinorUnits(t *testing.T) {
	st := storetest.NewShopify("JPY", []storetest.Product{{ID: 1, Title: "Tea", Variants: []storetest.Variant{
		{ID: 2, Title: "50g", Price: "1200.00", Available: true},
		{ID: 3, Title: "100g", Price: "2300", Available: true},
		{ID: 4, Title: "odd", Price: "12.50", Available: true},
	}}})
	defer st.Close()
	r, err := fetch(t, "shopify:"+st.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := r.Catalog.Products[0]
	if p.RegularOf("2") != money.New(1200, "JPY") || p.RegularOf("3") != money.New(2300, "JPY") {
		t.Errorf("prices %v, %v; want ¥1200, ¥2300", p.RegularOf("2"), p.RegularOf("3"))
	}
	if len(p.Variants) != 2 || !strings.Contains(strings.Join(r.Warnings, "\n"), `"odd" left out`) {
		t.Errorf("a price with minor units in JPY: variants %d, warnings %q", len(p.Variants), r.Warnings)
	}
}

func TestWoo(t *testing.T) {
	products := storetest.WooDemo()
	for i := range 120 {
		products = append(products, storetest.Product{ID: int64(1000 + i), Title: fmt.Sprintf("Filler %d", i),
			Variants: []storetest.Variant{{ID: int64(1000 + i), Price: "99", Available: true}}})
	}
	st := storetest.NewWoo("USD", 2, products)
	defer st.Close()
	r, err := fetch(t, "woo:"+st.URL, Options{ShowStock: 20})
	if err != nil {
		t.Fatal(err)
	}
	if st.Hits() != 2 {
		t.Errorf("%d pages read, want 2", st.Hits())
	}
	ps := r.Catalog.Products
	tote, cap, scarf := ps[0], ps[1], ps[2]
	if tote.Price != money.New(2450, "USD") || tote.Description != "Canvas & leather" {
		t.Errorf("tote: %v %q", tote.Price, tote.Description)
	}
	if tote.Variants[0].Stock != 3 {
		t.Errorf("tote stock %d, want low_stock_remaining 3", tote.Variants[0].Stock)
	}
	if len(cap.Variants) != 2 || cap.Variants[0].Stock != 20 || cap.Variants[1].ID != "602" || cap.Variants[1].Name != "Blue" || cap.Variants[1].Stock != 0 {
		t.Errorf("cap variants %+v, want red in stock, blue out", cap.Variants)
	}
	if cap.RegularOf("601") != money.New(1500, "USD") || cap.RegularOf("602") != money.New(1800, "USD") {
		t.Errorf("cap prices %v, %v; want $15.00, $18.00", cap.RegularOf("601"), cap.RegularOf("602"))
	}
	if scarf.Variants[0].Stock != 0 {
		t.Errorf("scarf stock %d, want sold out", scarf.Variants[0].Stock)
	}
	if want := st.URL + "/checkout-link/?products={items}"; r.Checkout != want {
		t.Errorf("checkout %q, want %q", r.Checkout, want)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "23 products left out") {
		t.Errorf("warnings %q", r.Warnings)
	}
}

func TestWooNoMinorUnits(t *testing.T) {
	st := storetest.NewWoo("JPY", 0, []storetest.Product{{ID: 1, Title: "Tea", Variants: []storetest.Variant{{ID: 1, Price: "1200", Available: true}}}})
	defer st.Close()
	r, err := fetch(t, "woo:"+st.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Catalog.Products[0].Price; got != money.New(1200, "JPY") {
		t.Errorf("price %v, want ¥1200", got)
	}
}

func TestBadStores(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		retry  string
		body   string
		want   error
		says   string
	}{
		{"private", http.StatusNotFound, "", "", ErrNotPublic, "404"},
		{"headless", http.StatusForbidden, "", "", ErrNotPublic, "403"},
		{"html", http.StatusOK, "", "<!doctype html><html>shop</html>", ErrNotJSON, "web page"},
		{"rate limited", http.StatusTooManyRequests, "30", "", nil, "retry after 30s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := storetest.NewShopify("USD", storetest.Demo())
			defer st.Close()
			st.Fail(c.status, c.retry, c.body)
			_, err := fetch(t, "shopify:"+st.URL, Options{Currency: "USD"})
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("err %v, want %v saying %q", err, c.want, c.says)
			}
			var rl *RateLimitedError
			if c.status == http.StatusTooManyRequests && (!errors.As(err, &rl) || rl.After != 30*time.Second) {
				t.Errorf("err %v, want a RateLimitedError of 30s", err)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		st := storetest.NewShopify("USD", nil)
		defer st.Close()
		if _, err := fetch(t, "shopify:"+st.URL, Options{}); !errors.Is(err, ErrEmpty) {
			t.Errorf("err %v, want ErrEmpty", err)
		}
	})
	t.Run("too many", func(t *testing.T) {
		products := make([]storetest.Product, 25_001)
		for i := range products {
			products[i] = storetest.Product{ID: int64(i + 1), Title: "x", Variants: []storetest.Variant{{ID: int64(i + 1), Price: "1", Available: true}}}
		}
		st := storetest.NewShopify("USD", products)
		defer st.Close()
		if _, err := fetch(t, "shopify:"+st.URL, Options{}); !errors.Is(err, ErrTooMany) {
			t.Errorf("err %v, want ErrTooMany", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		st := storetest.NewShopify("USD", storetest.Demo())
		defer st.Close()
		block := make(chan struct{})
		defer close(block)
		st.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		})
		_, err := fetch(t, "shopify:"+st.URL, Options{Currency: "USD", Client: &http.Client{Timeout: 50 * time.Millisecond}})
		if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
			t.Errorf("err %v, want a timeout", err)
		}
	})
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"<p>One &amp; two</p><p>three</p>":        "One & two three",
		"a<br>b<br/>c":                            "a b c",
		"<style>p{}</style>Hi &lt;there&gt;":      "Hi <there>",
		"Caf&eacute; &#8211; 5&nbsp;%":            "Café – 5 %",
		"plain\n\n  text\t":                       "plain text",
		"<ul><li>x</li><li>y</li></ul><!-- c -->": "x y",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTooLargeRefused(t *testing.T) {
	st := storetest.NewShopify("USD", storetest.Demo())
	defer st.Close()
	st.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"products": [`))
		pad := []byte(strings.Repeat(" ", 1<<20))
		for range MaxResponseBytes>>20 + 1 {
			if _, err := w.Write(pad); err != nil {
				return
			}
		}
		w.Write([]byte(`]}`))
	})
	if _, err := fetch(t, "shopify:"+st.URL, Options{Currency: "USD"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err %v, want ErrTooLarge", err)
	}
}
