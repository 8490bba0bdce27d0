package server

import (
	"strings"
	"testing"
)

func TestParseCatalogAcceptsTestCatalog(t *testing.T) {
	c := testCatalog(t)
	if c.Show.Title != "Test Show" || len(c.Products) != 3 || c.Products[0].Variants[1].Stock != 12 {
		t.Fatalf("catalog = %+v", c)
	}
}

func TestParseCatalogRejects(t *testing.T) {
	const show = `"show": {"id": "s", "title": "Show", "host": "Maya"}`
	product := func(id, variants, price string) string {
		return `{"id": "` + id + `", "name": "Thing", "price": ` + price + `, "variants": [` + variants + `]}`
	}
	usd := `{"amount": 100, "currency": "USD"}`
	cases := []struct {
		name, json string
		want       string // in the error
	}{
		{"unknown field", `{` + show + `, "products": [{"id": "mug", "name": "M", "stok": 3, "price": ` + usd + `, "variants": [{"id": "v", "name": "V", "stock": 1}]}]}`, `("mug"): json: unknown field "stok"`},
		{"unknown field in a price", `{` + show + `, "products": [` + product("mug", `{"id": "v", "name": "V", "stock": 1}`, `{"amount": 1, "currency": "USD", "cents": true}`) + `]}`, `"mug"`},
		{"unknown top-level field", `{` + show + `, "extra": 1, "products": [` + product("mug", `{"id": "v", "name": "V", "stock": 1}`, usd) + `]}`, "extra"},
		{"trailing data", `{` + show + `, "products": [` + product("mug", `{"id": "v", "name": "V", "stock": 1}`, usd) + `]} {}`, "after"},
		{"duplicate product id", `{` + show + `, "products": [` +
			product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `,` +
			product("mug", `{"id": "b", "name": "B", "stock": 1}`, usd) + `]}`, `"mug"`},
		{"variant id shared by two products", `{` + show + `, "products": [` +
			product("mug", `{"id": "blue", "name": "A", "stock": 1}`, usd) + `,` +
			product("tote", `{"id": "blue", "name": "B", "stock": 1}`, usd) + `]}`, `"tote"`},
		{"duplicate variant in a product", `{` + show + `, "products": [` +
			product("mug", `{"id": "a", "name": "A", "stock": 1}, {"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, `"mug"`},
		{"mixed currency", `{` + show + `, "products": [` +
			product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `,` +
			product("tote", `{"id": "b", "name": "B", "stock": 1}`, `{"amount": 100, "currency": "EUR"}`) + `]}`, `"tote"`},
		{"negative stock", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": -1}`, usd) + `]}`, `"mug"`},
		{"negative price", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, `{"amount": -5, "currency": "USD"}`) + `]}`, `"mug"`},
		{"fractional price", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, `{"amount": 1.5, "currency": "USD"}`) + `]}`, "amount"},
		{"bad currency", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, `{"amount": 100, "currency": "usd"}`) + `]}`, `"mug"`},
		{"no variants", `{` + show + `, "products": [` + product("mug", ``, usd) + `]}`, `"mug"`},
		{"bad product id", `{` + show + `, "products": [` + product("a b", `{"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, `"a b"`},
		{"control character in name", `{` + show + `, "products": [{"id": "mug", "name": "M\u001b[2J", "price": ` + usd + `, "variants": [{"id": "v", "name": "V", "stock": 1}]}]}`, `"mug"`},
		{"no products", `{` + show + `, "products": []}`, "0 products"},
		{"bad show id", `{"show": {"id": "", "title": "Show"}, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, "show id"},
		{"no show title", `{"show": {"id": "s", "title": ""}, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, "title"},
		{"not JSON", `products: []`, "parse catalog"},
		{"a deal", `{` + show + `, "products": [{"id": "mug", "name": "M", "price": ` + usd + `, "variants": [{"id": "v", "name": "V", "stock": 1}],` +
			` "deal": {"price": {"amount": 50, "currency": "USD"}, "percent": 50, "ends_at": "2026-11-25T19:00:00Z"}}]}`, "deals are started by the host"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(tc.json))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %s", err, tc.want)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := testCatalog(t)
	cases := map[string]Config{
		"empty catalog":        {},
		"negative send queue":  {Catalog: good, SendQueue: -1},
		"public URL scheme":    {Catalog: good, PublicURL: "ftp://shop.example"},
		"public URL no host":   {Catalog: good, PublicURL: "http://"},
		"public URL query":     {Catalog: good, PublicURL: "https://shop.example/?x=1"},
		"public URL with user": {Catalog: good, PublicURL: "https://me@shop.example"},
	}
	for name, cfg := range cases {
		if s, err := New(cfg); err == nil {
			s.Close()
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNewCopiesCatalog(t *testing.T) {
	c := testCatalog(t)
	s, err := New(Config{Catalog: c})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c.Products[0].Variants[0].Stock = 999
	if n, _ := s.Stock("mug-blue"); n != 5 {
		t.Fatalf("stock followed the caller's catalog: %d", n)
	}
}
