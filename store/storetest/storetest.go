// Package storetest serves a store's public catalog from this machine, in
// the shapes Shopify's /products.json and WooCommerce's Store API answer
// with, so that tests read a store without the internet.
package storetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
)

// Variant is one variant as the fixture lists it.
type Variant struct {
	ID        int64
	Title     string
	Price     string // Shopify: decimal, "7.99"; Woo: minor units, "799"
	Available bool
}

// Product is one product as the fixture lists it.
type Product struct {
	ID       int64
	Title    string
	HTML     string // body_html or description
	Variants []Variant
	// LowStock is WooCommerce's low_stock_remaining; 0 sends null.
	LowStock int
}

// Store is a fixture store. Change it while it serves with Set and Fail.
type Store struct {
	*httptest.Server
	mu       sync.Mutex
	currency string
	minor    int // WooCommerce's currency_minor_unit
	products []Product
	status   int    // when not 0, every request gets it
	retry    string // Retry-After with status
	body     string // with status, the body; "" for none
	hits     int
}

// Demo is a small catalog in Shopify's shapes: variants priced apart,
// prices of "1299.00" and "0.99", an unavailable variant and an HTML
// description with entities.
func Demo() []Product {
	return []Product{
		{ID: 7001, Title: "Art Print", HTML: "<p>Giclée print &amp; frame &ndash; <b>signed</b></p><script>alert(1)</script>",
			Variants: []Variant{
				{ID: 8001, Title: "Small", Price: "0.99", Available: true},
				{ID: 8002, Title: "Large", Price: "1299.00", Available: true},
			}},
		{ID: 7002, Title: "Sticker", HTML: "Vinyl&nbsp;sticker",
			Variants: []Variant{
				{ID: 8003, Title: "Default Title", Price: "3.50", Available: false},
			}},
	}
}

// WooDemo is Demo in WooCommerce's shapes: prices in minor units, a
// variable product whose variations are priced apart (one out of stock), a
// product with few left and one out of stock.
func WooDemo() []Product {
	return []Product{
		{ID: 501, Title: "Tote Bag", HTML: "<p>Canvas &amp; leather</p>", LowStock: 3,
			Variants: []Variant{{ID: 501, Price: "2450", Available: true}}},
		{ID: 502, Title: "Cap", HTML: "Cotton cap",
			Variants: []Variant{{ID: 601, Title: "Red", Price: "1500", Available: true}, {ID: 602, Title: "Blue", Price: "1800", Available: false}}},
		{ID: 503, Title: "Scarf", HTML: "Wool",
			Variants: []Variant{{ID: 503, Price: "3000", Available: false}}},
	}
}

