package checkout

import (
	"errors"
	"strings"
	"testing"
)

const tmpl = "http://127.0.0.1:7420/cart/{items}"

func TestLink(t *testing.T) {
	cases := []struct {
		name     string
		template string
		items    []Item
		want     string
	}{
		{"two items", tmpl, []Item{{"v1", 2}, {"v2", 1}}, "http://127.0.0.1:7420/cart/v1:2,v2:1"},
		{"one item", tmpl, []Item{{"44012", 99}}, "http://127.0.0.1:7420/cart/44012:99"},
		{"https shop", "https://shop.example/cart/{items}", []Item{{"v1", 1}}, "https://shop.example/cart/v1:1"},
		{"placeholder in query", "https://shop.example/cart?items={items}&ref=live", []Item{{"v1", 3}},
			"https://shop.example/cart?items=v1:3&ref=live"},
		{"slash escaped", tmpl, []Item{{"a/b", 1}}, "http://127.0.0.1:7420/cart/a%2Fb:1"},
		{"query and fragment escaped", tmpl, []Item{{"a?b#c", 1}}, "http://127.0.0.1:7420/cart/a%3Fb%23c:1"},
		{"percent escaped", tmpl, []Item{{"100%", 1}}, "http://127.0.0.1:7420/cart/100%25:1"},
		{"unicode escaped", tmpl, []Item{{"ö", 1}}, "http://127.0.0.1:7420/cart/%C3%B6:1"},
		{"unreserved kept", tmpl, []Item{{"Az09-._~", 1}}, "http://127.0.0.1:7420/cart/Az09-._~:1"},
		{"query structure escaped", "https://shop.example/cart?items={items}&ref=live", []Item{{"a&ref=x", 1}, {"b+c", 2}},
			"https://shop.example/cart?items=a%26ref%3Dx:1,b%2Bc:2&ref=live"},
		{"sub-delimiters escaped", tmpl, []Item{{"$!'()*;@", 1}}, "http://127.0.0.1:7420/cart/%24%21%27%28%29%2A%3B%40:1"},
		{"max length id", tmpl, []Item{{strings.Repeat("x", MaxVariantIDLen), 1}},
			"http://127.0.0.1:7420/cart/" + strings.Repeat("x", MaxVariantIDLen) + ":1"},
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
	many := make([]Item, 200)
	for i := range many {
		many[i] = Item{strings.Repeat("v", 20), 1}
	}
	cases := []struct {
		name     string
		template string
		items    []Item
		want     error
	}{
		{"no placeholder", "http://127.0.0.1:7420/cart/", []Item{{"v1", 1}}, ErrBadTemplate},
		{"two placeholders", "http://127.0.0.1:7420/{items}/{items}", []Item{{"v1", 1}}, ErrBadTemplate},
		{"javascript template", "javascript:alert(1)//{items}", []Item{{"v1", 1}}, ErrUnsafeURL},
		{"file template", "file:///etc/{items}", []Item{{"v1", 1}}, ErrUnsafeURL},
		{"remote http template", "http://example.com/cart/{items}", []Item{{"v1", 1}}, ErrUnsafeURL},
		{"no items", tmpl, nil, ErrBadItem},
		{"empty id", tmpl, []Item{{"", 1}}, ErrBadItem},
		{"long id", tmpl, []Item{{strings.Repeat("x", MaxVariantIDLen+1), 1}}, ErrBadItem},
		{"comma in id", tmpl, []Item{{"a,b", 1}}, ErrBadItem},
		{"colon in id", tmpl, []Item{{"a:b", 1}}, ErrBadItem},
		{"smuggled extra item", tmpl, []Item{{"v1:1,v2", 50}}, ErrBadItem},
		{"zero qty", tmpl, []Item{{"v1", 0}}, ErrBadItem},
		{"negative qty", tmpl, []Item{{"v1", -1}}, ErrBadItem},
		{"qty over max", tmpl, []Item{{"v1", MaxQty + 1}}, ErrBadItem},
		{"bad item after good", tmpl, []Item{{"v1", 1}, {"v2", 0}}, ErrBadItem},
		{"result too long", tmpl, many, ErrUnsafeURL},
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
