package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
)

// errCodeInternal is the error code for a failure of the server's own,
// such as an order that could not be written down.
const errCodeInternal = protocol.ErrCodeInternal

// orderRequest is one attempt to buy, from the checkout page's button or a
// buy command. Both go the same way: the same prices, limits and records.
type orderRequest struct {
	items []protocol.Item // each variant once
	// buyer is who deal limits and the funnel count the order against: the
	// identity ID of the client, or "ip:" and the address of a checkout
	// page posted without a ref.
	buyer    string
	clientID string // whose connections hear of the order; may be empty
	conn     *conn  // the connection a buy came on, or nil
	expect   int64  // the total the checkout page showed, or -1 for none
	key      string // the checkout page's order key, recorded with the order; empty for a buy
}

// orderFailure says why an order was refused, both as a page and as an
// error event.
type orderFailure struct {
	status int    // HTTP status
	code   string // protocol error code
	msg    string // for the buyer
	// changed says the show moved since the page was made (stock, a
	// price, a deal): the buyer is shown the cart as it is now.
	changed bool
}

func refused(status int, code, format string, args ...any) *orderFailure {
	return &orderFailure{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// errGone drops a buy whose connection ended while it was sent, as every
// other command of such a connection is dropped.
var errGone = &orderFailure{}

// reservation is what an order took out of the show before it was written
// down, to give back if that fails.
type reservation struct {
	buyer string
	stock map[string]int   // variant ID -> units
	deals map[int]dealTake // product index -> units at the deal price
}

type dealTake struct {
	serial uint64 // the deal they were taken from
	units  int
}

// placeOrder takes the items out of stock, all or none, at the prices of
// the moment as the pricing rule has them (deal prices, and the regular
// price for units over a deal's per-buyer limit); writes the order to the
// orders file; then counts it, tells the show who bought what and tells
// the buyer's connections their order. The stock is taken first, under
// the lock, so concurrent orders can never oversell; the file is written
// without it.
func (s *Server) placeOrder(req orderRequest) (protocol.Order, *orderFailure) {
	var rec orderRecord
	var res reservation
	var fail *orderFailure
	s.hub.locked(func() {
		if req.conn != nil && req.conn.ended {
			fail = errGone
			return
		}
		now := s.now()
		rec = orderRecord{Show: s.show.ID, At: now.UTC(), Buyer: s.buyerNameLocked(req), Key: req.key}
		rec.Order, res, fail = s.reserveLocked(req, now)
	})
	if fail != nil {
		return protocol.Order{}, fail
	}
	if err := s.orders.append(rec); err != nil {
		s.log.Error("order not recorded", "order", rec.ID, "err", err)
		s.hub.locked(func() { s.releaseLocked(res) })
		return protocol.Order{}, refused(http.StatusInternalServerError, errCodeInternal,
			"The order could not be recorded, so nothing was bought. Please try again.")
	}
	s.hub.locked(func() { s.commitLocked(req, rec) })
	s.log.Info("order placed", "order", rec.ID, "buyer", rec.Buyer, "total", rec.Total.String())
	return rec.Order, nil
}

// reserveLocked prices the order with the rule the checkout page uses and,
// when every unit can be filled at the total the page showed, takes it out
// of stock, counts its deal units against the buyer's limits and publishes
// the products it changed. Each line of the quote becomes one order line
// per price: the units at the deal's price, then those over its limit.
func (s *Server) reserveLocked(req orderRequest, now time.Time) (protocol.Order, reservation, *orderFailure) {
	if id, ok := s.unknownVariant(req.items); ok {
		return protocol.Order{}, reservation{}, refused(http.StatusNotFound, protocol.ErrCodeNotFound,
			"There is no variant %q in this show.", id)
	}
	q, err := s.quoteLocked(req.items, req.buyer, now)
	if err != nil {
		return protocol.Order{}, reservation{}, refused(http.StatusBadRequest, protocol.ErrCodeBadRequest,
			"The order total is too large: %v.", err)
	}
	for _, l := range q.LeftOut() {
		f := refused(http.StatusConflict, protocol.ErrCodeOutOfStock, "Only %d of %s (%s) left.", l.Stock, l.Product, l.Variant)
		if l.State == pricing.SoldOut {
			f.msg = fmt.Sprintf("%s (%s) is sold out.", l.Product, l.Variant)
		}
		f.changed = true
		return protocol.Order{}, reservation{}, f
	}
	if req.expect >= 0 && q.Total.Amount != req.expect {
		f := refused(http.StatusConflict, protocol.ErrCodeBadRequest,
			"The prices changed while the checkout page was open (a deal may have ended or reached its limit): the total is now %s. "+
				"Check the order below and place it again.", q.Total)
		f.changed = true
		return protocol.Order{}, reservation{}, f
	}

	res := reservation{buyer: req.buyer, stock: make(map[string]int, len(q.Lines)), deals: make(map[int]dealTake)}
	changed := make([]bool, len(s.products))
	var lines []protocol.OrderLine
	for _, l := range q.Lines {
		ref := s.variantAt[l.VariantID]
		s.products[ref.product].Variants[ref.variant].Stock -= l.Qty
		res.stock[l.VariantID] += l.Qty
		changed[ref.product] = true
		if l.DealQty > 0 && l.PerBuyer > 0 {
			take := res.deals[ref.product]
			take.serial, take.units = s.deals.serial[ref.product], take.units+l.DealQty
			res.deals[ref.product] = take
		}
		for _, p := range l.Parts() {
			lines = append(lines, protocol.OrderLine{
				ProductID: l.ProductID, VariantID: l.VariantID, Name: l.Product, Variant: l.Variant, Unit: p.Unit, Qty: p.Qty,
			})
		}
	}
	for i, take := range res.deals {
		if s.deals.bought[i] == nil {
			s.deals.bought[i] = make(map[string]int)
		}
		s.deals.bought[i][req.buyer] += take.units
	}
	s.publishChangedLocked(changed)
	s.orderIDs++
	return protocol.Order{ID: s.run + "-o" + strconv.FormatUint(s.orderIDs, 10), Lines: lines, Total: q.Total}, res, nil
}

// releaseLocked gives back what an order that could not be recorded took.
func (s *Server) releaseLocked(res reservation) {
	changed := make([]bool, len(s.products))
	for id, n := range res.stock {
		ref := s.variantAt[id]
		v := &s.products[ref.product].Variants[ref.variant]
		v.Stock = min(v.Stock+n, protocol.MaxStock) // the host may have set it meanwhile
		changed[ref.product] = true
	}
	for i, take := range res.deals {
		if s.deals.serial[i] == take.serial && s.deals.bought[i] != nil {
			if s.deals.bought[i][res.buyer] -= take.units; s.deals.bought[i][res.buyer] <= 0 {
				delete(s.deals.bought[i], res.buyer)
			}
		}
	}
	s.publishChangedLocked(changed)
}

// commitLocked counts a recorded order, publishes a purchase per line and
// sends the order to the buyer's connections.
func (s *Server) commitLocked(req orderRequest, rec orderRecord) {
	s.tally.order(rec.Order, s.productAt)
	addCapped(s.tally.ordered, req.buyer)
	// One purchase per variant, however many prices its units were at.
	var purchases []protocol.Purchase
	at := make(map[string]int, len(rec.Lines))
	for _, l := range rec.Lines {
		if i, ok := at[l.VariantID]; ok {
			purchases[i].Qty += l.Qty
			continue
		}
		at[l.VariantID] = len(purchases)
		purchases = append(purchases, protocol.Purchase{
			Buyer: rec.Buyer, ProductID: l.ProductID, ProductName: l.Name, VariantID: l.VariantID, Qty: l.Qty,
		})
	}
	for _, p := range purchases {
		s.hub.publishLocked(protocol.TypePurchase, p)
	}
	for c := range s.hub.joinedLocked() {
		if c == req.conn || req.clientID != "" && c.clientID == req.clientID {
			s.hub.sendLocked(c, protocol.TypeOrder, rec.Order)
		}
	}
}

// publishChangedLocked publishes each changed product once, whole, in
// catalog order, so the same order always makes the same events.
func (s *Server) publishChangedLocked(changed []bool) {
	for i, ch := range changed {
		if ch {
			s.publishProductLocked(i)
		}
	}
}

// buyerNameLocked is the name the show sees on a purchase: the buyer's
// display name when they are in the show, as their newest connection has
// it (a client that reconnected under another name goes by the new one).
func (s *Server) buyerNameLocked(req orderRequest) string {
	if req.conn != nil {
		return req.conn.id.Name
	}
	var newest *conn
	for c := range s.hub.joinedLocked() {
		if req.clientID != "" && c.clientID == req.clientID && (newest == nil || c.joinedAs > newest.joinedAs) {
			newest = c
		}
	}
	if newest == nil {
		return "someone"
	}
	return newest.id.Name
}

// buy places a buy command's order: the demo audience's way to check out.
func (s *Server) buy(c *conn, items []protocol.Item) *protocol.Error {
	merged, err := protocol.MergeItems(items)
	if err != nil {
		return newError(protocol.ErrCodeBadRequest, "buy: "+err.Error())
	}
	_, fail := s.placeOrder(orderRequest{items: merged, buyer: c.id.ID, clientID: c.clientID, conn: c, expect: -1})
	if fail == nil || fail == errGone {
		return nil
	}
	return newError(fail.code, fail.msg)
}
