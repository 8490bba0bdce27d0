package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// wooPageSize is the most products one Store API page holds.
const wooPageSize = 100

// wooProduct is a product as the WooCommerce Store API writes it.
type wooProduct struct {
	ID                int64          `json:"id"`
	Name              string         `json:"name"`
	ShortDescription  string         `json:"short_description"`
	Description       string         `json:"description"`
	Prices            wooPrices      `json:"prices"`
	IsInStock         bool           `json:"is_in_stock"`
	IsPurchasable     bool           `json:"is_purchasable"`
	LowStockRemaining *int           `json:"low_stock_remaining"`
	Variations        []wooVariation `json:"variations"`
	// PriceRange is set on a variable product whose variations are priced
	// apart: the list's Prices are then the lowest.
	PriceRange *struct {
		MinAmount string `json:"min_amount"`
		MaxAmount string `json:"max_amount"`
	} `json:"price_range"`
}

type wooPrices struct {
	Price             string `json:"price"` // minor units, "1299"
	CurrencyCode      string `json:"currency_code"`
	CurrencyMinorUnit int    `json:"currency_minor_unit"`
}

type wooVariation struct {
	ID         int64 `json:"id"`
	Attributes []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"attributes"`
}

// fetchWoo reads /wp-json/wc/store/v1/products page by page, as many
// pages as its X-WP-TotalPages header says.
func fetchWoo(ctx context.Context, src Source, o Options) (Result, error) {
	var (
		items    []item
		warnings []string
		currency string
		apart    = make(map[int]bool) // items whose variations are priced apart
	)
	pages := 1
	for page := 1; page <= pages; page++ {
		u := fmt.Sprintf("%s/wp-json/wc/store/v1/products?per_page=%d&page=%d", src.Base, wooPageSize, page)
		body, header, err := get(ctx, o.Client, u)
		if err != nil {
			return Result{}, err
		}
		if page == 1 {
			if n, err := strconv.Atoi(header.Get("X-WP-TotalPages")); err == nil && n > 1 {
				pages = n
			}
			if pages*wooPageSize > MaxStoreProducts {
				return Result{}, fmt.Errorf("%w: %d pages of %d, more than %d", ErrTooMany, pages, wooPageSize, MaxStoreProducts)
			}
		}
		var list []wooProduct
		if err := json.Unmarshal(body, &list); err != nil {
			return Result{}, fmt.Errorf("GET %s: not a product list: %w", u, err)
		}
		for _, wp := range list {
			c := strings.ToUpper(wp.Prices.CurrencyCode)
			if currency == "" {
				currency = c
			}
			if c != currency {
				warnings = append(warnings, fmt.Sprintf("%q left out: priced in %s, the store in %s", wp.Name, c, currency))
				continue
			}
			it, err := wooItem(wp, o.ShowStock)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("%q left out: %v", wp.Name, err))
				continue
			}
			if pr := wp.PriceRange; pr != nil && pr.MinAmount != pr.MaxAmount && len(wp.Variations) > 0 {
				apart[len(items)] = true
			}
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		return Result{}, ErrEmpty
	}
	w, err := wooVariationPrices(ctx, src, o, items, apart)
	if err != nil {
		return Result{}, err
	}
	warnings = append(warnings, w...)
	products, more := build(items)
	if len(products) == 0 {
		return Result{}, fmt.Errorf("%w that can be sold: %s", ErrEmpty, strings.Join(append(warnings, more...), "; "))
	}
	return Result{
		Catalog:      server.Catalog{Show: protocol.ShowInfo{ID: o.ShowID, Title: title(src.Base)}, Products: products},
		Currency:     currency,
		CurrencyFrom: "the store's prices",
		Checkout:     src.Base + "/checkout-link/?products=" + protocol.CheckoutPlaceholder,
		Warnings:     append(warnings, more...),
	}, nil
}

// wooItem reads one product. A variable product's variations are its
// variants, at the product's price and stock: the list does not price
// them apart (wooVariationPrices does, when its price_range says they are).
func wooItem(wp wooProduct, showStock int) (item, error) {
	price, err := wooPrice(wp.Prices)
	if err != nil {
		return item{}, err
	}
	stock := wooStock(wp, showStock)
	desc := wp.ShortDescription
	if strings.TrimSpace(desc) == "" {
		desc = wp.Description
	}
	id := strconv.FormatInt(wp.ID, 10)
	it := item{id: id, name: plainText(wp.Name), description: plainText(desc)}
	if len(wp.Variations) == 0 {
		it.variants = []option{{id: id, name: "Default", price: price, stock: stock}}
		return it, nil
	}
	for _, v := range wp.Variations {
		var names []string
		for _, a := range v.Attributes {
			names = append(names, a.Value)
		}
		it.variants = append(it.variants, option{id: strconv.FormatInt(v.ID, 10), name: strings.Join(names, " / "), price: price, stock: stock})
	}
	return it, nil
}

// maxVariationReads bounds the requests one read makes for variations
// priced apart.
const maxVariationReads = 200

// wooVariationPrices reads, for the items the show can hold whose
// variations are priced apart, each variation's own price and stock
// (/products/ID answers for a variation too). Past maxVariationReads,
// variations keep their product's lowest price, with a warning.
func wooVariationPrices(ctx context.Context, src Source, o Options, items []item, apart map[int]bool) ([]string, error) {
	var warnings, skipped []string
	reads := 0
	for i := range items[:min(len(items), protocol.MaxProducts)] {
		if !apart[i] {
			continue
		}
		it := &items[i]
		for j := range it.variants[:min(len(it.variants), protocol.MaxVariants)] {
			if reads == maxVariationReads {
				skipped = append(skipped, quoteName(it.name))
				break
			}
			reads++
			v := &it.variants[j]
			u := src.Base + "/wp-json/wc/store/v1/products/" + v.id
			body, _, err := get(ctx, o.Client, u)
			if err != nil {
				return nil, err
			}
			var wv wooProduct
			if err := json.Unmarshal(body, &wv); err != nil {
				return nil, fmt.Errorf("GET %s: not a product: %w", u, err)
			}
			price, err := wooPrice(wv.Prices)
			if err != nil || price.Currency != v.price.Currency {
				warnings = append(warnings, fmt.Sprintf("%q variant %q: its price could not be read, so it is at the product's", it.name, v.name))
				continue
			}
			v.price, v.stock = price, wooStock(wv, o.ShowStock)
		}
	}
	if len(skipped) > 0 {
		warnings = append(warnings, fmt.Sprintf("variations at their product's lowest price, past %d variation reads: %s", maxVariationReads, list(skipped)))
	}
	return warnings, nil
}

// wooStock is a product's or variation's stock: what low_stock_remaining
// says when the store shows it, showStock when in stock, 0 otherwise.
func wooStock(wp wooProduct, showStock int) int {
	if !wp.IsInStock || !wp.IsPurchasable {
		return 0
	}
	if wp.LowStockRemaining != nil && *wp.LowStockRemaining > 0 {
		return *wp.LowStockRemaining
	}
	return showStock
}

// wooPrice reads a Store API price: minor units in a string, with the
// store's count of minor digits, which may differ from the currency's.
func wooPrice(p wooPrices) (money.Money, error) {
	digits := p.CurrencyMinorUnit
	s := strings.TrimSpace(p.Price)
	if s == "" || digits < 0 || digits > 6 || strings.ContainsAny(s, ".-+") {
		return money.Money{}, fmt.Errorf("price %q is not an amount in minor units", p.Price)
	}
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	return money.Parse(s, strings.ToUpper(p.CurrencyCode))
}
