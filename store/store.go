// Package store reads a real store's public catalog into a show's catalog:
// a Shopify store's /products.json or a WooCommerce store's Store API, with
// no credentials. Prices become minor units by the currency's exponent,
// store IDs become protocol IDs, HTML descriptions become plain text, and
// what does not fit the protocol's limits is cut with a warning that says
// what was left out.
//
// What a source says about stock: Shopify's feed says only whether a
// variant is available, so an available variant gets the show stock the
// host chose (Options.ShowStock) and an unavailable one is sold out.
// WooCommerce says whether a product is in stock and, when the store shows
// it, how few are left (low_stock_remaining), which then seeds the stock.
// Orders placed on the store are never seen here.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// Kind names a store platform.
type Kind string

// Kinds of store.
const (
	Shopify Kind = "shopify"
	Woo     Kind = "woo"
)

// Limits on what a store may send.
const (
	// MaxResponseBytes is the largest response body read from a store; a
	// page of 250 Shopify products with long descriptions is well under it.
	MaxResponseBytes = 16 << 20
	// MaxStoreProducts is the most products a store may list: Shopify's
	// own ceiling on paging (100 pages of 250).
	MaxStoreProducts = 25_000
	// DefaultShowStock is the stock an available variant gets when the
	// source says nothing of how many there are.
	DefaultShowStock = 99
	// DefaultTimeout bounds one request to the store.
	DefaultTimeout = 20 * time.Second
)

// Source is a store to read: its kind and its base URL.
type Source struct {
	Kind Kind
	Base string // scheme://host[/path], no trailing slash
}

// ParseSource reads a --catalog value of the form shopify:URL or woo:URL.
// It returns false for anything else (a file path).
func ParseSource(spec string) (Source, bool, error) {
	kind, raw, ok := strings.Cut(spec, ":")
	if !ok || (Kind(kind) != Shopify && Kind(kind) != Woo) {
		return Source{}, false, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Source{}, true, fmt.Errorf("%s store %q: want %s:https://STORE", kind, raw, kind)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return Source{}, true, fmt.Errorf("%s store %q: want scheme://host[/path] only", kind, raw)
	}
	return Source{Kind: Kind(kind), Base: strings.TrimRight(raw, "/")}, true, nil
}

// String is the source as --catalog writes it.
func (s Source) String() string { return string(s.Kind) + ":" + s.Base }

// Options says how to read a store.
type Options struct {
	// Currency is the store's currency, for a source whose feed does not
	// say (Shopify); empty asks the store (/cart.js).
	Currency string
	// ShowStock is the stock an available variant gets when the source
	// gives no count; 0 means DefaultShowStock.
	ShowStock int
	// ShowID names the show; empty derives one from the store's host.
	ShowID string
	Client *http.Client // nil: a client with DefaultTimeout
}

// Result is a store's catalog, ready for the show.
type Result struct {
	Catalog server.Catalog
	// Currency is the catalog's currency and CurrencyFrom where it came
	// from: "--currency", "/cart.js" or the store's prices.
	Currency     string
	CurrencyFrom string
	// Checkout is the checkout link template on the store itself.
	Checkout string
	// Warnings say what was cut or left out, one line each.
	Warnings []string
}

// Errors a store read wraps, for callers that tell them apart.
var (
	ErrNotPublic = errors.New("the store's catalog is not public (403/404: a headless or private store?)")
	ErrNotJSON   = errors.New("the store answered with a web page, not JSON")
	ErrEmpty     = errors.New("the store lists no products")
	ErrTooMany   = errors.New("the store lists more products than can be read")
	ErrTooLarge  = errors.New("the store's answer is too large")
)

// RateLimitedError is a 429 from the store; After is its Retry-After.
type RateLimitedError struct{ After time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("the store is rate limiting (retry after %s)", e.After)
}

// Fetch reads the store's whole catalog.
func Fetch(ctx context.Context, src Source, o Options) (Result, error) {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultTimeout}
	}
	if o.ShowStock <= 0 {
		o.ShowStock = DefaultShowStock
	}
	o.ShowStock = min(o.ShowStock, protocol.MaxStock)
	if o.ShowID == "" {
		o.ShowID = showID(src.Base)
	}
	var (
		r   Result
		err error
	)
	switch src.Kind {
	case Shopify:
		r, err = fetchShopify(ctx, src, o)
	case Woo:
		r, err = fetchWoo(ctx, src, o)
	default:
		err = fmt.Errorf("unknown store kind %q", src.Kind)
	}
	if err != nil {
		return Result{}, fmt.Errorf("read %s: %w", src, err)
	}
	if err := r.Catalog.Validate(); err != nil {
		return Result{}, fmt.Errorf("read %s: %w", src, err)
	}
	return r, nil
}

// showID is a show ID made from the store's host.
func showID(base string) string {
	u, err := url.Parse(base)
	host := "store"
	if err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	id := "store-" + host
	if len(id) > protocol.MaxIDBytes {
		id = id[:protocol.MaxIDBytes]
	}
	if !protocol.ValidID(id) {
		return "store"
	}
	return id
}

// get fetches url and returns its body, refusing what is not JSON, a
// body over MaxResponseBytes and a status other than 200.
func get(ctx context.Context, c *http.Client, u string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return nil, nil, fmt.Errorf("GET %s: the store did not answer in time", u)
		}
		return nil, nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, nil, fmt.Errorf("GET %s: %w", u, &RateLimitedError{After: retryAfter(resp.Header.Get("Retry-After"))})
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnauthorized:
		return nil, nil, fmt.Errorf("GET %s: %s: %w", u, resp.Status, ErrNotPublic)
	case resp.StatusCode != http.StatusOK:
		return nil, nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" {
		return nil, nil, fmt.Errorf("GET %s: %w", u, ErrNotJSON)
	}
	if resp.ContentLength > MaxResponseBytes {
		return nil, nil, fmt.Errorf("GET %s: %w (%d bytes, at most %d)", u, ErrTooLarge, resp.ContentLength, MaxResponseBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > MaxResponseBytes {
		return nil, nil, fmt.Errorf("GET %s: %w (more than %d bytes)", u, ErrTooLarge, MaxResponseBytes)
	}
	if t := strings.TrimSpace(string(body[:min(len(body), 64)])); strings.HasPrefix(t, "<") {
		return nil, nil, fmt.Errorf("GET %s: %w", u, ErrNotJSON)
	}
	return body, resp.Header, nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date. It is
// a minute when absent or unreadable, and at most an hour.
func retryAfter(v string) time.Duration {
	d := time.Minute
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return min(max(d, time.Second), time.Hour)
}
