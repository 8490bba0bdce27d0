package show

import (
	"github.com/livecart/livecart/protocol"
)

// applyFormat applies the events of the live formats: auctions, giveaways
// and gifts. Unknown types are ignored.
func (s *State) applyFormat(env protocol.Envelope) (Change, error) {
	switch env.Type {
	case protocol.TypeAuction:
		a, err := protocol.Decode[protocol.Auction](env)
		if err != nil {
			return Change{}, err
		}
		a = cleanAuction(a)
		if older := s.Auction; older != nil && older.ID == a.ID && auctionStep(a) < auctionStep(*older) {
			// A welcome built while this event waited for its batch
			// already showed what came after it: keep the newer state.
			return Change{}, nil
		}
		led := s.Auction != nil && s.Auction.ID == a.ID && s.leads(s.Auction)
		if s.Auction == nil || s.Auction.ID != a.ID {
			s.MaxBid = nil // a maximum belongs to one auction
		}
		s.Auction = &a
		return Change{Kind: KindAuction, ProductID: a.ProductID, Outbid: led && !s.leads(&a)}, nil
	case protocol.TypeAuctionWon:
		w, err := protocol.Decode[protocol.AuctionWon](env)
		if err != nil {
			return Change{}, err
		}
		s.Won = &w
		return Change{Kind: KindAuctionWon, ProductID: w.ProductID}, nil
	case protocol.TypeMaxBid:
		m, err := protocol.Decode[protocol.MaxBid](env)
		if err != nil {
			return Change{}, err
		}
		s.MaxBid = &m
		return Change{Kind: KindMaxBid}, nil
	case protocol.TypeGiveaway:
		g, err := protocol.Decode[protocol.Giveaway](env)
		if err != nil {
			return Change{}, err
		}
		g = cleanGiveaway(g)
		if older := s.Giveaway; older != nil && older.ID == g.ID && giveawayStep(g) < giveawayStep(*older) {
			return Change{}, nil // older than what a welcome already showed
		}
		s.Giveaway = &g
		return Change{Kind: KindGiveaway, ProductID: g.ProductID}, nil
	case protocol.TypeEntered:
		e, err := protocol.Decode[protocol.Entered](env)
		if err != nil {
			return Change{}, err
		}
		s.Entered = e.GiveawayID
		return Change{Kind: KindEntered}, nil
	case protocol.TypeGift:
		g, err := protocol.Decode[protocol.Gift](env)
		if err != nil {
			return Change{}, err
		}
		g.From = cleanIdentity(g.From)
		return Change{Kind: KindGift, Gift: g}, nil
	case protocol.TypeGiftLink:
		l, err := protocol.Decode[protocol.GiftLink](env)
		if err != nil {
			return Change{}, err
		}
		return Change{Kind: KindGiftLink, GiftLink: l}, nil
	}
	return Change{}, nil
}

// leads reports whether we lead auction a.
func (s *State) leads(a *protocol.Auction) bool {
	return a != nil && a.Leader != nil && a.Leader.ID == s.You.ID
}

// Leading reports whether we lead the current auction (or won it).
func (s *State) Leading() bool { return s.leads(s.Auction) }

// GiftKind returns the show's gift of the given kind.
func (s *State) GiftKind(id string) (protocol.GiftKind, bool) {
	for _, k := range s.Gifts {
		if k.ID == id {
			return k, true
		}
	}
	return protocol.GiftKind{}, false
}

// auctionStep orders the states of one auction: every accepted bid adds
// to Bids or Extensions, and the end comes last. An event is older than
// the state a welcome showed when its step is lower.
func auctionStep(a protocol.Auction) int {
	step := 2 * (a.Bids + a.Extensions)
	if a.State != protocol.AuctionOpen {
		step = 1 << 30
	}
	return step
}

// giveawayStep orders the states of one giveaway: entrants only grow while
// it is open, and the draw comes last.
func giveawayStep(g protocol.Giveaway) int {
	if g.State != protocol.GiveawayOpen {
		return 1 << 30
	}
	return g.Entrants
}
