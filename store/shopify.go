package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// shopifyPageSize is the most products one /products.json page holds.
const shopifyPageSize = 250

// shopifyProduct is a product as /products.json writes it.
type shopifyProduct struct {
	ID       int64            `json:"id"`
	Title    string           `json:"title"`
	Handle   string           `json:"handle"`
	BodyHTML string           `json:"body_html"`
	Variants []shopifyVariant `json:"variants"`
}

type shopifyVariant struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Available bool   `json:"available"`
	// Price is a decimal string, "7.99"; read through json.Number in
	// case a store writes it bare.
	Price json.Number `json:"price"`
}

// fetchShopify reads /products.json page by page until a short or empty
// page, and the currency from --currency or /cart.js.
func fetchShopify(ctx context.Context, src Source, o Options) (Result, error) {
	r := Result{Currency: o.Currency, CurrencyFrom: "--currency"}
	if r.Currency == "" {
		body, _, err := get(ctx, o.Client, src.Base+"/cart.js")
		if err != nil {
			return Result{}, fmt.Errorf("the store's currency (or give --currency): %w", err)
		}
		var cart struct {
			Currency string `json:"currency"`
		}
		if err := json.Unmarshal(body, &cart); err != nil || len(cart.Currency) != 3 {
			return Result{}, fmt.Errorf("the store's currency: /cart.js names none; give --currency")
		}
		r.Currency, r.CurrencyFrom = strings.ToUpper(cart.Currency), "/cart.js"
	}
	var items []item
	var warnings []string
	for page := 1; ; page++ {
		if page*shopifyPageSize > MaxStoreProducts {
			// Past page 100 the feed answers 400 whatever the store holds,
			// so a full page 100 cannot tell 25,000 products from more: the
			// show refuses rather than sell a silently cut catalog.
			return Result{}, fmt.Errorf("%w: %d or more, the most the store's feed lists", ErrTooMany, MaxStoreProducts)
		}
		u := fmt.Sprintf("%s/products.json?limit=%d&page=%d", src.Base, shopifyPageSize, page)
		body, _, err := get(ctx, o.Client, u)
		if err != nil {
			return Result{}, err
		}
		var feed struct {
			Products *[]shopifyProduct `json:"products"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&feed); err != nil {
			return Result{}, fmt.Errorf("GET %s: not a product list: %w", u, err)
		}
		if feed.Products == nil {
			return Result{}, fmt.Errorf("GET %s: not a product list: no \"products\"", u)
		}
		for _, sp := range *feed.Products {
			it, warn := shopifyItem(sp, r.Currency, o.ShowStock)
			warnings = append(warnings, warn...)
			items = append(items, it)
		}
		if len(*feed.Products) < shopifyPageSize {
			break
		}
	}
	if len(items) == 0 {
		return Result{}, ErrEmpty
	}
	products, more := build(items)
	if len(products) == 0 {
		return Result{}, fmt.Errorf("%w that can be sold: %s", ErrEmpty, strings.Join(more, "; "))
	}
	r.Catalog = server.Catalog{Show: protocol.ShowInfo{ID: o.ShowID, Title: title(src.Base)}, Products: products}
	r.Warnings = append(warnings, more...)
	r.Checkout = src.Base + "/cart/" + protocol.CheckoutPlaceholder + "?ref=livecart-" + o.ShowID
	return r, nil
}

// shopifyItem reads one product; a variant whose price cannot be read in
// the currency is left out with a warning.
func shopifyItem(sp shopifyProduct, currency string, showStock int) (item, []string) {
	it := item{id: strconv.FormatInt(sp.ID, 10), name: sp.Title, description: plainText(sp.BodyHTML)}
	var warnings []string
	for _, sv := range sp.Variants {
		price, err := money.Parse(sv.Price.String(), currency)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%q variant %q left out: price: %v", sp.Title, sv.Title, err))
			continue
		}
		stock := 0
		if sv.Available {
			stock = showStock
		}
		it.variants = append(it.variants, option{id: strconv.FormatInt(sv.ID, 10), name: sv.Title, price: price, stock: stock})
	}
	return it, warnings
}

// title is the show's title for a store: its host name.
func title(base string) string {
	t := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	t, _ = cut(t, protocol.MaxTitleRunes)
	return t
}
