package server

import (
	"fmt"
	"sync"
	"testing"

	"github.com/livecart/livecart/protocol"
)

func TestHostPinReachesViewers(t *testing.T) {
	s, ts := startServer(t)
	host := dial(t, ts.URL, "host", testToken)
	ana := dial(t, ts.URL, "ana", "")

	pin := protocol.Pin{ProductID: "tote", VariantID: "tote-natural"}
	host.send(protocol.TypePin, pin)
	got, err := protocol.Decode[protocol.Pin](ana.nextOf(protocol.TypePin))
	if err != nil || got != pin {
		t.Fatalf("viewer got pin %+v, %v", got, err)
	}
	if p, ok := s.Pinned(); !ok || p != pin {
		t.Errorf("server pinned %+v, %v", p, ok)
	}
	if w := dial(t, ts.URL, "late", "").welcome; w.Pinned == nil || *w.Pinned != pin {
		t.Errorf("late viewer's welcome pins %+v", w.Pinned)
	}

	for _, bad := range []protocol.Pin{
		{ProductID: "nope", VariantID: "mug-blue"},
		{ProductID: "mug", VariantID: "tote-natural"}, // someone else's variant
		{ProductID: "mug", VariantID: "nope"},
	} {
		host.send(protocol.TypePin, bad)
		host.expectError(protocol.ErrCodeNotFound)
	}
	host.sendRaw(`{"type":"pin","data":{"product_id":"a/b","variant_id":"v"}}`)
	host.expectError(protocol.ErrCodeBadRequest)

	host.sendRaw(`{"type":"unpin","data":{}}`)
	env := ana.nextShowEvent()
	if env.Type != protocol.TypeUnpin || string(env.Data) != "{}" {
		t.Fatalf("after failed pins the viewer got %s %s, want unpin {}", env.Type, env.Data)
	}
	if _, ok := s.Pinned(); ok {
		t.Error("still pinned after unpin")
	}
}

