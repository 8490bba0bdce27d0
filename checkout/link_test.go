package checkout

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
)

const tmpl = "http://127.0.0.1:7420/cart/{items}"

func items(pairs ...any) []Item {
	var out []Item
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Item{VariantID: pairs[i].(string), Qty: pairs[i+1].(int)})
	}
	return out
}

func TestLink(t *testing.T) {
	cases := []struct {
		name     string
		template string
		items    []Item
		want     string
	}{
		{"two items", tmpl, items("v1", 2, "v2", 1), "http://127.0.0.1:7420/cart/v1:2,v2:1"},
		{"one item", tmpl, items("44012", 99), "http://127.0.0.1:7420/cart/44012:99"},
		{"https shop", "https://shop.example/cart/{items}", items("v1", 1), "https://shop.example/cart/v1:1"},
		{"placeholder in query", "https://shop.example/cart?items={items}&ref=live", items("v1", 3),
			"https://shop.example/cart?items=v1:3&ref=live"},
		{"every ID character, unescaped", tmpl, items("Az09-._", 1), "http://127.0.0.1:7420/cart/Az09-._:1"},
		{"max length id", tmpl, items(strings.Repeat("x", MaxVariantIDLen), 1),
			"http://127.0.0.1:7420/cart/" + strings.Repeat("x", MaxVariantIDLen) + ":1"},
		// Link does not know what the viewer was shown: the total stays empty.
		{"total placeholder", "http://127.0.0.1:7420/cart/{items}?ref=k1&seen={total}", items("v1", 1),
			"http://127.0.0.1:7420/cart/v1:1?ref=k1&seen="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Link(tc.template, tc.items)
			if err != nil || got != tc.want {
				t.Fatalf("Link = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLinkRefuses(t *testing.T) {
	many := make([]Item, MaxItems+1)
	for i := range many {
		many[i] = Item{VariantID: fmt.Sprintf("v%d", i), Qty: 1}
	}
	long := make([]Item, MaxItems)
	for i := range long {
		long[i] = Item{VariantID: fmt.Sprintf("%s%02d", strings.Repeat("v", MaxVariantIDLen-2), i), Qty: 99}
	}
	cases := []struct {
		name     string
		template string
		items    []Item
		want     error
	}{
		{"no placeholder", "http://127.0.0.1:7420/cart/", items("v1", 1), ErrBadTemplate},
		{"two placeholders", "http://127.0.0.1:7420/{items}/{items}", items("v1", 1), ErrBadTemplate},
		{"two total placeholders", "http://127.0.0.1:7420/{items}?a={total}&b={total}", items("v1", 1), ErrBadTemplate},
		{"javascript template", "javascript:alert(1)//{items}", items("v1", 1), ErrUnsafeURL},
		{"file template", "file:///etc/{items}", items("v1", 1), ErrUnsafeURL},
		{"remote http template", "http://example.com/cart/{items}", items("v1", 1), ErrUnsafeURL},
		{"no items", tmpl, nil, ErrBadItem},
		{"too many items", tmpl, many, ErrBadItem},
		{"empty id", tmpl, items("", 1), ErrBadItem},
		{"long id", tmpl, items(strings.Repeat("x", MaxVariantIDLen+1), 1), ErrBadItem},
		{"comma in id", tmpl, items("a,b", 1), ErrBadItem},
		{"colon in id", tmpl, items("a:b", 1), ErrBadItem},
		{"smuggled extra item", tmpl, items("v1:1,v2", 50), ErrBadItem},
		// IDs the server would refuse are refused here, not escaped.
		{"slash in id", tmpl, items("a/b", 1), ErrBadItem},
		{"query structure in id", tmpl, items("a&ref=x", 1), ErrBadItem},
		{"unicode id", tmpl, items("ö", 1), ErrBadItem},
		{"percent in id", tmpl, items("100%", 1), ErrBadItem},
		{"same variant twice", tmpl, items("v1", 1, "v1", 2), ErrBadItem},
		{"zero qty", tmpl, items("v1", 0), ErrBadItem},
		{"negative qty", tmpl, items("v1", -1), ErrBadItem},
		{"qty over max", tmpl, items("v1", MaxQty+1), ErrBadItem},
		{"bad item after good", tmpl, items("v1", 1, "v2", 0), ErrBadItem},
		{"result too long", "https://shop.example/" + strings.Repeat("p", 800) + "/{items}", long, ErrUnsafeURL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Link(tc.template, tc.items)
			if !errors.Is(err, tc.want) || got != "" {
				t.Fatalf("Link = %q, %v; want error %v", got, err, tc.want)
			}
		})
	}
}

func TestForQuote(t *testing.T) {
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	beanie := protocol.Product{
		ID: "beanie", Name: "Beanie", Price: money.New(2800, "USD"),
		Deal:     &protocol.Deal{Price: money.New(2300, "USD"), AmountOff: 500, EndsAt: now.Add(time.Minute), PerBuyer: 1},
		Variants: []protocol.Variant{{ID: "beanie-grey", Name: "Grey", Stock: 9}},
	}
	mug := protocol.Product{ID: "mug", Name: "Speckled Mug", Price: money.New(2400, "USD"),
		Variants: []protocol.Variant{{ID: "mug-blue", Name: "Blue", Stock: 0}, {ID: "mug-sand", Name: "Sand", Stock: 2}}}
	lookup := func(id string) (protocol.Product, bool) {
		for _, p := range []protocol.Product{beanie, mug} {
			if _, ok := p.Variant(id); ok {
				return p, true
			}
		}
		return protocol.Product{}, false
	}
	q, err := pricing.Price(items("beanie-grey", 3, "mug-blue", 1, "mug-sand", 5, "gone", 1), lookup, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	const template = "http://127.0.0.1:7420/cart/{items}?ref=k1&seen={total}"
	h, err := ForQuote(template, q)
	if err != nil {
		t.Fatal(err)
	}
	// One Beanie at the deal price and two over the limit; the sold-out mug
	// and the unknown variant stay out, the short one goes in at what is left.
	const total = 2300 + 2*2800 + 2*2400
	if want := "http://127.0.0.1:7420/cart/beanie-grey:3,mug-sand:2?ref=k1&seen=" + strconv.Itoa(total); h.URL != want {
		t.Errorf("URL %q, want %q", h.URL, want)
	}
	if !slices.Equal(h.Items, items("beanie-grey", 3, "mug-sand", 2)) || h.Total != money.New(total, "USD") {
		t.Errorf("items %v, total %v", h.Items, h.Total)
	}
	var out []string
	for _, l := range h.LeftOut {
		out = append(out, fmt.Sprintf("%s:%s:%d/%d", l.VariantID, l.State, l.Qty, l.Want))
	}
	if want := []string{"mug-blue:sold_out:0/1", "mug-sand:short:2/5", "gone:unavailable:0/1"}; !slices.Equal(out, want) {
		t.Errorf("left out %v, want %v", out, want)
	}

	// A template without the total placeholder gets none.
	if h, err := ForQuote(tmpl, q); err != nil || h.URL != "http://127.0.0.1:7420/cart/beanie-grey:3,mug-sand:2" {
		t.Errorf("ForQuote without {total}: %q, %v", h.URL, err)
	}
	// Nothing to buy: no link, but what was left out.
	none, _ := pricing.Price(items("mug-blue", 1), lookup, nil, now)
	if h, err := ForQuote(template, none); !errors.Is(err, ErrNothingToBuy) || h.URL != "" || len(h.LeftOut) != 1 {
		t.Errorf("nothing to buy: %+v, %v", h, err)
	}
	if _, err := ForQuote("javascript:{items}", q); !errors.Is(err, ErrUnsafeURL) {
		t.Errorf("unsafe template: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	cases := []struct {
		raw string
		ok  bool
	}{
		{"https://shop.example/cart/{items}", true},
		{"HTTPS://shop.example/cart", true},
		{"https://shop.example:8443/cart?x=1#top", true},
		{"http://localhost:1/cart/v1:1", true},
		{"http://LOCALHOST/cart", true},
		{"http://127.0.0.1:7420/cart/v1:1", true},
		{"http://127.8.9.10/cart", true},
		{"http://[::1]:9/cart/v1:1", true},
		{"http://[::ffff:127.0.0.1]/cart", true},

		{"", false},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{"file:///etc/passwd", false},
		{"data:text/html,hi", false},
		{"ftp://shop.example/", false},
		{"//shop.example/cart", false},
		{"/cart/v1:1", false},
		{"http://example.com/cart", false},
		{"http://localhost.evil.example/cart", false},
		{"http://127.0.0.1.nip.io/cart", false},
		{"http://10.0.0.1/cart", false},
		{"http://[::2]/cart", false},
		{"https:shop.example/cart", false},
		{"https:///cart", false},
		{"https://:443/cart", false},
		{"https://user:pass@shop.example/", false},
		{"https://shop.example@evil.example/", false},
		{"http://user@localhost/", false},
		{"https://shop.example/cart\n", false},
		{"https://shop.example/\x1b[2Jcart", false},
		{"https://shop.example/\x00", false},
		{"https://shop.example/\x7f", false},
		{"https://shop.example/a b", false},
		{"https://shop.example/a\tb", false},
		{"https://shop.example/\u0085", false},
		{"https://shop.example/\u00a0", false},
		{"https://shop.example/\u202egnp.exe", false},
		{"https://shop.example/\u200b", false},
		{"https://shop.example/\xff", false},
		{"https://shop.example/" + strings.Repeat("a", MaxURLLen), false},
	}
	for _, tc := range cases {
		err := CheckURL(tc.raw)
		if tc.ok && err != nil {
			t.Errorf("CheckURL(%q) = %v, want ok", tc.raw, err)
		}
		if !tc.ok && !errors.Is(err, ErrUnsafeURL) {
			t.Errorf("CheckURL(%q) = %v, want ErrUnsafeURL", tc.raw, err)
		}
	}
	// The length limit is inclusive.
	edge := "https://shop.example/"
	edge += strings.Repeat("a", MaxURLLen-len(edge))
	if err := CheckURL(edge); err != nil {
		t.Errorf("URL of exactly %d bytes refused: %v", MaxURLLen, err)
	}
}

// A deal backed by a store discount code puts the code in the link while
// the cart holds units at its price, in the query and ahead of a fragment.
func TestForQuoteDiscountCode(t *testing.T) {
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	beanie := protocol.Product{
		ID: "beanie", Name: "Beanie", Price: money.New(2800, "USD"),
		Deal:     &protocol.Deal{Price: money.New(2240, "USD"), Percent: 20, EndsAt: now.Add(time.Minute), PerBuyer: 1, Code: "SUMMER10"},
		Variants: []protocol.Variant{{ID: "beanie-grey", Name: "Grey", Stock: 9}},
	}
	mug := protocol.Product{ID: "mug", Name: "Speckled Mug", Price: money.New(2400, "USD"),
		Variants: []protocol.Variant{{ID: "mug-sand", Name: "Sand", Stock: 2}}}
	lookup := func(id string) (protocol.Product, bool) {
		for _, p := range []protocol.Product{beanie, mug} {
			if _, ok := p.Variant(id); ok {
				return p, true
			}
		}
		return protocol.Product{}, false
	}
	price := func(taken pricing.Taken, at time.Time, pairs ...any) pricing.Quote {
		t.Helper()
		q, err := pricing.Price(items(pairs...), lookup, taken, at)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	withDeal := price(nil, now, "mug-sand", 1, "beanie-grey", 2)
	for _, tc := range []struct{ template, want string }{
		{"https://shop.example/cart/{items}?ref=livecart-s1",
			"https://shop.example/cart/mug-sand:1,beanie-grey:2?ref=livecart-s1&discount=SUMMER10"},
		{"https://shop.example/cart/{items}",
			"https://shop.example/cart/mug-sand:1,beanie-grey:2?discount=SUMMER10"},
		{"http://127.0.0.1:7420/cart/{items}?ref=k1&seen={total}#top",
			"http://127.0.0.1:7420/cart/mug-sand:1,beanie-grey:2?ref=k1&seen=" + strconv.Itoa(2400+2240+2800) + "&discount=SUMMER10#top"},
	} {
		if h, err := ForQuote(tc.template, withDeal); err != nil || h.URL != tc.want {
			t.Errorf("ForQuote(%q) = %q, %v; want %q", tc.template, h.URL, err, tc.want)
		}
	}

	const store = "https://shop.example/cart/{items}?ref=livecart-s1"
	// No unit at the deal's price, so no code: the deal has ended, the
	// buyer has taken their limit, or the cart holds none of it.
	for name, q := range map[string]pricing.Quote{
		"deal over":   price(nil, now.Add(time.Hour), "beanie-grey", 1),
		"limit taken": price(func(protocol.Product) int { return 1 }, now, "beanie-grey", 1),
		"not in cart": price(nil, now, "mug-sand", 1),
	} {
		if h, err := ForQuote(store, q); err != nil || strings.Contains(h.URL, "discount") {
			t.Errorf("%s: %q, %v", name, h.URL, err)
		}
	}
	// A deal without a code adds nothing.
	beanie.Deal.Code = ""
	if h, err := ForQuote(store, price(nil, now, "beanie-grey", 1)); err != nil || strings.Contains(h.URL, "discount") {
		t.Errorf("deal without a code: %q, %v", h.URL, err)
	}
	// A code that did not pass the protocol's check never reaches a link.
	beanie.Deal.Code = "A&B=C"
	if _, err := ForQuote(store, price(nil, now, "beanie-grey", 1)); !errors.Is(err, ErrBadItem) {
		t.Errorf("bad code: %v", err)
	}
}
