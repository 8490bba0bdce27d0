package protocol

import (
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
)

func validProduct() Product {
	return Product{
		ID: "mug", Name: "Speckled Mug", Description: "Stoneware, 350 ml",
		Price:    money.New(2400, "USD"),
		Variants: []Variant{{ID: "mug-blue", Name: "Blue", Stock: 5}, {ID: "mug-sand", Name: "Sand", Stock: 0}},
	}
}

func TestRoundTrip(t *testing.T) {
	ts := time.Date(2026, 11, 25, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	chat := Chat{ID: "c1", Author: Identity{ID: "u1", Name: "ana", Role: RoleViewer}, Text: "hi"}
	b, err := Encode(TypeChat, 42, ts, chat)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"ts":"2026-11-25T11:00:00Z"`) {
		t.Errorf("ts not in UTC RFC 3339: %s", b)
	}
	envs, err := DecodeFrame(b)
	if err != nil || len(envs) != 1 {
		t.Fatalf("DecodeFrame: %v, %d envelopes", err, len(envs))
	}
	if envs[0].Type != TypeChat || envs[0].Seq != 42 || !envs[0].TS.Equal(ts) {
		t.Errorf("envelope = %+v", envs[0])
	}
	got, err := Decode[Chat](envs[0])
	if err != nil || got != chat {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, chat)
	}
}

func TestDecodeFrameSeveralEvents(t *testing.T) {
	a, _ := Encode(TypeViewers, 1, time.Time{}, Viewers{Count: 3})
	b, _ := Encode(TypeUnpin, 2, time.Time{}, Unpin{})
	frame := string(a) + "\n\n" + string(b) + "\n"
	envs, err := DecodeFrame([]byte(frame))
	if err != nil || len(envs) != 2 || envs[0].Seq != 1 || envs[1].Type != TypeUnpin {
		t.Fatalf("DecodeFrame = %+v, %v", envs, err)
	}
}

func TestDecodeFrameErrors(t *testing.T) {
	for _, in := range []string{"", "\n\n", "{", `{"seq":1}`, `[1,2]`, `{"type":"chat"}` + "\n" + "garbage"} {
		if _, err := DecodeFrame([]byte(in)); err == nil {
			t.Errorf("DecodeFrame(%q) accepted", in)
		}
	}
}

func TestDecodeIgnoresUnknownFields(t *testing.T) {
	env := Envelope{Type: TypeViewers, Data: []byte(`{"count":7,"future":"field"}`)}
	v, err := Decode[Viewers](env)
	if err != nil || v.Count != 7 {
		t.Fatalf("Decode = %+v, %v", v, err)
	}
}

func TestDecodeValidates(t *testing.T) {
	cases := map[string]Envelope{
		"negative stock":  {Type: TypeProduct, Data: []byte(`{"id":"p","name":"P","price":{"amount":1,"currency":"USD"},"variants":[{"id":"v","name":"V","stock":-1}]}`)},
		"negative price":  {Type: TypeProduct, Data: []byte(`{"id":"p","name":"P","price":{"amount":-5,"currency":"USD"},"variants":[{"id":"v","name":"V","stock":1}]}`)},
		"absurd price":    {Type: TypeProduct, Data: []byte(`{"id":"p","name":"P","price":{"amount":99999999999,"currency":"USD"},"variants":[{"id":"v","name":"V","stock":1}]}`)},
		"float price":     {Type: TypeProduct, Data: []byte(`{"id":"p","name":"P","price":{"amount":1.5,"currency":"USD"},"variants":[{"id":"v","name":"V","stock":1}]}`)},
		"no variants":     {Type: TypeProduct, Data: []byte(`{"id":"p","name":"P","price":{"amount":1,"currency":"USD"},"variants":[]}`)},
		"bad id":          {Type: TypePin, Data: []byte(`{"product_id":"a/b","variant_id":"v"}`)},
		"missing data":    {Type: TypeChat},
		"bad role":        {Type: TypeChat, Data: []byte(`{"id":"c","author":{"id":"u","name":"n","role":"admin"},"text":"x"}`)},
		"long chat":       {Type: TypeChat, Data: []byte(`{"id":"c","author":{"id":"u","name":"n","role":"viewer"},"text":"` + strings.Repeat("x", MaxChatRunes+1) + `"}`)},
		"negative qty":    {Type: TypeCart, Data: []byte(`{"action":"add","product_id":"p","variant_id":"v","qty":-1}`)},
		"bad cart action": {Type: TypeCart, Data: []byte(`{"action":"steal","product_id":"p","variant_id":"v","qty":1}`)},
		"checkout item":   {Type: TypeCart, Data: []byte(`{"action":"checkout","product_id":"p","variant_id":"v","qty":1}`)},
		"empty buy":       {Type: TypeBuy, Data: []byte(`{"items":[]}`)},
		"viewer count":    {Type: TypeViewers, Data: []byte(`{"count":-3}`)},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			switch env.Type {
			case TypeProduct:
				_, err = Decode[Product](env)
			case TypePin:
				_, err = Decode[Pin](env)
			case TypeChat:
				_, err = Decode[Chat](env)
			case TypeCart:
				_, err = Decode[CartSignal](env)
			case TypeBuy:
				_, err = Decode[Buy](env)
			case TypeViewers:
				_, err = Decode[Viewers](env)
			}
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestCartCheckoutSignalDecodes(t *testing.T) {
	sig, err := Decode[CartSignal](Envelope{Type: TypeCart, Data: []byte(`{"action":"checkout"}`)})
	if err != nil || sig.Action != CartCheckout {
		t.Fatalf("Decode = %+v, %v", sig, err)
	}
}

func TestWelcomeValidate(t *testing.T) {
	w := Welcome{
		Version: Version,
		You:     Identity{ID: "u1", Name: "ana", Role: RoleViewer},
		Show:    ShowInfo{ID: "demo", Title: "Cosy Corner", Host: "Maya"},
		Catalog: []Product{validProduct()},
		Pinned:  &Pin{ProductID: "mug", VariantID: "mug-blue"},
		Viewers: 3,
	}
	if err := w.Validate(); err != nil {
		t.Fatalf("valid welcome refused: %v", err)
	}
	bad := w
	bad.Version = Version + 1
	if bad.Validate() == nil {
		t.Error("other version accepted")
	}
	bad = w
	p := validProduct()
	p.Variants = append(p.Variants, p.Variants[0])
	bad.Catalog = []Product{p}
	if bad.Validate() == nil {
		t.Error("duplicate variant accepted")
	}
}

func TestProductHelpers(t *testing.T) {
	p := validProduct()
	if p.Stock() != 5 {
		t.Errorf("Stock = %d", p.Stock())
	}
	if v, ok := p.Variant("mug-sand"); !ok || v.Name != "Sand" {
		t.Errorf("Variant = %+v, %v", v, ok)
	}
	if _, ok := p.Variant("nope"); ok {
		t.Error("unknown variant found")
	}
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"a", "mug-blue", "A_1.2", strings.Repeat("x", MaxIDBytes)} {
		if !ValidID(id) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range []string{"", "a b", "a/b", "a,b", "a:b", "é", strings.Repeat("x", MaxIDBytes+1), "a\x00"} {
		if ValidID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}

func TestDescribeClose(t *testing.T) {
	if DescribeClose(CloseUnsupportedVersion).Reconnect {
		t.Error("version mismatch should not reconnect")
	}
	if i := DescribeClose(CloseSlowConsumer); !i.Reconnect || !i.Backoff {
		t.Errorf("slow consumer: %+v", i)
	}
	if i := DescribeClose(CloseTryAgainLater); !i.Backoff {
		t.Errorf("try again later: %+v", i)
	}
	// A throttled host's dashboard comes back once the address may try
	// again, not at once, which would only be refused.
	if i := DescribeClose(CloseTokenThrottled); !i.Reconnect || !i.Backoff {
		t.Errorf("token throttled: %+v", i)
	}
	// A show that is over has nothing to come back to; a restart has.
	if i := DescribeClose(CloseShowEnded); i.Reconnect || i.Reason != "the show has ended" {
		t.Errorf("show ended: %+v", i)
	}
	if i := DescribeClose(CloseGoingAway); !i.Reconnect || !i.Backoff {
		t.Errorf("going away: %+v", i)
	}
}

func FuzzDecodeFrame(f *testing.F) {
	a, _ := Encode(TypeChat, 1, time.Unix(0, 0), Chat{ID: "c", Author: Identity{ID: "u", Name: "n", Role: RoleViewer}, Text: "hi"})
	f.Add(a)
	f.Add([]byte(`{"type":"welcome","data":{}}` + "\n" + `{"type":"pin","seq":2,"data":{"product_id":"p","variant_id":"v"}}`))
	f.Add([]byte("{\"type\":\"x\"}\n\n"))
	f.Fuzz(func(t *testing.T, frame []byte) {
		envs, err := DecodeFrame(frame)
		if err == nil && len(envs) == 0 {
			t.Fatal("no error and no envelopes")
		}
		for _, env := range envs {
			if env.Type == "" {
				t.Fatal("envelope without type")
			}
			// Decoding any payload must not panic, whatever the type.
			_, _ = Decode[Welcome](env)
			_, _ = Decode[Product](env)
			_, _ = Decode[Chat](env)
		}
	})
}
