package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/livecart/livecart/protocol"
)

// This file is where a winner pays: GET /auction/{id}?ref=CLIENT_ID shows
// the won unit at the winning price with a Place order button, which posts
// to /auction/{id}. Only the winner's ref may see or pay, only while the
// unit is held, and only once: the checkout page's order key makes a post
// sent twice one order. The order is recorded, counted and announced as
// any other.

// auctionProblem heads the problem pages of a win's checkout.
const auctionProblem = "This win cannot be paid for here"

// serveAuctionCheckout answers GET /auction/{id}?ref=CLIENT_ID.
func (s *Server) serveAuctionCheckout(w http.ResponseWriter, r *http.Request) {
	page, status := s.auctionPage(r.PathValue("id"), r.URL.Query().Get("ref"))
	s.renderCheckout(w, status, page)
}

// auctionPage builds the page of auction id's win for ref: the unit at
// the winning price and a form to pay for it, the order that paid for it,
// or why neither.
func (s *Server) auctionPage(id, ref string) (pageData, int) {
	var page pageData
	var status int
	s.hub.locked(func() {
		h, fail := s.heldForLocked(id, ref)
		switch {
		case fail != nil:
			page, status = pageData{Heading: auctionProblem, Problem: fail.msg}, fail.status
		case h.order != nil:
			page, status = confirmation(*h.order), http.StatusOK
			page.Notice = "You have paid for this win already."
		default:
			page, status = s.wonPageLocked(h, ref), http.StatusOK
			s.tally.checkouts++
		}
	})
	return page, status
}

// heldForLocked finds auction id's win for ref, giving back first any unit
// whose hold has lapsed. A win that was paid for is returned too; one that
// lapsed unpaid, or is not ref's, is refused.
func (s *Server) heldForLocked(id, ref string) (*hold, *orderFailure) {
	now := s.now()
	s.lapseHoldsLocked(now) // the timer may not have come round yet
	h := s.auctions.holds[id]
	switch {
	case !protocol.ValidID(id) || h == nil:
		return nil, refused(http.StatusNotFound, protocol.ErrCodeNotFound, "No auction was won with this link in this show.")
	case ref == "" || !protocol.ValidID(ref) || s.clientIdentity(ref) != h.winner:
		return nil, refused(http.StatusForbidden, protocol.ErrCodeForbidden,
			"This link is not the winner's: only the viewer who won the auction can pay for it, from the link the show sent them.")
	case h.lapsed:
		return nil, refused(http.StatusGone, protocol.ErrCodeForbidden,
			"The hold on this item ended at %s without payment, and it went back on sale.", h.until.UTC().Format("15:04 MST"))
	}
	return h, nil
}

// wonPageLocked is the checkout page of a held win: one line at the
// winning price and a form that pays for it.
func (s *Server) wonPageLocked(h *hold, ref string) pageData {
	p := s.products[h.variant.product]
	v := p.Variants[h.variant.variant]
	price := *h.won.Price
	items, _ := protocol.FormatItems([]protocol.Item{{VariantID: v.ID, Qty: 1}}) // one valid item
	return pageData{
		Heading: "You won",
		Notice: fmt.Sprintf("You won this auction. It is held for you at the winning price until %s.",
			h.until.UTC().Format("15:04 MST")),
		Lines: []pageLine{{Product: p.Name, Variant: v.Name, Note: "won at auction", Unit: price.String(), Qty: 1, Total: price.String()}},
		Total: price.String(),
		// Relative to /auction/{id}, as the cart's form is to /cart/.
		Form: &orderForm{Action: "./" + h.won.ID, Items: items, Ref: ref, Total: price.Amount, Key: newOrderKey()},
	}
}

