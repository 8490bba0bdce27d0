package checkout

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/livecart/livecart/protocol"
)

// FuzzLink builds links from arbitrary templates and items (n%3 of the two
// given), with a total to carry, and reads them back as the show server
// does. A link the builder returns must pass CheckURL, be the template
// with its placeholders filled and nothing else changed, and hold exactly
// the items, in order: protocol.ParseItems reads them back, and a link in
// the show server's own shape, served through the same route pattern,
// gives the server the same items and total.
func FuzzLink(f *testing.F) {
	f.Add(tmpl, "v1", 2, "v2", 1, uint8(2))
	f.Add("http://127.0.0.1:7420/cart/{items}?ref=k-1&seen={total}", "mug-blue", 3, "tote", 1, uint8(2))
	f.Add("https://shop.example/cart?items={items}&ref=live", "44012", 99, "a/b", 1, uint8(2))
	f.Add("http://[::1]:9/c/{items}#top", "ö", 3, "", 0, uint8(1))
	f.Add("https://shop.example/c?i={items}", "a&b=c", 1, "x+y;z", 2, uint8(2))
	f.Add("https://shop.example/{items}", "100%", 1, "a?b#c", 5, uint8(2))
	f.Add("http://localhost/{items}/{items}", "v1", 1, "v2", 1, uint8(1))
	f.Add("http://localhost/{items}?a={total}&b={total}", "v1", 1, "v2", 1, uint8(1))
	f.Add("javascript:alert(1)//{items}", "v1", 1, "v2", 1, uint8(1))
	f.Add(tmpl, "v1:1,v2", 50, "", 0, uint8(1))
	f.Add(tmpl, "v1", 0, "v2", 100, uint8(2))
	f.Add(tmpl, "v1", 1, "v1", 1, uint8(2))
	f.Fuzz(func(t *testing.T, template, id1 string, qty1 int, id2 string, qty2 int, n uint8) {
		items := []Item{{VariantID: id1, Qty: qty1}, {VariantID: id2, Qty: qty2}}[:n%3]
		seen := strconv.Itoa(max(qty1, 0))
		link, err := build(template, items, seen)
		if err != nil {
			if link != "" {
				t.Fatalf("build returned %q with error %v", link, err)
			}
			return
		}
		if err := CheckURL(link); err != nil {
			t.Fatalf("build(%q, %v) = %q, which CheckURL refuses: %v", template, items, link, err)
		}
		text, err := protocol.FormatItems(items)
		if err != nil {
			t.Fatalf("build accepted %v, which FormatItems refuses: %v", items, err)
		}
		want := strings.Replace(strings.Replace(template, Placeholder, text, 1), TotalPlaceholder, seen, 1)
		if link != want {
			t.Fatalf("build(%q, %v) = %q, want %q", template, items, link, want)
		}
		for i := 0; i < len(text); i++ {
			if c := text[i]; !strings.ContainsRune(itemChars, rune(c)) {
				t.Fatalf("build(%q, %v) = %q: the items hold %q, which is structure in a path or query", template, items, link, c)
			}
		}
		if back, err := protocol.ParseItems(text); err != nil || !slices.Equal(back, items) {
			t.Fatalf("items %v written as %q read back as %v, %v", items, text, back, err)
		}

		tu, err := url.Parse(template)
		if err != nil {
			t.Fatalf("build accepted template %q, which does not parse: %v", template, err)
		}
		lu, err := url.Parse(link)
		if err != nil || lu.Scheme != tu.Scheme || lu.Host != tu.Host {
			t.Fatalf("build(%q, %v) = %q (%v): scheme and host %s://%s, want %s://%s",
				template, items, link, err, lu.Scheme, lu.Host, tu.Scheme, tu.Host)
		}
		if tu.Path != "/cart/"+Placeholder {
			return
		}
		// The show server's shape: its route gives it the items and the total.
		got, total, ok := serverReads(t, link)
		if !ok || !slices.Equal(got, items) {
			t.Fatalf("the server reads %q as %v (%v), want %v", link, got, ok, items)
		}
		if want, _ := protocol.ParseSeen(seen); tu.Query().Get(protocol.CheckoutSeenParam) == TotalPlaceholder && total != want {
			t.Fatalf("the server reads %q with total %d, want %d", link, total, want)
		}
	})
}

// serverReads routes link through the show server's pattern for the
// checkout page and reads its items and seen total as the page does.
func serverReads(t *testing.T, link string) (items []protocol.Item, seen int64, ok bool) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cart/{items...}", func(_ http.ResponseWriter, r *http.Request) {
		var err error
		items, err = protocol.ParseItems(r.PathValue("items"))
		seen, _ = protocol.ParseSeen(r.URL.Query().Get(protocol.CheckoutSeenParam))
		ok = err == nil
	})
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		t.Fatalf("request for %q: %v", link, err)
	}
	mux.ServeHTTP(httptest.NewRecorder(), req)
	return items, seen, ok
}

// itemChars are the bytes the items in a link may be written with: the
// characters of protocol.ValidID, all of them RFC 3986 unreserved, which
// mean the same unescaped in every part of a URL, and the permalink's
// separators.
const itemChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._,:"
