package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/store"
	"github.com/livecart/livecart/store/storetest"
)

// storeShow runs a show from the store at spec, refreshing every
// refresh, with one viewer connected.
func storeShow(t *testing.T, spec string, refresh time.Duration) (*runningShow, *client.Conn) {
	t.Helper()
	home := isolate(t)
	src, ok, err := store.ParseSource(spec)
	if !ok || err != nil {
		t.Fatalf("ParseSource(%q): %v %v", spec, ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := startShow(ctx, showOptions{addr: "127.0.0.1:0", personHosts: true, fromStore: &src, refresh: refresh,
		orders: filepath.Join(home, "orders.jsonl"), logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, client.Options{URL: s.wsURL, Name: "v"})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		cancel()
		if err := s.wait(); err != nil {
			t.Error(err)
		}
	})
	return s, c
}

// productEvents follows product events, keeping the latest of each
// product, until done says the products seen are what it waits for.
func productEvents(t *testing.T, c *client.Conn, done func(map[string]protocol.Product) bool) map[string]protocol.Product {
	t.Helper()
	seen := make(map[string]protocol.Product)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case envs := <-c.Events():
			for _, env := range envs {
				if env.Type != protocol.TypeProduct {
					continue
				}
				var p protocol.Product
				if err := json.Unmarshal(env.Data, &p); err != nil {
					t.Fatal(err)
				}
				seen[p.ID] = p
			}
			if done(seen) {
				return seen
			}
		case <-deadline:
			t.Fatalf("product events %+v, not the ones waited for", seen)
		}
	}
}

// TestShowFromShopify: a show read from a Shopify store serves its
// products, prices each variant at its own price, hands the cart to the
// store's checkout, and follows the store's price changes.
func TestShowFromShopify(t *testing.T) {
	st := storetest.NewShopify("USD", storetest.Demo())
	defer st.Close()
	s, c := storeShow(t, "shopify:"+st.URL, 50*time.Millisecond)
	w, _ := c.Welcome()
	if len(w.Catalog) != 2 || s.fromStore.CurrencyFrom != "/cart.js" {
		t.Fatalf("catalog %+v from %+v", w.Catalog, s.fromStore)
	}
	art := w.Catalog[0]
	items := []protocol.Item{{VariantID: "8001", Qty: 2}, {VariantID: "8002", Qty: 1}}
	lookup := func(string) (protocol.Product, bool) { return art, true }
	q, err := pricing.Price(items, lookup, nil, time.Now())
	if err != nil || q.Total != money.New(2*99+129900, "USD") {
		t.Fatalf("cart total %v, %v; want $1300.98", q.Total, err)
	}
	h, err := checkout.ForQuote(w.Checkout, q)
	if err != nil {
		t.Fatal(err)
	}
	if want := st.URL + "/cart/8001:2,8002:1?ref=livecart-" + w.Show.ID; h.URL != want {
		t.Errorf("checkout link %q, want %q", h.URL, want)
	}

	products := storetest.Demo()
	products[0].Variants[1].Price = "1199.00"
	products[1].Variants[0].Available = true
	st.Set(products)
	seen := productEvents(t, c, func(m map[string]protocol.Product) bool {
		return m["7001"].RegularOf("8002").Amount == 119900 && len(m["7002"].Variants) > 0 && m["7002"].Variants[0].Stock > 0
	})
	if p := seen["7001"]; p.RegularOf("8001") != money.New(99, "USD") {
		t.Errorf("small print %v, want $0.99", p.RegularOf("8001"))
	}
	if sticker := seen["7002"]; sticker.Variants[0].Stock != store.DefaultShowStock {
		t.Errorf("sticker back with %d, want %d", sticker.Variants[0].Stock, store.DefaultShowStock)
	}
}

// TestShowFromWoo: the same for a WooCommerce store.
func TestShowFromWoo(t *testing.T) {
	st := storetest.NewWoo("EUR", 2, storetest.WooDemo())
	defer st.Close()
	_, c := storeShow(t, "woo:"+st.URL, 50*time.Millisecond)
	w, _ := c.Welcome()
	if len(w.Catalog) != 3 || w.Catalog[0].Price != money.New(2450, "EUR") || w.Catalog[0].Variants[0].Stock != 3 {
		t.Fatalf("catalog %+v", w.Catalog)
	}
	link, err := checkout.Link(w.Checkout, []protocol.Item{{VariantID: "501", Qty: 1}, {VariantID: "602", Qty: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if want := st.URL + "/checkout-link/?products=501:1,602:2"; link != want {
		t.Errorf("checkout link %q, want %q", link, want)
	}
	products := storetest.WooDemo()
	products[1].Variants[0].Price = "1200"
	st.Set(products)
	productEvents(t, c, func(m map[string]protocol.Product) bool { return m["502"].Price == money.New(1200, "EUR") })
}

// TestServeRefusesBadStoreFlags: a store --catalog and its flags are
// checked before anything listens.
func TestServeRefusesBadStoreFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--catalog", "shopify:shop.example"},
		{"--catalog", "woo:https://shop.example", "--catalog-refresh", "1s"},
		{"--catalog", "shopify:https://shop.example", "--currency", "dollars"},
		{"--catalog", "shopify:https://shop.example", "--show-stock", "0"},
	} {
		var out, errOut strings.Builder
		err := runServe(args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "--") {
			t.Errorf("serve %q: err %v, want a usage error", args, err)
		}
	}
}

// TestServeNamesAStoreThatCannotBeRead: a private store stops the start
// with one line saying so.
func TestServeNamesAStoreThatCannotBeRead(t *testing.T) {
	isolate(t)
	st := storetest.NewShopify("USD", storetest.Demo())
	defer st.Close()
	st.Fail(404, "", "")
	var out, errOut strings.Builder
	err := runServe([]string{"--addr", "127.0.0.1:0", "--catalog", "shopify:" + st.URL, "--currency", "USD"}, &out, &errOut)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "not public") {
		t.Errorf("err %v, want one line saying the catalog is not public", err)
	}
}