func TestViewerCannotPin(t *testing.T) {
	s, ts := startServer(t)
	ana := dial(t, ts.URL, "ana", "")
	bo := dial(t, ts.URL, "bo", "")
	ana.send(protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"})
	ana.expectError(protocol.ErrCodeForbidden)
	ana.sendRaw(`{"type":"unpin","data":{}}`)
	ana.expectError(protocol.ErrCodeForbidden)
	ana.send(protocol.TypeSay, protocol.Say{Text: "marker"})

	// Had the pin gone through, bo would see it before the marker.
	if env := bo.nextShowEvent(); env.Type != protocol.TypeChat {
		t.Fatalf("bo got %s before the marker", env.Type)
	}
	if p, ok := s.Pinned(); ok {
		t.Fatalf("pinned %+v", p)
	}
}

func TestBuyTakesStockAndPublishes(t *testing.T) {
	s, ts := startServer(t)
	ana := dial(t, ts.URL, "ana", "")
	bo := dial(t, ts.URL, "bo", "")

	ana.send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "mug-blue", Qty: 2}}})
	for _, c := range []*client{ana, bo} {
		p, err := protocol.Decode[protocol.Product](c.nextOf(protocol.TypeProduct))
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != "mug" || p.Name != "Speckled Mug" || p.Variants[0].Stock != 3 || p.Variants[1].Stock != 12 {
			t.Fatalf("product event = %+v", p)
		}
	}
	if n, _ := s.Stock("mug-blue"); n != 3 {
		t.Fatalf("stock = %d, want 3", n)
	}

	// Nothing changes unless the whole buy can be filled.
	failing := []struct {
		items []protocol.Item
		code  string
	}{
		{[]protocol.Item{{VariantID: "mug-blue", Qty: 1}, {VariantID: "tote-natural", Qty: 4}}, protocol.ErrCodeOutOfStock},
		{[]protocol.Item{{VariantID: "mug-blue", Qty: 2}, {VariantID: "mug-blue", Qty: 2}}, protocol.ErrCodeOutOfStock},
		{[]protocol.Item{{VariantID: "mug-blue", Qty: 1}, {VariantID: "nope", Qty: 1}}, protocol.ErrCodeNotFound},
		{[]protocol.Item{{VariantID: "candle-large", Qty: 1}}, protocol.ErrCodeOutOfStock},
	}
	for _, f := range failing {
		ana.send(protocol.TypeBuy, protocol.Buy{Items: f.items})
		ana.expectError(f.code)
	}
	ana.sendRaw(`{"type":"buy","data":{"items":[{"variant_id":"mug-blue","qty":0}]}}`)
	ana.expectError(protocol.ErrCodeBadRequest)
	for id, want := range map[string]int{"mug-blue": 3, "tote-natural": 3, "candle-large": 0} {
		if n, _ := s.Stock(id); n != want {
			t.Errorf("after failed buys %s has %d, want %d", id, n, want)
		}
	}

	// A buy across products publishes each product once, in catalog order,
	// then who bought what, line by line.
	bo.sync()
	ana.send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{
		{VariantID: "tote-natural", Qty: 3}, {VariantID: "mug-blue", Qty: 1}, {VariantID: "mug-sand", Qty: 2},
	}})
	var got []string
	for range 5 {
		env := bo.nextShowEvent()
		switch env.Type {
		case protocol.TypeProduct:
			p, err := protocol.Decode[protocol.Product](env)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s:%d/%d", p.ID, p.Variants[0].Stock, p.Stock()))
		case protocol.TypePurchase:
			p, err := protocol.Decode[protocol.Purchase](env)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s bought %d %s", p.Buyer, p.Qty, p.VariantID))
		default:
			t.Fatalf("unexpected %s", env.Type)
		}
	}
	want := []string{"mug:2/12", "tote:0/0", "ana bought 3 tote-natural", "ana bought 1 mug-blue", "ana bought 2 mug-sand"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

func TestConcurrentBuysNeverOversell(t *testing.T) {
	const buyers, stock = 50, 10
	s, ts := startServer(t)
	observer := dial(t, ts.URL, "observer", "")
	cs := make([]*client, buyers)
	for i := range cs {
		cs[i] = dial(t, ts.URL, fmt.Sprintf("buyer %d", i), "")
	}
	buy := encode(t, protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "candle-small", Qty: 1}}})
	ping := encode(t, protocol.TypePing, nil)

	start := make(chan struct{})
	bought := make([]bool, buyers)
	errs := make([]error, buyers)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() {
			<-start
			// The pong comes after the buy's answer, if any: no error
			// before it means the buy went through.
			if errs[i] = c.write(buy + "\n" + ping); errs[i] != nil {
				return
			}
			bought[i] = true
			for {
				env, err := c.read()
				if err != nil {
					errs[i] = err
					return
				}
				switch env.Type {
				case protocol.TypeError:
					e, _ := protocol.Decode[protocol.Error](env)
					if e.Code != protocol.ErrCodeOutOfStock {
						errs[i] = fmt.Errorf("error %+v", e)
					}
					bought[i] = false
				case protocol.TypePong:
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	succeeded := 0
	for i := range cs {
		if errs[i] != nil {
			t.Fatalf("buyer %d: %v", i, errs[i])
		}
		if bought[i] {
			succeeded++
		}
	}
	if succeeded != stock {
		t.Errorf("%d buys succeeded, want %d", succeeded, stock)
	}
	if n, _ := s.Stock("candle-small"); n != 0 {
		t.Errorf("stock = %d, want 0", n)
	}
	// Every buy published the stock it left; a buy that came before the
	// last one's event went out is folded into the later event, so the
	// stock only ever goes down and ends at 0.
	var seen []int
	for _, env := range observer.sync() {
		if env.Type == protocol.TypeProduct {
			p, err := protocol.Decode[protocol.Product](env)
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, p.Variants[0].Stock)
		}
	}
	if !fallingTo(seen, 0) {
		t.Errorf("published stock %v, want strictly falling to 0", seen)
	}
}

func TestCartSignalsAreCountedNotBroadcast(t *testing.T) {
	s, ts := startServer(t)
	ana := dial(t, ts.URL, "ana", "")
	bo := dial(t, ts.URL, "bo", "")
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 2})
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-sand", Qty: 1})
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartRemove, ProductID: "mug", VariantID: "mug-blue", Qty: 1})
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "nope", VariantID: "mug-blue", Qty: 1})
	ana.expectError(protocol.ErrCodeNotFound)
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "tote", VariantID: "mug-blue", Qty: 1})
	ana.expectError(protocol.ErrCodeNotFound)
	ana.sync()
	if adds, removes := s.CartSignals("mug"); adds != 3 || removes != 1 {
		t.Errorf("mug: %d added, %d removed; want 3 and 1", adds, removes)
	}
	if adds, _ := s.CartSignals("tote"); adds != 0 {
		t.Errorf("tote: %d added by a bad signal", adds)
	}
	ana.send(protocol.TypeSay, protocol.Say{Text: "marker"})
	if env := bo.nextShowEvent(); env.Type != protocol.TypeChat {
		t.Fatalf("bo got %s: cart signals are not broadcast", env.Type)
	}
}

func TestSmallCommands(t *testing.T) {
	_, ts := startServer(t)
	ana := dial(t, ts.URL, "ana", "")

	ana.send(protocol.TypePing, nil)
	if env := ana.nextOf(protocol.TypePong); env.Seq != 0 {
		t.Errorf("pong has seq %d", env.Seq)
	}
	ana.sendRaw(`{"type":"dance","data":{}}`)
	ana.expectError(protocol.ErrCodeUnknownType)
	ana.send(protocol.TypeSay, protocol.Say{Text: "\x1b[2J\u200b\t"})
	ana.expectError(protocol.ErrCodeBadRequest)

	ana.send(protocol.TypeSay, protocol.Say{Text: "  two\nlines \x1b[31mred\x1b[0m  "})
	line, err := protocol.Decode[protocol.Chat](ana.nextOf(protocol.TypeChat))
	if err != nil || line.Text != "two lines red" {
		t.Fatalf("chat = %q, %v", line.Text, err)
	}
	long := make([]rune, 2*protocol.MaxChatRunes)
	for i := range long {
		long[i] = 'é'
	}
	ana.send(protocol.TypeSay, protocol.Say{Text: string(long)})
	line, err = protocol.Decode[protocol.Chat](ana.nextOf(protocol.TypeChat))
	if err != nil || len([]rune(line.Text)) != protocol.MaxChatRunes {
		t.Fatalf("long chat came back with %d runes, %v", len([]rune(line.Text)), err)
	}
}
