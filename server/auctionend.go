package server

import (
	"strings"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// This file ends auctions: one timer, set for whichever comes first of the
// running auction's end and the lapse of a win held unpaid, closes the
// auction on time (a late bid that extends it sets the timer again), holds
// the unit for the winner, and gives it back when the hold lapses.

// hold is a won unit set aside for its winner, who pays for it through
// the link auction_won carries (auctionpage.go) until the hold lapses.
type hold struct {
	won     protocol.Auction // the auction as it ended: sold, with its winner and price
	serial  uint64           // the auction's, to send a winner's wins in order
	variant variantRef
	winner  string // identity ID; the ref of their link is a client ID of theirs
	until   time.Time
	paying  bool            // an order for it is being recorded
	order   *protocol.Order // the order that paid for it
	lapsed  bool            // unpaid in time: the unit went back to stock
}

// heldAt reports whether the win can still be paid for at now.
func (h *hold) heldAt(now time.Time) bool {
	return h.order == nil && !h.lapsed && (h.paying || now.Before(h.until))
}

// settleAuctionLocked ends the running auction if its time is up: sold, it
// is published as such, the winner is announced in the chat and the unit
// set aside at the start is held for them; unsold, the unit goes back to
// stock.
func (s *Server) settleAuctionLocked(now time.Time) {
	a := s.auctions.cur
	if a == nil || a.settled {
		return
	}
	out, ended := a.engine.Close(now)
	if !ended {
		return
	}
	a.settled = true
	st := a.state(s)
	s.hub.publishLocked(protocol.TypeAuction, st)
	if !out.Sold {
		s.restockLocked(a.variant)
		id := a.id
		s.hub.later(func() { s.log.Info("auction unsold", "auction", id) })
		return
	}
	h := &hold{
		won:     st,
		serial:  a.serial,
		variant: a.variant,
		winner:  out.Winner,
		until:   now.Add(s.auctions.holdFor),
	}
	s.auctions.holds[a.id] = h
	p := s.products[a.variant.product]
	what := p.Name
	if len(p.Variants) > 1 {
		what += " (" + p.Variants[a.variant.variant].Name + ")"
	}
	// Clients that know auctions show the sold state; the line is for
	// those that do not, and for the chat's record.
	text := sanitize.Truncate(st.Leader.Name+" won "+what+" for "+out.Price.String(), protocol.MaxChatRunes)
	_ = s.sayLocked(s.showVoice(), text, nil) // the host's lines pass every check
	for c := range s.hub.joinedLocked() {
		if c.id.ID == h.winner && c.id.Role == protocol.RoleViewer {
			s.sendWonLocked(c, h)
		}
	}
	id, winner, price := a.id, out.Winner, out.Price.String()
	s.hub.later(func() { s.log.Info("auction sold", "auction", id, "winner", winner, "price", price) })
}

// showVoice is who the show's own chat lines come from: the host.
func (s *Server) showVoice() protocol.Identity {
	return protocol.Identity{ID: "host", Name: s.hostName, Role: protocol.RoleHost}
}

// sendWonLocked tells one of the winner's connections what they won and
// where to pay for it: the show's own page, whatever checkout the show's
// catalog uses.
func (s *Server) sendWonLocked(c *conn, h *hold) {
	s.hub.sendLocked(c, protocol.TypeAuctionWon, protocol.AuctionWon{
		AuctionID: h.won.ID,
		ProductID: h.won.ProductID,
		VariantID: h.won.VariantID,
		Price:     *h.won.Price,
		Checkout:  auctionLink(c, h.won.ID),
		HeldUntil: h.until,
	})
}

// auctionLink is the page where the winner pays for auction id, under the
// base c's checkout links have (the public URL, or the Host c dialled).
func auctionLink(c *conn, id string) string {
	base := strings.TrimSuffix(c.checkout, "/cart/"+protocol.CheckoutPlaceholder)
	return base + "/auction/" + id + "?ref=" + c.clientID
}

// lapseHoldsLocked gives back the units of wins left unpaid past their
// hold.
func (s *Server) lapseHoldsLocked(now time.Time) {
	for id, h := range s.auctions.holds {
		if h.order != nil || h.lapsed || h.paying || now.Before(h.until) {
			continue
		}
		h.lapsed = true
		s.restockLocked(h.variant)
		s.hub.later(func() { s.log.Info("auction hold lapsed", "auction", id) })
	}
}

// restockLocked puts one unit back into a variant's stock and publishes
// the product.
func (s *Server) restockLocked(ref variantRef) {
	v := &s.products[ref.product].Variants[ref.variant]
	v.Stock = min(v.Stock+1, protocol.MaxStock) // the host may have set it meanwhile
	s.publishProductLocked(ref.product)
}

// scheduleAuctionsLocked sets the timer for the running auction's end or
// the first hold to lapse, whichever comes first, replacing any pending
// one.
func (s *Server) scheduleAuctionsLocked() {
	s.stopAuctionTimerLocked()
	if s.hub.closedLocked() {
		return
	}
	var next time.Time
	if a := s.auctions.cur; a != nil && !a.settled {
		next = a.engine.Snapshot().End
	}
	for _, h := range s.auctions.holds {
		if h.order == nil && !h.lapsed && !h.paying && (next.IsZero() || h.until.Before(next)) {
			next = h.until
		}
	}
	if next.IsZero() {
		return
	}
	s.auctions.gen++
	gen := s.auctions.gen
	s.wg.Add(1)
	s.auctions.stop = s.auctions.after(max(next.Sub(s.now()), 0), func() { s.auctionsDue(gen) })
}

// stopAuctionTimerLocked cancels the pending timer. One that has already
// fired is left to find its generation out of date and do nothing.
func (s *Server) stopAuctionTimerLocked() {
	if s.auctions.stop != nil && s.auctions.stop() {
		s.wg.Done() // the timer will never run to do it
	}
	s.auctions.stop = nil
}

// auctionsDue ends the auction and lapses the holds whose time is up, and
// sets the timer for what comes next.
func (s *Server) auctionsDue(gen uint64) {
	defer s.wg.Done()
	s.hub.locked(func() {
		if s.hub.closedLocked() || gen != s.auctions.gen {
			return
		}
		s.auctions.stop = nil // fired: nothing left to stop
		now := s.now()
		s.settleAuctionLocked(now)
		s.lapseHoldsLocked(now)
		s.scheduleAuctionsLocked()
	})
}
