package server_test

import (
	"testing"
	"unicode/utf8"

	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/server"
)

// The demo catalog is tested here, through the parser that will read it.
func TestDemoCatalogParses(t *testing.T) {
	c, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	if c.Show.ID != "demo" || len(c.Products) != 10 {
		t.Fatalf("show %+v with %d products", c.Show, len(c.Products))
	}
	low := 0
	for _, p := range c.Products {
		if !plainID(p.ID) || utf8.RuneCountInString(p.Description) > 120 || len(p.Variants) > 4 || p.Price.Currency != "USD" {
			t.Errorf("product %+v", p)
		}
		for _, v := range p.Variants {
			if !plainID(v.ID) {
				t.Errorf("variant id %q", v.ID)
			}
			if v.Stock <= 8 {
				low++
			}
		}
	}
	if low == 0 {
		t.Error("no variant is running low: nothing for the audience to hurry for")
	}
	if s, err := server.New(server.Config{Catalog: c}); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
}

func plainID(id string) bool {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return id != ""
}
