package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

func TestViewerCannotRunHostCommands(t *testing.T) {
	s, ts := startServer(t, unlimited)
	ana := dial(t, ts.URL, "ana", "")
	bo := dialClient(t, ts.URL, "bo", "client-bo")
	bo.send(protocol.TypeSay, protocol.Say{Text: "first"})
	line := decode[protocol.Chat](t, ana.nextOf(protocol.TypeChat))
	before := s.Metrics()

	commands := map[protocol.Type]any{
		protocol.TypePin:          protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
		protocol.TypeUnpin:        protocol.Unpin{},
		protocol.TypeQueue:        protocol.Queue{ProductIDs: []string{"tote"}},
		protocol.TypePinNext:      nil,
		protocol.TypeStartDeal:    protocol.StartDeal{ProductID: "mug", Percent: 50, Seconds: 60},
		protocol.TypeEndDeal:      protocol.EndDeal{ProductID: "mug"},
		protocol.TypeSetStock:     protocol.SetStock{VariantID: "mug-blue", Stock: 99},
		protocol.TypeSetPrice:     protocol.SetPrice{ProductID: "mug", Price: money.New(1, "USD")},
		protocol.TypeDeleteChat:   protocol.DeleteChat{ID: line.ID},
		protocol.TypeTimeout:      protocol.Timeout{UserID: bo.welcome.You.ID, Seconds: 600},
		protocol.TypeBan:          protocol.Ban{UserID: bo.welcome.You.ID},
		protocol.TypeSlowMode:     protocol.SlowMode{Seconds: 60},
		protocol.TypeBlockedWords: protocol.BlockedWords{Words: []string{"second"}},

		protocol.TypeStartGiveaway: protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 60},
		protocol.TypeDraw:          protocol.Draw{GiveawayID: "gw"},
		protocol.TypeStartAuction:  protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 100, Seconds: 30},
		protocol.TypeCancelAuction: protocol.CancelAuction{AuctionID: "a1"},
	}
	if len(commands) != len(hostCommands) {
		t.Fatalf("testing %d commands, the server has %d host commands", len(commands), len(hostCommands))
	}
	for typ, data := range commands {
		t.Run(string(typ), func(t *testing.T) {
			ana.send(typ, data)
			if e := ana.expectError(protocol.ErrCodeForbidden); !strings.Contains(e.Message, string(typ)) {
				t.Errorf("message %q does not name %s", e.Message, typ)
			}
		})
	}

	// Nothing changed: bo may still chat (not muted, banned, slowed or
	// blocked), and the first show event after the refusals is bo's line.
	ana.sync()
	bo.send(protocol.TypeSay, protocol.Say{Text: "second"})
	bo.send(protocol.TypeSay, protocol.Say{Text: "third"})
	for _, want := range []string{"second", "third"} {
		env := ana.nextShowEvent()
		if got := decode[protocol.Chat](t, env); env.Type != protocol.TypeChat || got.Text != want {
			t.Fatalf("ana got %s %+v, want chat %q", env.Type, got, want)
		}
	}
	p, _ := s.Product("mug")
	if p.Deal != nil || p.Price.Amount != 2400 || p.Variants[0].Stock != 5 {
		t.Errorf("mug changed: %+v", p)
	}
	if _, pinned := s.Pinned(); pinned {
		t.Error("something is pinned")
	}
	if w := dial(t, ts.URL, "late", "").welcome; len(w.Chat) != 3 || w.Chat[0].ID != line.ID {
		t.Errorf("recent chat = %+v", w.Chat)
	}
	after := s.Metrics()
	if len(after.UpNext) != 0 || after.SlowModeSeconds != 0 || len(after.BlockedWords) != 0 || after.Orders != before.Orders {
		t.Errorf("metrics after the refusals: %+v", after)
	}
}

func TestQueueAndPinNext(t *testing.T) {
	s, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")

	host.send(protocol.TypeQueue, protocol.Queue{ProductIDs: []string{"tote", "nope"}})
	host.expectError(protocol.ErrCodeNotFound)
	host.send(protocol.TypeSetStock, protocol.SetStock{VariantID: "mug-blue", Stock: 0})
	host.send(protocol.TypeQueue, protocol.Queue{ProductIDs: []string{"mug", "candle", "mug"}})
	host.sync()
	if got := s.Metrics().UpNext; !slices.Equal(got, []string{"mug", "candle"}) {
		t.Fatalf("up next = %v", got)
	}

	// The head is pinned with its first variant in stock, and popped.
	for _, want := range []protocol.Pin{
		{ProductID: "mug", VariantID: "mug-sand"},
		{ProductID: "candle", VariantID: "candle-small"},
	} {
		host.send(protocol.TypePinNext, nil)
		if got := decode[protocol.Pin](t, ana.nextOf(protocol.TypePin)); got != want {
			t.Fatalf("pinned %+v, want %+v", got, want)
		}
	}
	host.send(protocol.TypePinNext, nil)
	host.expectError(protocol.ErrCodeNotFound)
	if got := s.Metrics().UpNext; len(got) != 0 {
		t.Fatalf("up next after popping all = %v", got)
	}
}

