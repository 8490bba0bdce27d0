package demo

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

var leftover = regexp.MustCompile(`[{}]`)

var sampleLive = live{Product: "Speckled Mug", Variant: "Blue", Price: "$24.00", Stock: 4, Host: "Maya"}

func TestEveryTemplateFills(t *testing.T) {
	lists := map[string][]string{
		"product": productLines, "general": generalLines, "brag": bragLines, "back": backLines,
		"host welcome": hostWelcomeLines, "host intro": hostIntroLines,
		"host hype": hostHypeLines, "host chat": hostChatLines,
	}
	for name, list := range lists {
		for _, tmpl := range list {
			for _, city := range cities {
				for _, em := range emoji {
					got := fill(prefill(tmpl, city, em), sampleLive)
					if leftover.MatchString(got) {
						t.Fatalf("%s %q leaves a placeholder: %q", name, tmpl, got)
					}
					if got == "" || utf8.RuneCountInString(got) > protocol.MaxChatRunes {
						t.Fatalf("%s %q fills to %d runes", name, tmpl, utf8.RuneCountInString(got))
					}
				}
			}
		}
	}
}

func TestEnoughViewerTemplates(t *testing.T) {
	n := len(productLines) + len(generalLines) + len(bragLines) + len(backLines)
	if n < 55 {
		t.Errorf("%d viewer templates; the chat repeats itself too soon", n)
	}
	if len(viewerNames) < 55 {
		t.Errorf("%d viewer names", len(viewerNames))
	}
}

// Lines said when nothing is pinned must not need a product, or a bot with
// nothing pinned would fall silent or say "{product}".
func TestFallbacksNeedNoPin(t *testing.T) {
	for _, list := range [][]string{generalLines, backLines, hostWelcomeLines, hostChatLines} {
		for _, tmpl := range list {
			if needsPin(tmpl) {
				t.Errorf("%q needs a pinned product", tmpl)
			}
		}
	}
	for _, list := range [][]string{productLines, hostIntroLines} {
		for _, tmpl := range list {
			if !needsPin(tmpl) {
				t.Errorf("%q is in a product list but names no product", tmpl)
			}
		}
	}
}

func TestFillClipsLongLines(t *testing.T) {
	l := sampleLive
	l.Product = strings.Repeat("Very Long Product ", 5)[:protocol.MaxProductNameRunes]
	got := fill("{product} {product} {product} {product}", l)
	if n := utf8.RuneCountInString(got); n != protocol.MaxChatRunes {
		t.Errorf("filled line has %d runes, want %d", n, protocol.MaxChatRunes)
	}
	if clip("héllo", 2) != "hé" || clip("hi", 5) != "hi" {
		t.Error("clip cuts wrong")
	}
}

func TestStockNote(t *testing.T) {
	cases := map[int]string{0: "sold out", 2: "only 2 of the Blue", 7: "only a few", 50: "favourite"}
	for stock, want := range cases {
		l := sampleLive
		l.Stock = stock
		if got := stockNote(l); !strings.Contains(got, want) {
			t.Errorf("stock %d: %q, want it to mention %q", stock, got, want)
		}
	}
}

func testState(t *testing.T, pinned *protocol.Pin) show.State {
	t.Helper()
	usd := func(c int64) money.Money { return money.New(c, "USD") }
	w := protocol.Welcome{
		Version: protocol.Version,
		You:     protocol.Identity{ID: "u1", Name: "host", Role: protocol.RoleHost},
		Show:    protocol.ShowInfo{ID: "demo", Title: "Demo", Host: "Maya"},
		Catalog: []protocol.Product{
			{ID: "mug", Name: "Speckled Mug", Price: usd(2400), Variants: []protocol.Variant{
				{ID: "mug-blue", Name: "Blue", Stock: 0}, {ID: "mug-sand", Name: "Sand", Stock: 3}}},
			{ID: "scarf", Name: "Wool Scarf", Price: usd(5900), Variants: []protocol.Variant{
				{ID: "scarf-red", Name: "Red", Stock: 0}}},
			{ID: "candle", Name: "Fig Candle", Price: usd(1800), Variants: []protocol.Variant{
				{ID: "candle-s", Name: "Small", Stock: 9}}},
		},
		Pinned: pinned,
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	st, _ := show.FromWelcome(w, 1)
	return st
}

func TestChoosePin(t *testing.T) {
	st := testState(t, nil)
	p, v, ok := choosePin(&st, []string{"scarf", "mug", "candle"})
	if !ok || p.ID != "mug" || v.ID != "mug-sand" {
		t.Errorf("choosePin = %s/%s %v, want the first variant in stock of the first product in stock", p.ID, v.ID, ok)
	}
	st = testState(t, &protocol.Pin{ProductID: "mug", VariantID: "mug-sand"})
	if p, _, _ := choosePin(&st, []string{"mug", "scarf", "candle"}); p.ID != "candle" {
		t.Errorf("choosePin = %s, want the pinned product skipped", p.ID)
	}
	if _, _, ok := choosePin(&st, []string{"mug", "scarf", "gone"}); ok {
		t.Error("choosePin found something to pin among the pinned, the sold out and the unknown")
	}
}

func TestLiveFrom(t *testing.T) {
	st := testState(t, nil)
	if l, ok := liveFrom(&st); ok || l.Host != "Maya" {
		t.Errorf("liveFrom without a pin = %+v, %v", l, ok)
	}
	st = testState(t, &protocol.Pin{ProductID: "mug", VariantID: "mug-sand"})
	l, ok := liveFrom(&st)
	want := live{Product: "Speckled Mug", Variant: "Sand", Price: "$24.00", Stock: 3, Host: "Maya"}
	if !ok || l != want {
		t.Errorf("liveFrom = %+v, %v; want %+v", l, ok, want)
	}
}

// Every line must fit the chat limit with the longest names the demo
// catalog has, and the host's pin order must reach every product.
func TestTemplatesFitDemoCatalog(t *testing.T) {
	var cat struct {
		Show     protocol.ShowInfo  `json:"show"`
		Products []protocol.Product `json:"products"`
	}
	if err := json.Unmarshal(Catalog(), &cat); err != nil {
		t.Fatalf("demo catalog: %v", err)
	}
	if len(cat.Products) == 0 {
		t.Fatal("demo catalog has no products")
	}
	var ids []string
	for _, p := range cat.Products {
		ids = append(ids, p.ID)
		for _, v := range p.Variants {
			l := live{Product: p.Name, Variant: v.Name, Price: p.Price.String(), Stock: v.Stock, Host: cat.Show.Host}
			for _, list := range [][]string{productLines, bragLines, hostIntroLines, hostHypeLines} {
				for _, tmpl := range list {
					got := fill(prefill(tmpl, "Cape Town", "🔥"), l)
					if leftover.MatchString(got) || utf8.RuneCountInString(got) > protocol.MaxChatRunes {
						t.Fatalf("%q fills badly for %s/%s: %q", tmpl, p.ID, v.ID, got)
					}
				}
			}
		}
	}
	for _, name := range audienceNames(1, 200) {
		if name == cat.Show.Host {
			t.Errorf("a viewer would be called %q like the host, and be renamed", name)
		}
	}
	seen := map[string]bool{}
	for _, a := range hostActions(1, ids, 4*len(ids)) {
		if a.Pin != nil {
			seen[a.Pin[0]] = true
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("pins reach %d of %d products", len(seen), len(ids))
	}
}
