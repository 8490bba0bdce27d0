package server

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// This file follows a real store while the show runs: its checkout link,
// and the prices and availability a refreshed read of its catalog brings.

// checkStoreCheckout refuses a store checkout template that is not a web
// URL holding protocol.CheckoutPlaceholder once.
func checkStoreCheckout(t string) error {
	if t == "" {
		return nil
	}
	if n := strings.Count(t, protocol.CheckoutPlaceholder); n != 1 {
		return fmt.Errorf("store checkout %q holds %s %d times, want once", t, protocol.CheckoutPlaceholder, n)
	}
	u, err := url.Parse(strings.Replace(t, protocol.CheckoutPlaceholder, "x", 1))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("store checkout %q: want an http or https URL", t)
	}
	if len(t) > protocol.MaxCheckoutURLBytes/2 {
		return fmt.Errorf("store checkout is longer than %d bytes", protocol.MaxCheckoutURLBytes/2)
	}
	return nil
}

// welcomeCheckout is the checkout link template c's welcome carries: the
// real store's when the show sells from one, this server's otherwise.
func (s *Server) welcomeCheckout(c *conn) string {
	if s.storeURL != "" {
		return s.storeURL
	}
	return checkoutTemplate(c.checkout, c.clientID)
}

// storeOut is the variants a show starts with none of: a store read has
// them unavailable, so ApplyCatalog restocks them when they come back.
func storeOut(products []protocol.Product) map[string]bool {
	out := make(map[string]bool)
	for _, p := range products {
		for _, v := range p.Variants {
			if v.Stock == 0 {
				out[v.ID] = true
			}
		}
	}
	return out
}

// SetStoreWarning tells the hosts, in their metrics, why the last read of
// the store failed (the show keeps its last good catalog); "" clears it
// once a read works again. It is cut to fit protocol.MaxErrorRunes.
func (s *Server) SetStoreWarning(warning string) {
	warning = sanitize.Line(warning)
	if r := []rune(warning); len(r) > protocol.MaxErrorRunes {
		warning = string(r[:protocol.MaxErrorRunes-1]) + "…"
	}
	s.hub.locked(func() { s.storeWarning = warning })
}

// SellsOnStore reports whether viewers check out on a real store, whose
// orders the show never sees.
func (s *Server) SellsOnStore() bool { return s.storeURL != "" }

// ApplyCatalog merges a fresh read of the store's catalog into the running
// show and publishes each product it changed, whole, as a product event,
// so carts reprice. The show's products stay the ones it started with:
//
//   - a product's and its variants' regular prices follow the store's (a
//     running deal keeps its percent or amount off, as with set_price);
//   - a variant the store has unavailable (stock 0) is sold out; one that
//     comes back gets the stock fresh gives it; one that stays available
//     keeps the stock the show has (what the host set, less what sold);
//   - a product or variant gone from the store is sold out.
//
// Products the store added are not added to the show. It returns a line
// for each thing it could not follow, for the host's log.
func (s *Server) ApplyCatalog(fresh []protocol.Product) []string {
	var notes []string
	byID := make(map[string]protocol.Product, len(fresh))
	for _, p := range fresh {
		byID[p.ID] = p
	}
	var added []string
	for _, p := range fresh {
		if _, ok := s.productAt[p.ID]; !ok {
			added = append(added, fmt.Sprintf("%q", p.Name))
		}
	}
	if len(added) > 0 {
		notes = append(notes, fmt.Sprintf("new on the store, not in this show until it restarts: %s", strings.Join(added, ", ")))
	}
	s.hub.locked(func() {
		if s.hub.closedLocked() {
			return
		}
		for i := range s.products {
			p := &s.products[i]
			f, ok := byID[p.ID]
			changed := false
			if ok && f.Price.Currency == s.currency {
				changed = s.repriceFromStoreLocked(i, f)
			} else if ok {
				notes = append(notes, fmt.Sprintf("%q: priced in %s now, the show in %s; prices kept", p.Name, f.Price.Currency, s.currency))
			}
			for j := range p.Variants {
				v := &p.Variants[j]
				fv, found := f.Variant(v.ID)
				stock := v.Stock
				switch {
				case !found || fv.Stock == 0:
					stock = 0
				case s.storeOut[v.ID]:
					stock = fv.Stock
				}
				s.storeOut[v.ID] = !found || fv.Stock == 0
				if stock != v.Stock {
					v.Stock = stock
					changed = true
				}
			}
			if changed {
				s.publishProductLocked(i)
			}
		}
	})
	return notes
}

// repriceFromStoreLocked takes product i's regular prices from f, the
// store's, and reports whether any changed. A variant f does not list
// keeps its price.
func (s *Server) repriceFromStoreLocked(i int, f protocol.Product) bool {
	p := &s.products[i]
	changed := f.Price != p.Price
	variants := slices.Clone(p.Variants)
	for j := range variants {
		v := &variants[j]
		old := p.RegularOf(v.ID)
		regular := old
		if _, found := f.Variant(v.ID); found {
			regular = f.RegularOf(v.ID)
		}
		changed = changed || regular != old
		v.Price = nil
		if regular != f.Price {
			v.Price = &regular
		}
	}
	if !changed {
		return false
	}
	p.Variants, p.Price = variants, f.Price
	s.repriceDealLocked(i)
	return true
}
