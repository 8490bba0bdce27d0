package server

import (
	"fmt"
	"slices"

	"github.com/livecart/livecart/protocol"
)

// hostCommand applies one host-only command for c.
type hostCommand func(s *Server, c *conn, env protocol.Envelope) *protocol.Error

// hostCommands are the commands only the host may send. The role is
// checked before anything else, so a viewer learns nothing from them but
// forbidden, whatever the payload.
var hostCommands = map[protocol.Type]hostCommand{
	protocol.TypePin:          withData((*Server).pinLocked),
	protocol.TypeUnpin:        withoutData((*Server).unpinLocked),
	protocol.TypeQueue:        withData((*Server).queueLocked),
	protocol.TypePinNext:      withoutData((*Server).pinNextLocked),
	protocol.TypeStartDeal:    withData((*Server).startDealLocked),
	protocol.TypeEndDeal:      withData((*Server).endDealCommandLocked),
	protocol.TypeSetStock:     withData((*Server).setStockLocked),
	protocol.TypeSetPrice:     withData((*Server).setPriceLocked),
	protocol.TypeDeleteChat:   withData((*Server).deleteChatLocked),
	protocol.TypeTimeout:      withData((*Server).timeoutLocked),
	protocol.TypeBan:          withData((*Server).banLocked),
	protocol.TypeSlowMode:     withData((*Server).slowModeLocked),
	protocol.TypeBlockedWords: withData((*Server).blockedWordsLocked),

	// Giveaways: giveaway.go and giveawaydraw.go.
	protocol.TypeStartGiveaway: startGiveaway,
	protocol.TypeDraw:          drawGiveaway,
	// Auctions (auction.go).
	protocol.TypeStartAuction:  withData((*Server).startAuctionLocked),
	protocol.TypeCancelAuction: withData((*Server).cancelAuctionLocked),
}

// withData decodes and validates the command's payload, then applies it
// with the show's lock held.
func withData[T any](apply func(*Server, T) *protocol.Error) hostCommand {
	return func(s *Server, c *conn, env protocol.Envelope) *protocol.Error {
		v, err := protocol.Decode[T](env)
		if err != nil {
			return newError(protocol.ErrCodeBadRequest, err.Error())
		}
		return s.do(c, func() *protocol.Error { return apply(s, v) })
	}
}

// withoutData applies a command that has no fields, so whatever data it
// carries, even none, cannot be wrong.
func withoutData(apply func(*Server) *protocol.Error) hostCommand {
	return func(s *Server, c *conn, _ protocol.Envelope) *protocol.Error {
		return s.do(c, func() *protocol.Error { return apply(s) })
	}
}

// queueLocked replaces the up-next list. Every product must exist; one
// listed twice is queued once, where it first appears.
func (s *Server) queueLocked(q protocol.Queue) *protocol.Error {
	list := make([]string, 0, len(q.ProductIDs))
	for _, id := range q.ProductIDs {
		if _, ok := s.productAt[id]; !ok {
			return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no product %q in this show", id))
		}
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	s.upNext = list
	return nil
}

// pinNextLocked pins the head of the up-next list and takes it off the
// list. The variant pinned is the first one in stock, or the first one when
// all are sold out: the host chose to show it, and may be about to restock.
func (s *Server) pinNextLocked() *protocol.Error {
	if len(s.upNext) == 0 {
		return newError(protocol.ErrCodeNotFound, "nothing is up next")
	}
	p := s.products[s.productAt[s.upNext[0]]]
	variant := p.Variants[0].ID
	for _, v := range p.Variants {
		if v.Stock > 0 {
			variant = v.ID
			break
		}
	}
	s.upNext = slices.Delete(s.upNext, 0, 1)
	return s.pinLocked(protocol.Pin{ProductID: p.ID, VariantID: variant})
}

func (s *Server) setStockLocked(st protocol.SetStock) *protocol.Error {
	ref, ok := s.variantAt[st.VariantID]
	if !ok {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no variant %q in this show", st.VariantID))
	}
	s.products[ref.product].Variants[ref.variant].Stock = st.Stock
	s.publishProductLocked(ref.product)
	return nil
}

// setPriceLocked changes a product's regular price. A running deal keeps
// its percent or amount off, now off the new price.
func (s *Server) setPriceLocked(sp protocol.SetPrice) *protocol.Error {
	i, ok := s.productAt[sp.ProductID]
	if !ok {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no product %q in this show", sp.ProductID))
	}
	if sp.Price.Currency != s.currency {
		// A checkout total cannot add one currency to another.
		return newError(protocol.ErrCodeBadRequest, fmt.Sprintf("set_price: this show sells in %s, not %s", s.currency, sp.Price.Currency))
	}
	s.products[i].Price = sp.Price
	s.repriceDealLocked(i)
	s.publishProductLocked(i)
	return nil
}

func (s *Server) pinLocked(pin protocol.Pin) *protocol.Error {
	if e := s.checkVariantOf(pin.ProductID, pin.VariantID); e != nil {
		return e
	}
	s.pinned = &pin
	s.hub.publishLocked(protocol.TypePin, pin)
	return nil
}

func (s *Server) unpinLocked() *protocol.Error {
	s.pinned = nil
	s.hub.publishLocked(protocol.TypeUnpin, protocol.Unpin{})
	return nil
}
