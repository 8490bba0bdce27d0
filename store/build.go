package store

import (
	"fmt"
	"strings"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// item is a product as a source reads it, before the protocol's limits.
type item struct {
	id, name, description string
	variants              []option
}

// option is one variant of an item.
type option struct {
	id, name string
	price    money.Money
	stock    int
}

// build turns items into the show's products, held to the protocol's
// limits: a product past protocol.MaxProducts, a variant past
// protocol.MaxVariants, a product or variant whose ID cannot be a protocol
// ID, and a product with no variant are left out; long names and
// descriptions are shortened. Each kind of cut is one warning naming what
// was cut.
func build(items []item) ([]protocol.Product, []string) {
	var (
		products  []protocol.Product
		warnings  []string
		badIDs    []string
		noVariant []string
		cutNames  int
		cutDescs  int
		seenVar   = make(map[string]bool)
		seenProd  = make(map[string]bool)
	)
	for _, it := range items {
		if !protocol.ValidID(it.id) || seenProd[it.id] {
			badIDs = append(badIDs, "product "+quoteName(it.id))
			continue
		}
		name, cutN := cut(sanitize.Line(it.name), protocol.MaxProductNameRunes)
		if name == "" {
			name = it.id
		}
		desc, cutD := cut(sanitize.Line(it.description), protocol.MaxDescriptionRunes)
		if cutN {
			cutNames++
		}
		if cutD {
			cutDescs++
		}
		p := protocol.Product{ID: it.id, Name: name, Description: desc}
		var dropped []string
		for _, o := range it.variants {
			if !protocol.ValidID(o.id) || seenVar[o.id] {
				badIDs = append(badIDs, "variant "+quoteName(o.id)+" of "+quoteName(name))
				continue
			}
			if len(p.Variants) == protocol.MaxVariants {
				dropped = append(dropped, quoteName(o.name))
				continue
			}
			seenVar[o.id] = true
			vname, c := cut(sanitize.Line(o.name), protocol.MaxProductNameRunes)
			if c {
				cutNames++
			}
			if vname == "" || vname == "Default Title" {
				vname = "Default"
			}
			v := protocol.Variant{ID: o.id, Name: vname, Stock: min(max(o.stock, 0), protocol.MaxStock)}
			if len(p.Variants) == 0 {
				p.Price = o.price
			} else if o.price != p.Price {
				price := o.price
				v.Price = &price
			}
			p.Variants = append(p.Variants, v)
		}
		if len(dropped) > 0 {
			warnings = append(warnings, fmt.Sprintf("%s: %d variants left out, past the first %d: %s",
				quoteName(name), len(dropped), protocol.MaxVariants, list(dropped)))
		}
		if len(p.Variants) == 0 {
			noVariant = append(noVariant, quoteName(name))
			continue
		}
		seenProd[it.id] = true
		products = append(products, p)
	}
	if n := len(products) - protocol.MaxProducts; n > 0 {
		var names []string
		for _, p := range products[protocol.MaxProducts:] {
			names = append(names, quoteName(p.Name))
		}
		warnings = append(warnings, fmt.Sprintf("%d products left out, past the first %d a show can hold: %s",
			n, protocol.MaxProducts, list(names)))
		products = products[:protocol.MaxProducts]
	}
	if len(badIDs) > 0 {
		warnings = append(warnings, fmt.Sprintf("left out for an ID that is too long, odd or used twice: %s", list(badIDs)))
	}
	if len(noVariant) > 0 {
		warnings = append(warnings, fmt.Sprintf("left out with no variant to sell: %s", list(noVariant)))
	}
	if cutNames > 0 {
		warnings = append(warnings, fmt.Sprintf("%d names shortened to %d characters", cutNames, protocol.MaxProductNameRunes))
	}
	if cutDescs > 0 {
		warnings = append(warnings, fmt.Sprintf("%d descriptions shortened to %d characters", cutDescs, protocol.MaxDescriptionRunes))
	}
	return products, warnings
}

// list joins names, naming at most ten and counting the rest.
func list(names []string) string {
	const most = 10
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:most], ", "), len(names)-most)
}

func quoteName(s string) string {
	s, _ = cut(s, 40)
	return fmt.Sprintf("%q", s)
}
