package demo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/livecart/livecart/internal/showtest"
)

// TestPayPlacesTheOrder pays a cart link of a real show the way a bot pays
// what it won or gave: the order is placed once, through the page's form.
func TestPayPlacesTheOrder(t *testing.T) {
	running := showtest.Start(t, showConfig(t))
	srv := running.Server
	p, ok := srv.Product("beanie")
	if !ok {
		t.Fatal("the demo catalog has no beanie")
	}
	v := p.Variants[0]
	before, _ := srv.Stock(v.ID)
	link := running.URL + "/cart/" + v.ID + ":1"
	pay, err := newPayer(running.WS)
	if err != nil {
		t.Fatal(err)
	}
	if err := pay.pay(context.Background(), link); err != nil {
		t.Fatalf("pay: %v", err)
	}
	if after, _ := srv.Stock(v.ID); after != before-1 {
		t.Errorf("stock %d after paying, want %d", after, before-1)
	}
	if m := srv.Metrics(); m.Orders != 1 {
		t.Errorf("%d orders, want 1", m.Orders)
	}
}

func TestPayRefusesLinksOffTheShow(t *testing.T) {
	pay, err := newPayer("ws://127.0.0.1:7420/ws")
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{
		"http://127.0.0.2:7420/cart/a:1",
		"file:///etc/passwd",
		"javascript:alert(1)",
		"://",
	} {
		if err := pay.pay(context.Background(), link); err == nil || !strings.Contains(err.Error(), "not a link of this show") {
			t.Errorf("pay(%q) = %v, want a refusal", link, err)
		}
	}
}

func TestOrderFormNeedsAForm(t *testing.T) {
	if _, _, err := orderForm([]byte("<p>Sold out</p>")); !errors.Is(err, errNoForm) {
		t.Errorf("orderForm without a form = %v, want errNoForm", err)
	}
	action, fields, err := orderForm([]byte(`<form method="get" action="/x"></form><form method="POST" action="../orders"><input type="hidden" name="key" value="k1"><input name="items" value="a:1"><button>Place</button></form>`))
	if err != nil || action.String() != "../orders" || fields.Get("key") != "k1" || fields.Get("items") != "a:1" {
		t.Errorf("orderForm = %v %v %v", action, fields, err)
	}
}
