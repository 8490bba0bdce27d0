package server

import (
	"strings"
	"testing"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

func TestApplyCatalogReachesViewers(t *testing.T) {
	s, ts := startServer(t, unlimited, func(c *Config) {
		c.StoreCheckout = "https://shop.example/cart/{items}?ref=livecart-test"
	})
	ana := dial(t, ts.URL, "ana", "")
	if got := ana.welcome.Checkout; got != "https://shop.example/cart/{items}?ref=livecart-test" {
		t.Errorf("welcome checkout %q, want the store's", got)
	}
	fresh := clone(testCatalog(t).Products)
	// The mug costs more, its sand variant is priced apart; the tote is
	// gone from the store; the large candle comes back; a new product is
	// not added.
	fresh[0].Price = money.New(2600, "USD")
	sand := money.New(3100, "USD")
	fresh[0].Variants[1].Price = &sand
	fresh[0].Variants[0].Stock = 40 // available: the show keeps its stock
	fresh[2].Variants[1].Stock = 99
	fresh = append(fresh[:1], fresh[2:]...)
	fresh = append(fresh, protocol.Product{ID: "new", Name: "New Lamp", Price: money.New(1, "USD"), Variants: []protocol.Variant{{ID: "lamp", Name: "x", Stock: 1}}})
	notes := s.ApplyCatalog(fresh)
	if len(notes) != 1 || !strings.Contains(notes[0], `"New Lamp"`) {
		t.Errorf("notes %q, want one naming the new product", notes)
	}
	got := map[string]protocol.Product{}
	for range 3 {
		env := ana.nextShowEvent()
		if env.Type != protocol.TypeProduct {
			t.Fatalf("got %s, want product", env.Type)
		}
		p := decode[protocol.Product](t, env)
		got[p.ID] = p
	}
	mug := got["mug"]
	if mug.Price.Amount != 2600 || mug.RegularOf("mug-sand").Amount != 3100 || mug.Variants[0].Stock != 5 {
		t.Errorf("mug %+v", mug)
	}
	if tote := got["tote"]; tote.Variants[0].Stock != 0 {
		t.Errorf("tote stock %d, want sold out", tote.Variants[0].Stock)
	}
	if c := got["candle"]; c.Variants[1].Stock != 99 {
		t.Errorf("candle-large stock %d, want 99", c.Variants[1].Stock)
	}
	// Nothing changed: nothing is published.
	if notes := s.ApplyCatalog(fresh[:2]); len(notes) != 0 {
		t.Errorf("notes %q", notes)
	}
	ana.send(protocol.TypeSay, protocol.Say{Text: "after"})
	if env := ana.nextShowEvent(); env.Type != protocol.TypeChat {
		t.Errorf("got %s after an unchanged catalog, want the chat line", env.Type)
	}
}

func TestApplyCatalogKeepsDealPercent(t *testing.T) {
	s, ts := startServer(t, unlimited)
	host := dial(t, ts.URL, "maya", testToken)
	host.send(protocol.TypeStartDeal, protocol.StartDeal{ProductID: "mug", Percent: 50, Seconds: 60})
	host.nextOf(protocol.TypeProduct)
	fresh := clone(testCatalog(t).Products)
	fresh[0].Price = money.New(3000, "USD")
	s.ApplyCatalog(fresh)
	p := decode[protocol.Product](t, host.nextOf(protocol.TypeProduct))
	if p.Deal == nil || p.Deal.Price.Amount != 1500 {
		t.Errorf("deal %+v, want 50%% off $30.00", p.Deal)
	}
}

func TestStoreCheckoutChecked(t *testing.T) {
	for _, bad := range []string{"https://shop.example/cart", "ftp://shop.example/{items}", "https://shop.example/{items}/{items}"} {
		cfg := Config{Catalog: testCatalog(t), StoreCheckout: bad}
		if _, err := New(cfg); err == nil {
			t.Errorf("New with store checkout %q: no error", bad)
		}
	}
}

func TestStoreShowOrdersUnknown(t *testing.T) {
	s, _ := startServer(t, unlimited, func(c *Config) { c.StoreCheckout = "https://shop.example/cart/{items}" })
	if m := s.Metrics(); !m.OrdersUnknown {
		t.Error("a show sold on a store has its orders known")
	}
	plain, _ := startServer(t, unlimited)
	if m := plain.Metrics(); m.OrdersUnknown {
		t.Error("the demo store's orders are unknown")
	}
}

func TestStoreWarningReachesHosts(t *testing.T) {
	s, _ := startServer(t, unlimited, func(c *Config) { c.StoreCheckout = "https://shop.example/cart/{items}" })
	s.SetStoreWarning("read shopify:https://shop.example: 503\n" + strings.Repeat("x", 300))
	m := s.Metrics()
	if err := m.Validate(); err != nil || !strings.HasPrefix(m.StoreWarning, "read shopify:https://shop.example: 503") {
		t.Errorf("warning %q, %v", m.StoreWarning, err)
	}
	s.SetStoreWarning("")
	if m := s.Metrics(); m.StoreWarning != "" {
		t.Errorf("warning %q after it cleared", m.StoreWarning)
	}
}
