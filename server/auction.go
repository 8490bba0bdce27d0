package server

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/livecart/livecart/auction"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// This file is the show's side of auctions: the host starts and cancels
// one, viewers bid, and every accepted bid is published. The bidding
// itself (increments, proxy bids, extensions) is the auction package's;
// the server only feeds it the bids in the order it takes them, under the
// show's lock, and tells the show what happened. The end, the unit held
// for the winner and its lapse are in auctionend.go; paying for a win in
// auctionpage.go.

// DefaultAuctionHold is how long a won unit is held for its winner to pay
// when Config.AuctionHold is zero.
const DefaultAuctionHold = 10 * time.Minute

// auctions is the server's side of the show's auctions. One runs at a
// time. Guarded by the show's lock (see Server).
type auctions struct {
	cur     *liveAuction     // the running or last auction; nil before the first
	serial  uint64           // numbers auction IDs
	holds   map[string]*hold // by auction ID: the won units and their payment
	bids    int              // bids accepted in this show, proxy bids included
	bidders map[string]struct{}
	holdFor time.Duration // how long a win is held for its winner

	stop func() bool // stops the pending timer; nil when none is pending
	gen  uint64      // names the pending timer; one that fires after it was replaced does nothing
	// after starts a timer. Tests replace it to fire ends and lapses
	// themselves instead of waiting for them.
	after func(time.Duration, func()) (stop func() bool)
	// applied, when set (tests), is told every bid as it is handed to
	// the engine, in the order the server applies them.
	applied func(appliedBid)
}

// appliedBid is one bid as the server handed it to the engine.
type appliedBid struct {
	Bidder string
	Amount int64
	Max    bool
	At     time.Time
}

// liveAuction is one auction: its engine and what the show needs around
// it.
type liveAuction struct {
	engine  *auction.Auction
	id      string
	serial  uint64                       // the how-manyth auction of the show
	variant variantRef                   // the unit's, set aside when the auction started
	settled bool                         // ended, and its unit held for the winner or given back
	bidders map[string]protocol.Identity // identity ID -> as they last bid
	secret  map[string]bool              // bidders whose standing bid is a secret maximum
}

func newAuctions(holdFor time.Duration) auctions {
	return auctions{
		holds:   make(map[string]*hold),
		bidders: make(map[string]struct{}),
		holdFor: holdFor,
		after:   func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
	}
}

// checkAuctionHold refuses a Config.AuctionHold out of the protocol's
// bounds; zero is the default.
func checkAuctionHold(d time.Duration) (time.Duration, error) {
	if d == 0 {
		return DefaultAuctionHold, nil
	}
	if d < protocol.MinAuctionHold || d > protocol.MaxAuctionHold {
		return 0, fmt.Errorf("auction hold %s is not between %s and %s", d, protocol.MinAuctionHold, protocol.MaxAuctionHold)
	}
	return d, nil
}

// state is a's whole public state, fresh memory each time: it goes
// into events that are encoded later.
func (a *liveAuction) state(s *Server) protocol.Auction {
	st := a.engine.Snapshot()
	p := s.products[a.variant.product]
	out := protocol.Auction{
		ID:             a.id,
		ProductID:      p.ID,
		VariantID:      p.Variants[a.variant.variant].ID,
		Start:          st.Start,
		Next:           st.Next,
		Bids:           st.Bids,
		EndsAt:         st.End,
		CounterSeconds: int(st.Counter / time.Second),
		Extensions:     st.Extensions,
		State:          protocol.AuctionOpen,
	}
	if st.Leader != "" {
		price, leader := st.Price, a.bidders[st.Leader]
		out.Price, out.Leader = &price, &leader
	}
	switch {
	case st.Cancelled:
		out.State = protocol.AuctionCancelled
	case st.Ended && st.Leader != "":
		out.State = protocol.AuctionSold
	case st.Ended:
		out.State = protocol.AuctionUnsold
	}
	return out
}

// auctionLocked is the running or last auction, for a welcome; nil before
// the first.
func (s *Server) auctionLocked() *protocol.Auction {
	if s.auctions.cur == nil {
		return s.restored.auction
	}
	st := s.auctions.cur.state(s)
	return &st
}