// serveAuctionOrder answers the won page's button: POST /auction/{id}
// with the form fields ref, key and total (optional: the price the page
// showed). Its refusals are those of POST /orders, and 403 for another
// viewer's ref, 410 for a hold that lapsed, 409 while another window is
// paying for the same win.
func (s *Server) serveAuctionOrder(w http.ResponseWriter, r *http.Request) {
	problem := func(status int, msg string) {
		s.renderCheckout(w, status, pageData{Heading: orderProblem, Problem: msg})
	}
	if !s.sameOrigin(r) {
		problem(http.StatusForbidden, "This order did not come from this shop's checkout page.")
		return
	}
	if !s.orderLimits.allow(remoteIP(r.RemoteAddr)) {
		w.Header().Set("Retry-After", "1")
		problem(http.StatusTooManyRequests, "Too many orders from your address. Wait a moment and try again.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxOrderForm)
	if err := r.ParseForm(); err != nil {
		problem(http.StatusBadRequest, "The order form could not be read.")
		return
	}
	form := r.PostForm
	expect := int64(-1)
	if t := form.Get("total"); t != "" {
		n, err := strconv.ParseUint(t, 10, 62)
		if err != nil {
			problem(http.StatusBadRequest, "The order's total is not a number of minor units.")
			return
		}
		expect = int64(n)
	}
	key := form.Get("key")
	if !protocol.ValidID(key) {
		problem(http.StatusBadRequest, "The order form has no valid key. Open the link again.")
		return
	}
	prior, placed, err := s.orders.keys.claim(r.Context(), key)
	if err != nil {
		return // the buyer went away while the same order was being placed
	}
	if placed {
		page := confirmation(prior)
		page.Notice = "This order was placed already; sending it again placed nothing more."
		s.renderCheckout(w, http.StatusOK, page)
		return
	}
	order, again, fail := s.payAuction(r.PathValue("id"), form.Get("ref"), key, expect)
	if fail != nil {
		s.orders.keys.done(key, nil)
		problem(fail.status, fail.msg)
		return
	}
	if again {
		// Another page of the same win paid for it: this key placed nothing.
		s.orders.keys.done(key, nil)
		page := confirmation(order)
		page.Notice = "You have paid for this win already; nothing more was placed."
		s.renderCheckout(w, http.StatusOK, page)
		return
	}
	s.orders.keys.done(key, &order)
	s.renderCheckout(w, http.StatusOK, confirmation(order))
}

// payAuction places the order that pays for auction id's win: one unit at
// the winning price, recorded in the orders file, then counted, announced
// as a purchase and sent to the winner's connections as any order is. The
// unit left stock when the auction started, so none is taken now. again
// says the win was paid for already, by the order returned.
func (s *Server) payAuction(id, ref, key string, expect int64) (o protocol.Order, again bool, fail *orderFailure) {
	var h *hold
	var rec orderRecord
	s.hub.locked(func() {
		if h, fail = s.heldForLocked(id, ref); fail != nil {
			return
		}
		switch {
		case h.order != nil:
			o, again = *h.order, true
			return
		case h.paying:
			fail = refused(http.StatusConflict, protocol.ErrCodeForbidden, "This win is being paid for from another page. Wait a moment, then open the link again.")
			return
		case expect >= 0 && expect != h.won.Price.Amount:
			fail = refused(http.StatusConflict, protocol.ErrCodeBadRequest, "The page showed a total other than the winning price. Open the link again.")
			return
		}
		h.paying = true
		p := s.products[h.variant.product]
		v := p.Variants[h.variant.variant]
		s.orderIDs++
		rec = orderRecord{
			Show: s.show.ID, At: s.now().UTC(), Key: key,
			Buyer: s.buyerNameLocked(orderRequest{clientID: ref}),
			Order: protocol.Order{
				ID:    s.run + "-o" + strconv.FormatUint(s.orderIDs, 10),
				Lines: []protocol.OrderLine{{ProductID: p.ID, VariantID: v.ID, Name: p.Name, Variant: v.Name, Unit: *h.won.Price, Qty: 1}},
				Total: *h.won.Price,
			},
		}
		s.scheduleAuctionsLocked() // a hold being paid for does not lapse
	})
	if fail != nil || again {
		return o, again, fail
	}
	if err := s.orders.append(rec); err != nil {
		s.log.Error("order not recorded", "order", rec.ID, "err", err)
		s.hub.locked(func() {
			h.paying = false
			s.lapseHoldsLocked(s.now())
			s.scheduleAuctionsLocked()
		})
		return protocol.Order{}, false, refused(http.StatusInternalServerError, errCodeInternal,
			"The order could not be recorded, so nothing was bought. Please try again.")
	}
	s.hub.locked(func() {
		h.paying = false
		h.order = &rec.Order
		s.commitLocked(orderRequest{buyer: h.winner, clientID: ref}, rec)
	})
	s.log.Info("auction paid", "auction", id, "order", rec.ID, "buyer", rec.Buyer, "total", rec.Total.String())
	return rec.Order, false, nil
}
