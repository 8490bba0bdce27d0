package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// Catalog is what a show sells: the show's name and its products. It is the
// show's starting state; while the show runs, stock, prices and deals
// change, and nothing else.
type Catalog struct {
	Show     protocol.ShowInfo  `json:"show"`
	Products []protocol.Product `json:"products"`
}

// ParseCatalog reads a catalog file strictly: unknown fields and trailing
// data are errors, because a typo in a hand-edited catalog ("stok") would
// otherwise silently become zero. Errors name the product they are about.
// The result has passed Validate.
func ParseCatalog(data []byte) (Catalog, error) {
	// Products are decoded one by one so a decoding error can say which.
	var raw struct {
		Show     protocol.ShowInfo `json:"show"`
		Products []json.RawMessage `json:"products"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return Catalog{}, fmt.Errorf("parse catalog: %w", err)
	}
	c := Catalog{Show: raw.Show, Products: make([]protocol.Product, len(raw.Products))}
	for i, p := range raw.Products {
		if err := decodeStrict(p, &c.Products[i]); err != nil {
			var named struct{ ID string }
			_ = json.Unmarshal(p, &named)
			return Catalog{}, fmt.Errorf("parse catalog: product %d (%q): %w", i+1, named.ID, err)
		}
	}
	if err := c.Validate(); err != nil {
		return Catalog{}, fmt.Errorf("parse catalog: %w", err)
	}
	return c, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// Validate checks that the catalog can be served: a valid show, 1 to
// protocol.MaxProducts valid products, product and variant IDs each unique
// across the catalog, and one currency throughout, since a checkout total
// cannot add dollars to euros. Display text must already be plain (what
// sanitize.Line would leave unchanged): a catalog is the operator's own
// file, so a control character in it is a mistake to report, not to hide.
func (c Catalog) Validate() error {
	if !protocol.ValidID(c.Show.ID) {
		return fmt.Errorf("show id %q is not a valid id", c.Show.ID)
	}
	if err := checkDisplay("show title", c.Show.Title, protocol.MaxTitleRunes, true); err != nil {
		return err
	}
	if err := checkDisplay("show host", c.Show.Host, protocol.MaxNameRunes, false); err != nil {
		return err
	}
	if n := len(c.Products); n == 0 || n > protocol.MaxProducts {
		return fmt.Errorf("catalog has %d products, want 1 to %d", n, protocol.MaxProducts)
	}
	currency := c.Products[0].Price.Currency
	products := make(map[string]bool, len(c.Products))
	variants := make(map[string]string) // variant ID -> product ID
	for i, p := range c.Products {
		if err := checkProduct(p); err != nil {
			return fmt.Errorf("product %d (%q): %w", i+1, p.ID, err)
		}
		if products[p.ID] {
			return fmt.Errorf("product %d (%q): product id used twice", i+1, p.ID)
		}
		products[p.ID] = true
		if p.Price.Currency != currency {
			return fmt.Errorf("product %d (%q): price in %s, but the catalog is in %s",
				i+1, p.ID, p.Price.Currency, currency)
		}
		for _, v := range p.Variants {
			if other, dup := variants[v.ID]; dup {
				return fmt.Errorf("product %d (%q): variant id %q is already used by product %q",
					i+1, p.ID, v.ID, other)
			}
			variants[v.ID] = p.ID
		}
	}
	return nil
}

func checkProduct(p protocol.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.Deal != nil {
		// A deal has an end in server time and a timer to end it: the host
		// starts one during the show.
		return errors.New("has a deal; deals are started by the host during the show")
	}
	if err := checkDisplay("name", p.Name, protocol.MaxProductNameRunes, true); err != nil {
		return err
	}
	if err := checkDisplay("description", p.Description, protocol.MaxDescriptionRunes, false); err != nil {
		return err
	}
	for _, v := range p.Variants {
		if err := checkDisplay("variant "+v.ID+" name", v.Name, protocol.MaxProductNameRunes, true); err != nil {
			return err
		}
	}
	return nil
}

// checkDisplay checks text shown to viewers: present when required, within
// maxRunes and plain.
func checkDisplay(what, s string, maxRunes int, required bool) error {
	if required && s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return fmt.Errorf("%s is %d characters, more than %d", what, n, maxRunes)
	}
	if sanitize.Line(s) != s {
		return fmt.Errorf("%s %q has control characters, invisible characters, line breaks or extra spaces", what, s)
	}
	return nil
}

// clone returns a deep copy of products: the variants and deals are copied
// too, so the copy and the original can change independently.
func clone(products []protocol.Product) []protocol.Product {
	out := make([]protocol.Product, len(products))
	for i, p := range products {
		out[i] = cloneProduct(p)
	}
	return out
}

func cloneProduct(p protocol.Product) protocol.Product {
	p.Variants = append([]protocol.Variant(nil), p.Variants...)
	if p.Deal != nil {
		d := *p.Deal
		p.Deal = &d
	}
	return p
}