// startAuctionLocked puts one unit of a variant up for auction. The unit
// is set aside at once (out of the variant's stock), so it cannot sell out
// from under the auction; an auction that ends unsold gives it back.
func (s *Server) startAuctionLocked(st protocol.StartAuction) *protocol.Error {
	if e := s.checkVariantOf(st.ProductID, st.VariantID); e != nil {
		return e
	}
	now := s.now()
	s.settleAuctionLocked(now) // one whose time is up but whose timer is late ends now
	if a := s.auctions.cur; a != nil && !a.settled {
		return newError(protocol.ErrCodeForbidden, fmt.Sprintf("auction %s is still running: one auction at a time", a.id))
	}
	ref := s.variantAt[st.VariantID]
	p := &s.products[ref.product]
	v := &p.Variants[ref.variant]
	if v.Stock < 1 {
		return newError(protocol.ErrCodeOutOfStock, fmt.Sprintf("%s (%s) is sold out: there is nothing to auction", p.Name, v.Name))
	}
	engine, err := auction.New(auction.Config{
		Start:    money.New(st.Start, p.Price.Currency),
		Duration: time.Duration(st.Seconds) * time.Second,
		Counter:  time.Duration(st.CounterSeconds) * time.Second,
		Sudden:   st.Sudden,
	}, now)
	if err != nil {
		return newError(protocol.ErrCodeBadRequest, "start_auction: "+err.Error())
	}
	v.Stock--
	s.publishProductLocked(ref.product)
	s.auctions.serial++
	a := &liveAuction{
		engine: engine,
		// The epoch keeps IDs unique across restarts, as chat IDs.
		id:      s.run + "-a" + strconv.FormatUint(s.auctions.serial, 10),
		serial:  s.auctions.serial,
		variant: ref,
		bidders: make(map[string]protocol.Identity),
		secret:  make(map[string]bool),
	}
	s.auctions.cur = a
	s.hub.publishLocked(protocol.TypeAuction, a.state(s))
	s.scheduleAuctionsLocked()
	id, price := a.id, money.New(st.Start, p.Price.Currency)
	s.hub.later(func() { s.log.Info("auction started", "auction", id, "variant", st.VariantID, "start", price.String()) })
	return nil
}

// cancelAuctionLocked withdraws the running auction while no bid is in,
// and gives its unit back.
func (s *Server) cancelAuctionLocked(c protocol.CancelAuction) *protocol.Error {
	a := s.auctions.cur
	if a == nil || a.id != c.AuctionID {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no auction %q in this show", c.AuctionID))
	}
	s.settleAuctionLocked(s.now()) // one whose time is up has ended, whether its timer came or not
	if a.settled {
		return newError(protocol.ErrCodeForbidden, "the auction has ended")
	}
	switch err := a.engine.Cancel(); {
	case errors.Is(err, auction.ErrHasBids):
		return newError(protocol.ErrCodeForbidden, "a bid is in: the auction can no longer be cancelled")
	case err != nil:
		return newError(protocol.ErrCodeForbidden, "the auction has ended")
	}
	a.settled = true
	s.hub.publishLocked(protocol.TypeAuction, a.state(s))
	s.restockLocked(a.variant)
	s.scheduleAuctionsLocked()
	return nil
}

// bidLocked hands c's bid to the engine and tells the show what it did:
// every accepted bid that changes the auction is published, and a secret
// maximum goes back to its owner alone. The bidder is c's identity, so a
// viewer keeps their bids and their win across reconnects.
func (s *Server) bidLocked(c *conn, b protocol.Bid) *protocol.Error {
	now := s.now()
	if e := s.mayBidLocked(c, now); e != nil {
		return e
	}
	a := s.auctions.cur
	if a == nil || a.id != b.AuctionID {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no auction %q in this show", b.AuctionID))
	}
	before := a.engine.Snapshot()
	if s.auctions.applied != nil {
		s.auctions.applied(appliedBid{Bidder: c.id.ID, Amount: b.Amount, Max: b.Max, At: now})
	}
	r, err := a.engine.Bid(c.id.ID, b.Amount, b.Max, now)
	if err != nil {
		return bidRefusal(err)
	}
	a.bidders[c.id.ID] = c.id
	a.secret[c.id.ID] = b.Max
	addCapped(s.auctions.bidders, c.id.ID)
	after := a.engine.Snapshot()
	s.auctions.bids += after.Bids - before.Bids
	if b.Max {
		s.sendMaxBidLocked(a, c.id.ID, r.Max)
	}
	// A leader raising their own maximum changes nothing anyone else may
	// see; every other accepted bid is one more bid.
	if after.Bids != before.Bids {
		s.hub.publishLocked(protocol.TypeAuction, a.state(s))
	}
	if r.Extended {
		s.scheduleAuctionsLocked()
	}
	return nil
}

