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
)

// Placeholder is the text in a checkout template that Link replaces with the
// cart's items.
const Placeholder = "{items}"

// Limits on what Link accepts.
const (
	// MaxURLLen is the longest URL, in bytes, CheckURL accepts: the
	// practical limit browsers and servers agree on.
	MaxURLLen = 2048
	// MaxVariantIDLen is the longest variant ID, in bytes, Link accepts.
	MaxVariantIDLen = 64
	// MaxQty is the largest quantity of one variant Link accepts.
	MaxQty = 99
)

var (
	// ErrUnsafeURL is wrapped by every refusal from CheckURL.
	ErrUnsafeURL = errors.New("unsafe URL")
	// ErrBadTemplate means the checkout template does not hold exactly one
	// Placeholder.
	ErrBadTemplate = errors.New("bad checkout template")
	// ErrBadItem means an item cannot be put into a checkout link.
	ErrBadItem = errors.New("bad checkout item")
)

// Item is one variant and how many of it to check out.
type Item struct {
	VariantID string
	Qty       int
}

// Link fills template's Placeholder with items in the cart-permalink shape
// "VARIANT:QTY,VARIANT:QTY", as in http://127.0.0.1:7420/cart/{items}.
//
// Variant IDs are percent-encoded down to RFC 3986's unreserved characters,
// so they read the same wherever the template puts them: path, query or
// fragment. IDs containing ',' or ':' are refused rather than escaped: those
// characters are the permalink's own separators, and a shop that decodes the
// path before splitting it would read an escaped one as structure and check
// out something other than the cart.
func Link(template string, items []Item) (string, error) {
	if err := CheckURL(template); err != nil {
		return "", fmt.Errorf("checkout template: %w", err)
	}
	if n := strings.Count(template, Placeholder); n != 1 {
		return "", fmt.Errorf("checkout template holds %s %d times, want once: %w", Placeholder, n, ErrBadTemplate)
	}
	if len(items) == 0 {
		return "", fmt.Errorf("checkout link: no items: %w", ErrBadItem)
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		if err := checkItem(it); err != nil {
			return "", fmt.Errorf("checkout link: %w", err)
		}
		parts = append(parts, escapeID(it.VariantID)+":"+strconv.Itoa(it.Qty))
	}
	link := strings.Replace(template, Placeholder, strings.Join(parts, ","), 1)
	// The template was safe, but the result is what gets opened: check it too
	// (its length, for one, depends on the items).
	if err := CheckURL(link); err != nil {
		return "", fmt.Errorf("checkout link: %w", err)
	}
	return link, nil
}

func checkItem(it Item) error {
	switch {
	case it.VariantID == "":
		return fmt.Errorf("%w: empty variant ID", ErrBadItem)
	case len(it.VariantID) > MaxVariantIDLen:
		return fmt.Errorf("%w: variant ID longer than %d bytes", ErrBadItem, MaxVariantIDLen)
	case strings.ContainsAny(it.VariantID, ",:"):
		return fmt.Errorf("%w: variant ID %q contains ',' or ':'", ErrBadItem, it.VariantID)
	case it.Qty < 1 || it.Qty > MaxQty:
		return fmt.Errorf("%w: quantity %d of %q, want 1 to %d", ErrBadItem, it.Qty, it.VariantID, MaxQty)
	}
	return nil
}

// escapeID percent-encodes every byte of id except the unreserved characters.
// url.PathEscape is not enough: it leaves sub-delimiters such as '&', '=' and
// '+' alone, which are legal in a path but are structure in a query, so with
// a template like "/cart?items={items}" a variant "a&b=c" would reach the
// shop as two parameters and "a+b" as "a b".
func escapeID(id string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(id))
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0f])
	}
	return b.String()
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
