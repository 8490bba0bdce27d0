package server

import (
	"fmt"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// deals is the server's side of the products' flash deals; the deals
// themselves live in Server.products. One timer, for the deal that ends
// first, ends them on time. Guarded by the show's lock (see Server).
type deals struct {
	// bought counts, by product index, the units each buyer has taken at
	// the running deal's price, for its per-buyer limit.
	bought []map[string]int
	// serial, by product index, changes whenever a deal starts or ends, so
	// an order that is rolled back gives its units back to the deal it
	// took them from and no other.
	serial []uint64
	// ended, by product index, is the last deal that ended on the product,
	// until another starts: a checkout page made before it ended can say
	// why its total went up.
	ended []*protocol.Deal
	stop  func() bool // stops the pending timer; nil when none is pending
	gen   uint64      // names the pending timer; one that fires after it was replaced does nothing
	// after starts a timer. Tests replace it to fire deal ends themselves
	// instead of waiting for them.
	after func(time.Duration, func()) (stop func() bool)
}

func newDeals(products int) deals {
	return deals{
		bought: make([]map[string]int, products),
		serial: make([]uint64, products),
		ended:  make([]*protocol.Deal, products),
		after:  func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
	}
}

// dealPrice is protocol.DealPrice: the one rule every peer prices a deal by.
func dealPrice(regular money.Money, percent int, amountOff int64) (money.Money, error) {
	return protocol.DealPrice(regular, percent, amountOff)
}

// startDealLocked puts a deal on a product, replacing any it had, and
// publishes the whole product with it.
func (s *Server) startDealLocked(d protocol.StartDeal) *protocol.Error {
	i, ok := s.productAt[d.ProductID]
	if !ok {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no product %q in this show", d.ProductID))
	}
	p := &s.products[i]
	price, err := dealPrice(p.Price, d.Percent, d.AmountOff)
	if err != nil {
		return newError(protocol.ErrCodeBadRequest, "start_deal: "+err.Error())
	}
	p.Deal = &protocol.Deal{
		Price:     price,
		Percent:   d.Percent,
		AmountOff: d.AmountOff,
		EndsAt:    s.now().Add(time.Duration(d.Seconds) * time.Second),
		PerBuyer:  d.PerBuyer,
		Code:      d.Code,
	}
	s.deals.bought[i] = nil
	s.deals.serial[i]++
	s.deals.ended[i] = nil
	s.publishProductLocked(i)
	s.scheduleDealsLocked()
	return nil
}

func (s *Server) endDealCommandLocked(e protocol.EndDeal) *protocol.Error {
	i, ok := s.productAt[e.ProductID]
	if !ok {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no product %q in this show", e.ProductID))
	}
	if s.products[i].Deal == nil {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("product %q has no deal running", e.ProductID))
	}
	s.endDealLocked(i)
	s.scheduleDealsLocked()
	return nil
}

// endDealLocked takes product i's deal away and publishes the product
// without it. The caller reschedules the timer.
func (s *Server) endDealLocked(i int) {
	s.deals.ended[i] = s.products[i].Deal
	s.products[i].Deal = nil
	s.deals.bought[i] = nil
	s.deals.serial[i]++
	s.publishProductLocked(i)
}

// repriceDealLocked follows a change of product i's regular price: the
// deal keeps its percent or amount off the new price, or ends when that
// would no longer be a discount.
func (s *Server) repriceDealLocked(i int) {
	p := &s.products[i]
	if p.Deal == nil {
		return
	}
	price, err := dealPrice(p.Price, p.Deal.Percent, p.Deal.AmountOff)
	if err != nil {
		s.deals.ended[i] = p.Deal
		p.Deal = nil
		s.deals.bought[i] = nil
		s.deals.serial[i]++
		s.scheduleDealsLocked()
		return
	}
	d := *p.Deal
	d.Price = price
	p.Deal = &d
}

// scheduleDealsLocked sets the timer for the next deal to end, replacing
// any pending one.
func (s *Server) scheduleDealsLocked() {
	s.stopDealTimerLocked()
	if s.hub.closedLocked() {
		return
	}
	var next time.Time
	for _, p := range s.products {
		if p.Deal != nil && (next.IsZero() || p.Deal.EndsAt.Before(next)) {
			next = p.Deal.EndsAt
		}
	}
	if next.IsZero() {
		return
	}
	s.deals.gen++
	gen := s.deals.gen
	s.wg.Add(1)
	s.deals.stop = s.deals.after(max(next.Sub(s.now()), 0), func() { s.dealsDue(gen) })
}

// stopDealTimerLocked cancels the pending timer. One that has already
// fired is left to find its generation out of date and do nothing.
func (s *Server) stopDealTimerLocked() {
	if s.deals.stop != nil && s.deals.stop() {
		s.wg.Done() // the timer will never run to do it
	}
	s.deals.stop = nil
}

// dealsDue ends every deal whose time is up and sets the timer for the
// next one.
func (s *Server) dealsDue(gen uint64) {
	defer s.wg.Done()
	s.hub.locked(func() {
		if s.hub.closedLocked() || gen != s.deals.gen {
			return
		}
		s.deals.stop = nil // fired: nothing left to stop
		now := s.now()
		for i, p := range s.products {
			if p.Deal != nil && !p.Deal.Active(now) {
				s.endDealLocked(i)
			}
		}
		s.scheduleDealsLocked()
	})
}