// mayBidLocked refuses bids from those who may not bid: the host, a
// client without a client ID (a win is paid through a link that names
// it, and is sent to it again when it comes back), and a viewer the host
// has banned or timed out.
func (s *Server) mayBidLocked(c *conn, now time.Time) *protocol.Error {
	switch {
	case c.id.Role == protocol.RoleHost:
		return newError(protocol.ErrCodeForbidden, "the host cannot bid")
	case c.clientID == "":
		return newError(protocol.ErrCodeForbidden, "bidding needs a client_id: a win is paid through a link that names it")
	case s.mod.banned[c.id.ID]:
		return newError(protocol.ErrCodeForbidden, "you have been removed from the show")
	}
	if until, ok := s.mod.timeouts[c.id.ID]; ok && now.Before(until) {
		return newError(protocol.ErrCodeForbidden, "you are timed out for "+formatWait(until.Sub(now)))
	}
	return nil
}

// bidRefusal is the error a refused bid gets.
func bidRefusal(err error) *protocol.Error {
	var low *auction.TooLowError
	var high *auction.TooHighError
	switch {
	case errors.As(err, &low):
		e := newError(protocol.ErrCodeBidTooLow, err.Error())
		next := low.Next
		e.Min = &next
		return e
	case errors.As(err, &high):
		return newError(protocol.ErrCodeBadRequest, err.Error())
	case errors.Is(err, auction.ErrEnded):
		return newError(protocol.ErrCodeForbidden, "the auction has ended")
	case errors.Is(err, auction.ErrCancelled):
		return newError(protocol.ErrCodeForbidden, "the auction was cancelled")
	}
	// Already leading, a maximum not above one's own: the rules, as the
	// engine words them.
	return newError(protocol.ErrCodeForbidden, err.Error())
}

// sendMaxBidLocked tells every connection of bidder, and nobody else,
// the secret maximum the server now bids for them up to.
func (s *Server) sendMaxBidLocked(a *liveAuction, bidder string, maxBid int64) {
	mb := protocol.MaxBid{AuctionID: a.id, Max: money.New(maxBid, s.products[a.variant.product].Price.Currency)}
	for c := range s.hub.joinedLocked() {
		if c.id.ID == bidder && c.id.Role == protocol.RoleViewer {
			s.hub.sendLocked(c, protocol.TypeMaxBid, mb)
		}
	}
}

// auctionJoinedLocked tells a viewer who just joined what is theirs alone:
// their secret maximum on the running auction, and the wins held for them.
func (s *Server) auctionJoinedLocked(c *conn) {
	if c.id.Role != protocol.RoleViewer {
		return
	}
	if a := s.auctions.cur; a != nil && !a.settled && a.secret[c.id.ID] {
		if m, ok := a.engine.MaxOf(c.id.ID); ok {
			s.hub.sendLocked(c, protocol.TypeMaxBid, protocol.MaxBid{AuctionID: a.id, Max: money.New(m, s.products[a.variant.product].Price.Currency)})
		}
	}
	now := s.now()
	var won []*hold
	for _, h := range s.auctions.holds {
		if h.winner == c.id.ID && h.heldAt(now) {
			won = append(won, h)
		}
	}
	slices.SortFunc(won, func(x, y *hold) int { return cmp.Compare(x.serial, y.serial) })
	for _, h := range won {
		s.sendWonLocked(c, h)
	}
}
