// Package checkout hands a cart over to the shop: it builds the cart
// permalink the shop's checkout understands and opens it in the viewer's
// browser.
//
// Both the link template and the finished link come from or through the
// network, so every URL is checked before it is built on or opened: only web
// URLs, https unless the shop runs on this machine, nothing that could make a
// browser or a terminal do something other than show a page.
package checkout

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
)

// Placeholder is the text in a checkout template that Link replaces with the
// cart's items.
const Placeholder = protocol.CheckoutPlaceholder

// TotalPlaceholder is the text in a checkout template that ForQuote
// replaces with the total the viewer was shown, in minor units. A template
// need not hold it.
const TotalPlaceholder = protocol.CheckoutTotalPlaceholder

// Limits on what Link accepts: the protocol's, which the server that
// parses the link enforces too.
const (
	// MaxURLLen is the longest URL, in bytes, CheckURL accepts: the
	// practical limit browsers and servers agree on.
	MaxURLLen = protocol.MaxCheckoutURLBytes
	// MaxVariantIDLen is the longest variant ID, in bytes, Link accepts.
	MaxVariantIDLen = protocol.MaxIDBytes
	// MaxQty is the largest quantity of one variant Link accepts.
	MaxQty = protocol.MaxQty
	// MaxItems is the most items (distinct variants) one link orders.
	MaxItems = protocol.MaxBuyItems
)

var (
	// ErrUnsafeURL is wrapped by every refusal from CheckURL.
	ErrUnsafeURL = errors.New("unsafe URL")
	// ErrBadTemplate means the checkout template does not hold exactly one
	// Placeholder, or holds TotalPlaceholder more than once.
	ErrBadTemplate = errors.New("bad checkout template")
	// ErrBadItem means an item cannot be put into a checkout link.
	ErrBadItem = errors.New("bad checkout item")
	// ErrNothingToBuy means no line of a cart can be bought now.
	ErrNothingToBuy = errors.New("nothing in the cart can be bought now")
)

// Item is one variant and how many of it to check out.
type Item = protocol.Item

// Link fills template's Placeholder with items in the cart-permalink shape
// "VARIANT:QTY,VARIANT:QTY" (protocol.FormatItems), as in
// http://127.0.0.1:7420/cart/{items}, and its TotalPlaceholder, if any, with
// nothing: the link does not say what the viewer was shown. A priced cart
// goes through ForQuote instead.
//
// Items are held to the protocol's rules: IDs of protocol.ValidID's
// characters, which read the same unescaped wherever the template puts
// them (path, query or fragment), each variant once, 1 to MaxQty of each,
// at most MaxItems.
func Link(template string, items []Item) (string, error) {
	return build(template, items, "")
}

// Handoff is a priced cart made ready for the shop.
type Handoff struct {
	URL   string      // the link to open
	Items []Item      // what it orders: what can be bought now
	Total money.Money // what the viewer was shown for Items; the link carries it when the template asks
	// LeftOut are the cart's lines of which the link orders fewer units
	// than the cart holds, or none: short, sold out or unavailable. The
	// viewer should be told.
	LeftOut []pricing.Line
}

// DiscountParam is the query parameter that carries a deal's store
// discount code in a checkout link, as a Shopify cart permalink takes it.
const DiscountParam = "discount"

// ForQuote builds the checkout link of a priced cart (see cart.Check): it
// orders what can be bought now, each line's Qty, fills TotalPlaceholder
// with the quote's total, and reports what it left out. When units are at
// the price of a deal backed by a store discount code
// (pricing.Quote.DiscountCode), the link carries the code as
// DiscountParam, so the store gives the price the viewer was shown. With
// nothing that can be bought it returns ErrNothingToBuy, with LeftOut
// filled in.
func ForQuote(template string, q pricing.Quote) (Handoff, error) {
	h := Handoff{Items: q.Items(), Total: q.Total, LeftOut: q.LeftOut()}
	if len(h.Items) == 0 {
		return h, ErrNothingToBuy
	}
	if code := q.DiscountCode(); code != "" {
		if !protocol.ValidDiscountCode(code) {
			return Handoff{LeftOut: h.LeftOut}, fmt.Errorf("checkout link: %w: discount code %q", ErrBadItem, code)
		}
		template = withQuery(template, DiscountParam+"="+code)
	}
	link, err := build(template, h.Items, strconv.FormatInt(q.Total.Amount, 10))
	if err != nil {
		return Handoff{LeftOut: h.LeftOut}, err
	}
	h.URL = link
	return h, nil
}

// withQuery adds param (already escaped) to the query of template, ahead
// of any fragment.
func withQuery(template, param string) string {
	rest, frag, hasFrag := strings.Cut(template, "#")
	sep := "?"
	if strings.Contains(rest, "?") {
		sep = "&"
		if strings.HasSuffix(rest, "?") || strings.HasSuffix(rest, "&") {
			sep = ""
		}
	}
	rest += sep + param
	if hasFrag {
		rest += "#" + frag
	}
	return rest
}

// build fills template with items and seen.
func build(template string, items []Item, seen string) (string, error) {
	if err := CheckURL(template); err != nil {
		return "", fmt.Errorf("checkout template: %w", err)
	}
	if n := strings.Count(template, Placeholder); n != 1 {
		return "", fmt.Errorf("checkout template holds %s %d times, want once: %w", Placeholder, n, ErrBadTemplate)
	}
	if n := strings.Count(template, TotalPlaceholder); n > 1 {
		return "", fmt.Errorf("checkout template holds %s %d times, want at most once: %w", TotalPlaceholder, n, ErrBadTemplate)
	}
	text, err := protocol.FormatItems(items)
	if err != nil {
		return "", fmt.Errorf("checkout link: %w: %w", ErrBadItem, err)
	}
	link := strings.Replace(template, Placeholder, text, 1)
	link = strings.Replace(link, TotalPlaceholder, seen, 1)
	// The template was safe, but the result is what gets opened: check it too
	// (its length, for one, depends on the items).
	if err := CheckURL(link); err != nil {
		return "", fmt.Errorf("checkout link: %w", err)
	}
	return link, nil
}

// CheckURL reports whether raw is safe to show and to hand to a browser: an
// https URL with a host, or http to this machine (localhost, 127.0.0.0/8,
// ::1), without user:password@, no longer than MaxURLLen, and free of control
// characters, spaces and invisible formatting characters.
func CheckURL(raw string) error {
	if len(raw) > MaxURLLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrUnsafeURL, MaxURLLen)
	}
	if !utf8.ValidString(raw) {
		return fmt.Errorf("%w: not valid UTF-8", ErrUnsafeURL)
	}
	for _, r := range raw {
		// Format characters (bidi overrides, zero-width spaces) are refused
		// with the controls: they make the URL shown as a fallback read
		// differently from the one that opens.
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%w: contains %U", ErrUnsafeURL, r)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnsafeURL, err)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return fmt.Errorf("%w: http to %q, which is not this machine; want https", ErrUnsafeURL, u.Hostname())
		}
	default:
		return fmt.Errorf("%w: scheme %q, want https", ErrUnsafeURL, u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return fmt.Errorf("%w: no host", ErrUnsafeURL)
	}
	// A user:password@ prefix is the classic way to make a link read as one
	// site while it opens another.
	if u.User != nil {
		return fmt.Errorf("%w: contains user info", ErrUnsafeURL)
	}
	return nil
}

// isLoopback reports whether host names this machine. Only the literal name
// localhost counts: anything resolved through DNS could point elsewhere.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
