package server

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

func TestMetricsCountWhatHappened(t *testing.T) {
	s, ts := startServer(t, unlimited)
	fastMetrics(s)
	host := dial(t, ts.URL, "", testToken)
	// A host has its metrics at once, not a second later.
	if env := host.next(); env.Type != protocol.TypeMetrics || env.Seq != 0 {
		t.Fatalf("after the welcome the host got %s seq %d", env.Type, env.Seq)
	}
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dial(t, ts.URL, "bo", "")
	cy := dial(t, ts.URL, "cy", "")

	for _, sig := range []protocol.CartSignal{
		{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 2},
		{Action: protocol.CartAdd, ProductID: "tote", VariantID: "tote-natural", Qty: 1},
		{Action: protocol.CartRemove, ProductID: "mug", VariantID: "mug-blue", Qty: 1},
	} {
		ana.send(protocol.TypeCart, sig)
	}
	bo.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-sand", Qty: 1})
	ana.send(protocol.TypeSay, protocol.Say{Text: "one"})
	bo.send(protocol.TypeSay, protocol.Say{Text: "two"})
	host.send(protocol.TypeSay, protocol.Say{Text: "three"})
	ana.sync()
	bo.sync()

	// Checkouts started are pages served that could be ordered from.
	get(t, ts.URL, "/cart/mug-blue:1?ref=client-ana")
	get(t, ts.URL, "/cart/mug-blue:1,tote-natural:1")
	get(t, ts.URL, "/cart/nope:1")
	get(t, ts.URL, "/cart/mug-blue:0")
	if status, _ := postOrder(t, ts.URL, order("mug-blue:1", "client-ana"), nil); status != http.StatusOK {
		t.Fatalf("order: %d", status)
	}
	// The demo audience's buy command is an order too.
	bo.send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "tote-natural", Qty: 2}}})
	bo.nextOf(protocol.TypeOrder)
	host.send(protocol.TypeQueue, protocol.Queue{ProductIDs: []string{"candle", "tote"}})
	host.send(protocol.TypeSlowMode, protocol.SlowMode{Seconds: 5})
	host.send(protocol.TypeBlockedWords, protocol.BlockedWords{Words: []string{"spam"}})
	host.sync()
	cy.ws.Close()

	m := host.awaitMetrics(func(m protocol.Metrics) bool { return m.Viewers == 2 && m.SlowModeSeconds == 5 })
	want := protocol.Metrics{
		Viewers:       2,
		PeakViewers:   3,
		ChatPerMinute: 3,
		Products: []protocol.ProductMetrics{
			{ProductID: "mug", Adds: 3, Removes: 1, Sold: 1},
			{ProductID: "tote", Adds: 1, Sold: 2},
			{ProductID: "candle"},
		},
		CheckoutsStarted: 2,
		Orders:           2,
		UnitsSold:        3,
		Revenue:          money.New(2400+2*1800, "USD"),
		Funnel:           protocol.Funnel{Viewers: 3, AddedToCart: 2, CheckedOut: 2},
		UpNext:           []string{"candle", "tote"},
		SlowModeSeconds:  5,
		BlockedWords:     []string{"spam"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("metrics %+v\nwant    %+v", m, want)
	}
	for _, env := range ana.sync() {
		if env.Type == protocol.TypeMetrics {
			t.Fatal("a viewer got metrics")
		}
	}
}

// Chat per minute counts the last 60 s of the server's clock.
func TestChatPerMinuteForgets(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), unlimited)
	ana := dial(t, ts.URL, "ana", "")
	ana.send(protocol.TypeSay, protocol.Say{Text: "old"})
	ana.sync()
	clk.advance(30 * time.Second)
	ana.send(protocol.TypeSay, protocol.Say{Text: "newer"})
	ana.send(protocol.TypeSay, protocol.Say{Text: "newest"})
	ana.sync()
	if n := s.Metrics().ChatPerMinute; n != 3 {
		t.Fatalf("chat per minute %d, want 3", n)
	}
	clk.advance(30 * time.Second)
	if n := s.Metrics().ChatPerMinute; n != 2 {
		t.Fatalf("a minute after the first line: %d, want 2", n)
	}
	clk.advance(90 * time.Second)
	if n := s.Metrics().ChatPerMinute; n != 0 {
		t.Fatalf("after a quiet minute: %d", n)
	}
}

// The metrics loop runs only while a host is connected.
func TestMetricsStopWithoutHost(t *testing.T) {
	s, ts := startServer(t)
	fastMetrics(s)
	running := func() bool {
		s.hub.mu.Lock()
		defer s.hub.mu.Unlock()
		return s.feed.on
	}
	dial(t, ts.URL, "ana", "")
	if running() {
		t.Fatal("metrics run with no host")
	}
	host := dial(t, ts.URL, "", testToken)
	host.nextOf(protocol.TypeMetrics)
	host.nextOf(protocol.TypeMetrics) // from the loop
	if !running() {
		t.Fatal("metrics do not run for a host")
	}
	host.ws.Close()
	waitUntil(t, "the metrics loop stops", func() bool { return !running() })
	again := dial(t, ts.URL, "", testToken)
	again.nextOf(protocol.TypeMetrics)
	again.nextOf(protocol.TypeMetrics)
}

// A store show never sees its checkout pages, so a viewer's checkout
// signal counts as a checkout started and puts them at the funnel's last
// step; a cart add is not needed first.
func TestStoreShowCountsCheckoutSignals(t *testing.T) {
	s, ts := startServer(t, unlimited, func(c *Config) { c.StoreCheckout = "https://shop.example/cart/{items}" })
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")
	dial(t, ts.URL, "cy", "")
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 1})
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartCheckout})
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartCheckout})
	bo.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartCheckout})
	for _, env := range append(ana.sync(), bo.sync()...) {
		if env.Type == protocol.TypeError {
			t.Fatalf("checkout signal refused: %s", env.Data)
		}
	}
	m := s.Metrics()
	if m.CheckoutsStarted != 3 {
		t.Errorf("checkouts started %d, want 3 (every signal)", m.CheckoutsStarted)
	}
	if want := (protocol.Funnel{Viewers: 3, AddedToCart: 2, CheckedOut: 2}); m.Funnel != want {
		t.Errorf("funnel %+v, want %+v", m.Funnel, want)
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
}

// The demo store counts the checkout pages it serves; the signal that
// comes with opening one must not count it a second time.
func TestDemoShowIgnoresCheckoutSignals(t *testing.T) {
	s, ts := startServer(t, unlimited)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartCheckout})
	for _, env := range ana.sync() {
		if env.Type == protocol.TypeError {
			t.Fatalf("checkout signal refused: %s", env.Data)
		}
	}
	get(t, ts.URL, "/cart/mug-blue:1?ref=client-ana")
	m := s.Metrics()
	if m.CheckoutsStarted != 1 {
		t.Errorf("checkouts started %d, want 1: the page, not the signal too", m.CheckoutsStarted)
	}
	if want := (protocol.Funnel{Viewers: 1}); m.Funnel != want {
		t.Errorf("funnel %+v, want %+v", m.Funnel, want)
	}
}
