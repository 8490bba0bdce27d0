package checkout

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzLink builds links from arbitrary templates and items (n%3 of the two
// given). A link Link returns must pass CheckURL, keep the template's scheme,
// host and text around the placeholder, and carry exactly the items, in
// order, in a form that reads back the same whether the template puts them
// in the path, the query or the fragment.
func FuzzLink(f *testing.F) {
	f.Add(tmpl, "v1", 2, "v2", 1, uint8(2))
	f.Add("https://shop.example/cart?items={items}&ref=live", "44012", 99, "a/b", 1, uint8(2))
	f.Add("http://[::1]:9/c/{items}#top", "ö", 3, "", 0, uint8(1))
	f.Add("https://shop.example/c?i={items}", "a&b=c", 1, "x+y;z", 2, uint8(2))
	f.Add("https://shop.example/{items}", "100%", 1, "a?b#c", 5, uint8(2))
	f.Add("http://localhost/{items}/{items}", "v1", 1, "v2", 1, uint8(1))
	f.Add("javascript:alert(1)//{items}", "v1", 1, "v2", 1, uint8(1))
	f.Add(tmpl, "v1:1,v2", 50, "", 0, uint8(1))
	f.Add(tmpl, "v1", 0, "v2", 100, uint8(2))
	f.Fuzz(func(t *testing.T, template, id1 string, qty1 int, id2 string, qty2 int, n uint8) {
		items := []Item{{id1, qty1}, {id2, qty2}}[:n%3]
		link, err := Link(template, items)
		if err != nil {
			if link != "" {
				t.Fatalf("Link returned %q with error %v", link, err)
			}
			return
		}
		if err := CheckURL(link); err != nil {
			t.Fatalf("Link(%q, %v) = %q, which CheckURL refuses: %v", template, items, link, err)
		}

		prefix, suffix, _ := strings.Cut(template, Placeholder)
		if len(link) < len(prefix)+len(suffix) || !strings.HasPrefix(link, prefix) || !strings.HasSuffix(link, suffix) {
			t.Fatalf("Link(%q, %v) = %q: the template around %s changed", template, items, link, Placeholder)
		}
		middle := link[len(prefix) : len(link)-len(suffix)]
		for i := 0; i < len(middle); i++ {
			if c := middle[i]; !strings.ContainsRune(itemChars, rune(c)) {
				t.Fatalf("Link(%q, %v) = %q: the items hold %q, which is structure in a path or query", template, items, link, c)
			}
		}
		parts := strings.Split(middle, ",")
		if len(parts) != len(items) {
			t.Fatalf("Link(%q, %v) = %q: %d items in the link, want %d", template, items, link, len(parts), len(items))
		}
		for i, p := range parts {
			fields := strings.Split(p, ":")
			if len(fields) != 2 {
				t.Fatalf("Link(%q, %v) = %q: item %q is not ID:QTY", template, items, link, p)
			}
			id, err := url.PathUnescape(fields[0])
			if err != nil || id != items[i].VariantID || fields[1] != strconv.Itoa(items[i].Qty) {
				t.Fatalf("Link(%q, %v) = %q: item %d reads back as %q:%s (%v), want %q:%d",
					template, items, link, i, id, fields[1], err, items[i].VariantID, items[i].Qty)
			}
		}

		tu, err := url.Parse(template)
		if err != nil {
			t.Fatalf("Link accepted template %q, which does not parse: %v", template, err)
		}
		lu, err := url.Parse(link)
		if err != nil || lu.Scheme != tu.Scheme || lu.Host != tu.Host {
			t.Fatalf("Link(%q, %v) = %q (%v): scheme and host %s://%s, want %s://%s",
				template, items, link, err, lu.Scheme, lu.Host, tu.Scheme, tu.Host)
		}
	})
}

// itemChars are the bytes the items in a link may be written with: RFC
// 3986's unreserved characters, which mean the same unescaped in every part
// of a URL, '%' for escapes, and the permalink's separators.
const itemChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%,:"