func TestSetStockAndPrice(t *testing.T) {
	s, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")

	host.send(protocol.TypeSetStock, protocol.SetStock{VariantID: "mug-sand", Stock: 40})
	p := decode[protocol.Product](t, ana.nextShowEvent())
	if p.ID != "mug" || p.Variants[1].Stock != 40 || p.Variants[0].Stock != 5 {
		t.Fatalf("after set_stock: %+v", p)
	}
	host.send(protocol.TypeSetPrice, protocol.SetPrice{ProductID: "tote", Price: money.New(1500, "USD")})
	if p := decode[protocol.Product](t, ana.nextShowEvent()); p.ID != "tote" || p.Price.Amount != 1500 {
		t.Fatalf("after set_price: %+v", p)
	}
	if _, body := get(t, ts.URL, "/cart/tote-natural:2"); !strings.Contains(body, row("$15.00", "2", "$30.00")) {
		t.Errorf("checkout page does not use the new price:\n%s", body)
	}

	for _, bad := range []struct {
		typ  protocol.Type
		data any
		code string
	}{
		{protocol.TypeSetStock, protocol.SetStock{VariantID: "mug-sand", Stock: -1}, protocol.ErrCodeBadRequest},
		{protocol.TypeSetStock, protocol.SetStock{VariantID: "nope", Stock: 1}, protocol.ErrCodeNotFound},
		{protocol.TypeSetPrice, protocol.SetPrice{ProductID: "tote", Price: money.New(1500, "EUR")}, protocol.ErrCodeBadRequest},
		{protocol.TypeSetPrice, protocol.SetPrice{ProductID: "tote", Price: money.New(-1, "USD")}, protocol.ErrCodeBadRequest},
		{protocol.TypeSetPrice, protocol.SetPrice{ProductID: "nope", Price: money.New(1, "USD")}, protocol.ErrCodeNotFound},
	} {
		host.send(bad.typ, bad.data)
		host.expectError(bad.code)
	}
	host.send(protocol.TypeSay, protocol.Say{Text: "marker"})
	if env := ana.nextShowEvent(); env.Type != protocol.TypeChat {
		t.Fatalf("a refused edit published %s", env.Type)
	}
	if n, _ := s.Stock("mug-sand"); n != 40 {
		t.Errorf("stock %d, want 40", n)
	}
}

func TestClientIDKeepsIdentity(t *testing.T) {
	_, ts := startServer(t)
	a1 := dialClient(t, ts.URL, "ana", "client-ana")
	a2 := dialClient(t, ts.URL, "ana again", "client-ana")
	b := dialClient(t, ts.URL, "bo", "client-bo")
	c1 := dial(t, ts.URL, "cy", "")
	c2 := dial(t, ts.URL, "cy", "")

	id := a1.welcome.You.ID
	if !strings.HasPrefix(id, "u-") || len(id) != len("u-")+10 || !protocol.ValidID(id) {
		t.Fatalf("identity from a client ID = %q", id)
	}
	if a2.welcome.You.ID != id {
		t.Errorf("same client ID, identities %q and %q", id, a2.welcome.You.ID)
	}
	if b.welcome.You.ID == id || strings.Contains(id, "client") {
		t.Errorf("identity %q for client-ana, %q for client-bo", id, b.welcome.You.ID)
	}
	if c1.welcome.You.ID == c2.welcome.You.ID || strings.HasPrefix(c1.welcome.You.ID, "u-") {
		t.Errorf("without client IDs: %q and %q", c1.welcome.You.ID, c2.welcome.You.ID)
	}
	if want := ts.URL + "/cart/{items}?ref=client-ana&seen={total}"; a1.welcome.Checkout != want {
		t.Errorf("checkout = %q, want %q", a1.welcome.Checkout, want)
	}
	if want := ts.URL + "/cart/{items}?seen={total}"; c1.welcome.Checkout != want {
		t.Errorf("checkout without a client ID = %q, want %q", c1.welcome.Checkout, want)
	}
}

func TestDealPrice(t *testing.T) {
	cases := []struct {
		regular   int64
		percent   int
		amountOff int64
		want      int64 // 0: refused
	}{
		{2400, 20, 0, 1920},
		{1250, 15, 0, 1063}, // 1062.5 rounds half up
		{999, 33, 0, 669},   // 669.33
		{5, 90, 0, 1},       // 0.5 rounds to 1
		{3, 90, 0, 1},       // 0.3 would round to 0: never below one minor unit
		{1, 50, 0, 0},       // nothing left to take off
		{100, 1, 0, 99},
		{2400, 0, 400, 2000},
		{2400, 0, 2399, 1},
		{2400, 0, 2400, 0},
		{2400, 0, 9999, 0},
	}
	for _, c := range cases {
		got, err := dealPrice(money.New(c.regular, "USD"), c.percent, c.amountOff)
		switch {
		case c.want == 0 && err == nil:
			t.Errorf("%d, %d%% or %d off: %v accepted", c.regular, c.percent, c.amountOff, got)
		case c.want != 0 && (err != nil || got != money.New(c.want, "USD")):
			t.Errorf("%d, %d%% or %d off = %v, %v; want %d", c.regular, c.percent, c.amountOff, got, err, c.want)
		}
	}
	if got := fmt.Sprint(formatWait(250e9), ", ", formatWait(45e9), ", ", formatWait(3600e9+1)); got != "4m 10s, 45s, 1h 1s" {
		t.Errorf("formatWait = %s", got)
	}
}