// NewShopify serves products as a Shopify store selling in currency.
func NewShopify(currency string, products []Product) *Store {
	s := &Store{currency: currency, products: products}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products.json", s.shopifyProducts)
	mux.HandleFunc("GET /cart.js", func(w http.ResponseWriter, r *http.Request) {
		if s.failed(w) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		writeJSON(w, map[string]any{"token": "x", "currency": s.currency, "items": []any{}})
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// NewWoo serves products as a WooCommerce store selling in currency with
// minor digits after the point.
func NewWoo(currency string, minor int, products []Product) *Store {
	s := &Store{currency: currency, minor: minor, products: products}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wp-json/wc/store/v1/products", s.wooProducts)
	mux.HandleFunc("GET /wp-json/wc/store/v1/products/{id}", s.wooVariation)
	s.Server = httptest.NewServer(mux)
	return s
}

// Set replaces the store's products.
func (s *Store) Set(products []Product) {
	s.mu.Lock()
	s.products = products
	s.mu.Unlock()
}

// Fail makes every request answer status with the body and, when not
// empty, a Retry-After; Fail(0, "", "") heals the store.
func (s *Store) Fail(status int, retryAfter, body string) {
	s.mu.Lock()
	s.status, s.retry, s.body = status, retryAfter, body
	s.mu.Unlock()
}

// Hits is how many product pages the store has answered.
func (s *Store) Hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

func (s *Store) failed(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == 0 {
		return false
	}
	if s.retry != "" {
		w.Header().Set("Retry-After", s.retry)
	}
	if s.body != "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(s.status)
	fmt.Fprint(w, s.body)
	return true
}

func page(r *http.Request, param string, size int, n int) (from, to int, ok bool) {
	limit, err := strconv.Atoi(r.URL.Query().Get(param))
	if err != nil || limit < 1 || limit > size {
		return 0, 0, false
	}
	p, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || p < 1 {
		p = 1
	}
	from = min((p-1)*limit, n)
	return from, min(from+limit, n), true
}

func (s *Store) shopifyProducts(w http.ResponseWriter, r *http.Request) {
	if s.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	if p, _ := strconv.Atoi(r.URL.Query().Get("page")); p > 100 {
		http.Error(w, `{"errors":{"page":"cannot be greater than 100"}}`, http.StatusBadRequest)
		return
	}
	from, to, ok := page(r, "limit", 250, len(s.products))
	if !ok {
		http.Error(w, "bad limit", http.StatusBadRequest)
		return
	}
	var out []map[string]any
	for _, p := range s.products[from:to] {
		var vs []map[string]any
		for i, v := range p.Variants {
			vs = append(vs, map[string]any{
				"id": v.ID, "title": v.Title, "option1": v.Title, "option2": nil, "option3": nil,
				"available": v.Available, "price": v.Price, "position": i + 1, "product_id": p.ID,
			})
		}
		out = append(out, map[string]any{
			"id": p.ID, "title": p.Title, "handle": "h" + strconv.FormatInt(p.ID, 10), "body_html": p.HTML,
			"options":  []map[string]any{{"name": "Size", "position": 1}},
			"images":   []map[string]any{{"id": 1, "src": "https://cdn.example/x.jpg"}},
			"variants": vs,
		})
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, map[string]any{"products": out})
}

func (s *Store) wooProducts(w http.ResponseWriter, r *http.Request) {
	if s.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	from, to, ok := page(r, "per_page", 100, len(s.products))
	if !ok {
		http.Error(w, "bad per_page", http.StatusBadRequest)
		return
	}
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	w.Header().Set("X-WP-Total", strconv.Itoa(len(s.products)))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa((len(s.products)+per-1)/per))
	out := []map[string]any{}
	for _, p := range s.products[from:to] {
		v0 := p.Variants[0]
		inStock := false
		for _, v := range p.Variants {
			inStock = inStock || v.Available
		}
		var low any
		if p.LowStock > 0 {
			low = p.LowStock
		}
		var variations []map[string]any
		if len(p.Variants) > 1 || v0.ID != p.ID {
			for _, v := range p.Variants {
				variations = append(variations, map[string]any{
					"id": v.ID, "attributes": []map[string]any{{"name": "Colour", "value": v.Title}},
				})
			}
		}
		var priceRange any
		for _, v := range p.Variants {
			if v.Price != v0.Price {
				// The fixtures list the lowest price first.
				priceRange = map[string]any{"min_amount": v0.Price, "max_amount": v.Price}
			}
		}
		out = append(out, map[string]any{
			"price_range": priceRange,
			"id":          p.ID, "name": p.Title, "slug": "s", "type": "simple",
			"short_description": p.HTML, "description": p.HTML,
			"prices": map[string]any{
				"price": v0.Price, "regular_price": v0.Price, "sale_price": v0.Price,
				"currency_code": s.currency, "currency_minor_unit": s.minor, "currency_symbol": "$",
			},
			"is_in_stock": inStock, "is_purchasable": true, "low_stock_remaining": low,
			"variations": variations,
		})
	}
	writeJSON(w, out)
}

// wooVariation answers /products/ID for a variation: its own price and
// stock.
func (s *Store) wooVariation(w http.ResponseWriter, r *http.Request) {
	if s.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, p := range s.products {
		for _, v := range p.Variants {
			if v.ID != id {
				continue
			}
			writeJSON(w, map[string]any{
				"id": v.ID, "name": p.Title, "type": "variation",
				"prices": map[string]any{
					"price": v.Price, "currency_code": s.currency, "currency_minor_unit": s.minor,
				},
				"is_in_stock": v.Available, "is_purchasable": true, "low_stock_remaining": nil,
			})
			return
		}
	}
	http.Error(w, `{"code":"woocommerce_rest_product_invalid_id"}`, http.StatusNotFound)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}
