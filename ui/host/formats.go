package host

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// What auctions and giveaways share: both put one unit of a variant of the
// selected product up, and both are drawn in the formats panel between the
// catalog and the metrics.

// offerVariant is the variant an auction or a giveaway of p is for when
// the host names none: the pinned one if p is pinned and it is in stock,
// else the first in stock. ok is false when every variant is sold out.
func (m Model) offerVariant(p protocol.Product) (protocol.Variant, bool) {
	if pp, pv, pinned := m.Show.Pinned(); pinned && pp.ID == p.ID && pv.Stock > 0 {
		return pv, true
	}
	i := slices.IndexFunc(p.Variants, func(v protocol.Variant) bool { return v.Stock > 0 })
	if i < 0 {
		return protocol.Variant{}, false
	}
	return p.Variants[i], true
}

// findVariant is the variant of p that word names: its ID or name in any
// case, or the only one whose name starts with it.
func findVariant(p protocol.Product, word string) (protocol.Variant, bool) {
	var found []protocol.Variant
	for _, v := range p.Variants {
		if strings.EqualFold(v.ID, word) || strings.EqualFold(v.Name, word) {
			return v, true
		}
		if strings.HasPrefix(strings.ToLower(v.Name), strings.ToLower(word)) {
			found = append(found, v)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return protocol.Variant{}, false
}

// inStock checks that a variant named for an auction or a giveaway has a
// unit to give.
func inStock(p protocol.Product, v protocol.Variant) error {
	if v.Stock <= 0 {
		return fmt.Errorf("%s (%s) is sold out · i sets stock", p.Name, v.Name)
	}
	return nil
}

// itemName is a variant as the dashboard names it: "Speckled Mug (Blue)",
// or the product's name alone when it has one variant. IDs the catalog
// does not know are shown as they are.
func (m Model) itemName(productID, variantID string) string {
	p, ok := m.Show.Product(productID)
	if !ok {
		return productID
	}
	if len(p.Variants) == 1 {
		return p.Name
	}
	if v, ok := p.Variant(variantID); ok {
		return p.Name + " (" + v.Name + ")"
	}
	return p.Name
}

// auctionOpen is the auction taking bids, if one is.
func (m Model) auctionOpen() (*protocol.Auction, bool) {
	a := m.Show.Auction
	return a, a != nil && !a.Ended()
}

// giveawayOpen is the giveaway taking entries, if one is.
func (m Model) giveawayOpen() (*protocol.Giveaway, bool) {
	g := m.Show.Giveaway
	return g, g != nil && g.State == protocol.GiveawayOpen
}

// pending reports whether a command of typ waits for its answer.
func (m Model) pending(typ protocol.Type) bool {
	return slices.ContainsFunc(m.ops, func(o op) bool { return o.typ == typ })
}

// countsDown is what counts down on the dashboard besides the next
// attempt: the time left of every deal running, and of the auction and the
// giveaway while they are open.
func countsDown(s *show.State, now time.Time) bool {
	if a := s.Auction; a != nil && !a.Ended() && now.Before(a.EndsAt) {
		return true
	}
	if g := s.Giveaway; g != nil && g.State == protocol.GiveawayOpen && now.Before(g.EndsAt) {
		return true
	}
	for _, p := range s.Catalog() {
		if p.Deal.Active(now) {
			return true
		}
	}
	return false
}
