package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// This file pays for gifts: the page a gift_link points to, its Place
// order button (a post to /orders with a gift field), and the orders
// file's record of a paid gift.

// giftProblem heads the problem pages of gifts.
const giftProblem = "This gift cannot be paid"

// giftPaidHeading heads a paid gift's confirmation.
const giftPaidHeading = "Gift paid"

// giftRecord is the orders file's line for a paid gift. Its type, "gift",
// and its lack of lines tell it from an order of products.
type giftRecord struct {
	Show   string            `json:"show"`
	At     time.Time         `json:"at"`
	Type   string            `json:"type"` // recordGift
	Key    string            `json:"key"`  // the gift page's order key
	ID     string            `json:"id"`   // the gift's
	From   protocol.Identity `json:"from"`
	Kind   string            `json:"kind"`
	Amount money.Money       `json:"amount"`
}

// gift is the show event for the paid gift rec records.
func (rec giftRecord) gift() protocol.Gift {
	return protocol.Gift{ID: rec.ID, From: rec.From, Kind: rec.Kind, Amount: rec.Amount}
}

// serveGift answers GET /gift/{id}?ref=CLIENT_ID, the link of a gift_link
// event: the show's checkout page with one line, the gift at its amount,
// and a Place order button that pays it. The ref must be the client that
// asked for the gift: 403 otherwise. An unknown or expired gift is 404; a
// paid one says so, without a button.
func (s *Server) serveGift(w http.ResponseWriter, r *http.Request) {
	id, ref := r.PathValue("id"), r.URL.Query().Get("ref")
	var page pageData
	status := http.StatusOK
	s.hub.locked(func() {
		l, fail := s.findGiftLocked(id, ref)
		switch {
		case fail != nil:
			page, status = pageData{Heading: giftProblem, Problem: fail.msg}, fail.status
		case l.state == giftPaid:
			page = giftConfirmation(giftOrder(l.id, l.kind, l.from.Name))
			page.Notice = "This gift is paid already."
		default:
			page = pageData{Lines: giftOrderLines(l.kind, l.from.Name), Total: l.kind.Amount.String(),
				Form: &orderForm{Gift: l.id, Ref: ref, Total: l.kind.Amount.Amount, Key: newOrderKey()}}
			if l.state == giftPaying {
				page.Notice = "This gift is being paid right now."
			}
		}
	})
	s.renderCheckout(w, status, page)
}

// findGiftLocked returns the gift with id as the client ref may see it.
func (s *Server) findGiftLocked(id, ref string) (*giftLink, *orderFailure) {
	l, ok := s.gifts.links[id]
	if !ok || l.expired(s.now()) {
		return nil, refused(http.StatusNotFound, protocol.ErrCodeNotFound,
			"There is no gift %q waiting to be paid in this show: an unpaid gift link lasts %d minutes.", id, int(giftLinkTTL/time.Minute))
	}
	if ref != l.clientID {
		return nil, refused(http.StatusForbidden, protocol.ErrCodeForbidden,
			"This gift link belongs to another viewer: open the link your own client was given.")
	}
	return l, nil
}

// giftOrderLines is the page's one line for a gift of kind k from name.
func giftOrderLines(k protocol.GiftKind, name string) []pageLine {
	amount := k.Amount.String()
	return []pageLine{{Product: k.Name + " gift", Variant: "from " + name, Unit: amount, Qty: 1, Total: amount}}
}

// giftOrder is a paid gift as an order, the shape the order keys keep and
// a confirmation page shows. It is never sent to anyone.
func giftOrder(id string, k protocol.GiftKind, name string) protocol.Order {
	return protocol.Order{
		ID:    id,
		Lines: []protocol.OrderLine{{VariantID: k.ID, Name: k.Name + " gift", Variant: "from " + name, Unit: k.Amount, Qty: 1}},
		Total: k.Amount,
	}
}

// giftConfirmation is the page of a paid gift.
func giftConfirmation(o protocol.Order) pageData {
	page := confirmation(o)
	page.Heading = giftPaidHeading
	return page
}

// payGift answers a gift page's Place order button: POST /orders with
// the form fields gift (its ID), ref, total and key, once serveOrder has
// checked the form's origin and the address's rate. The gift is paid
// once: the same key posted again, or the gift paid from another page,
// answers that it is paid already. Only once its record is in the orders
// file does the show hear of it, as a gift event.
func (s *Server) payGift(w http.ResponseWriter, r *http.Request, form url.Values) {
	problem := func(status int, msg string) {
		s.renderCheckout(w, status, pageData{Heading: giftProblem, Problem: msg})
	}
	id, ref, key := form.Get("gift"), form.Get("ref"), form.Get("key")
	if !protocol.ValidID(id) || ref != "" && !protocol.ValidID(ref) {
		problem(http.StatusBadRequest, "The gift form's gift or ref is not a valid id.")
		return
	}
	if !protocol.ValidID(key) {
		problem(http.StatusBadRequest, "The gift form has no valid key. Open the gift link again.")
		return
	}
	expect := int64(-1)
	if t := form.Get("total"); t != "" {
		n, err := strconv.ParseUint(t, 10, 62)
		if err != nil {
			problem(http.StatusBadRequest, "The gift's total is not a number of minor units.")
			return
		}
		expect = int64(n)
	}
	prior, placed, err := s.orders.keys.claim(r.Context(), key)
	if err != nil {
		return // the buyer went away while the same gift was being paid
	}
	if placed {
		page := giftConfirmation(prior)
		page.Notice = "This gift was paid already; sending it again paid nothing more."
		s.renderCheckout(w, http.StatusOK, page)
		return
	}
	rec, page, fail := s.startGiftPayment(id, ref, key, expect)
	if fail != nil || page != nil {
		s.orders.keys.done(key, nil)
		if page != nil {
			s.renderCheckout(w, http.StatusOK, *page)
			return
		}
		problem(fail.status, fail.msg)
		return
	}
	if err := s.orders.appendLine(rec.ID, rec); err != nil {
		s.log.Error("gift not recorded", "gift", rec.ID, "err", err)
		s.hub.locked(func() { s.gifts.links[rec.ID].state = giftUnpaid })
		s.orders.keys.done(key, nil)
		problem(http.StatusInternalServerError, "The payment could not be recorded, so nothing was paid. Please try again.")
		return
	}
	var o protocol.Order
	s.hub.locked(func() { o = s.finishGiftPaymentLocked(rec) })
	s.log.Info("gift paid", "gift", rec.ID, "from", rec.From.ID, "amount", rec.Amount.String())
	s.orders.keys.done(key, &o)
	s.renderCheckout(w, http.StatusOK, giftConfirmation(o))
}

// startGiftPayment marks the gift with id as being paid and returns its
// record, or the page to answer with instead: the gift's confirmation
// when it is paid already, or why it cannot be paid.
func (s *Server) startGiftPayment(id, ref, key string, expect int64) (giftRecord, *pageData, *orderFailure) {
	var rec giftRecord
	var page *pageData
	var fail *orderFailure
	s.hub.locked(func() {
		l, f := s.findGiftLocked(id, ref)
		switch {
		case f != nil:
			fail = f
		case l.state == giftPaid:
			p := giftConfirmation(giftOrder(l.id, l.kind, l.from.Name))
			p.Notice = "This gift was paid already; paying it again paid nothing more."
			page = &p
		case l.state == giftPaying:
			fail = refused(http.StatusConflict, protocol.ErrCodeBadRequest, "This gift is being paid right now.")
		case expect >= 0 && expect != l.kind.Amount.Amount:
			fail = refused(http.StatusBadRequest, protocol.ErrCodeBadRequest,
				"The gift's total is not its amount, %s. Open the gift link again.", l.kind.Amount)
		default:
			l.state = giftPaying
			rec = giftRecord{Show: s.show.ID, At: s.now().UTC(), Type: recordGift, Key: key,
				ID: l.id, From: l.from, Kind: l.kind.ID, Amount: l.kind.Amount}
		}
	})
	return rec, page, fail
}

// finishGiftPaymentLocked counts a gift whose record is written and
// publishes it, and returns it as an order for the order keys.
func (s *Server) finishGiftPaymentLocked(rec giftRecord) protocol.Order {
	g := &s.gifts
	l := g.links[rec.ID]
	l.state = giftPaid
	if gv, ok := g.givers[l.from.ID]; ok {
		for i, u := range gv.unpaid {
			if u == l {
				gv.unpaid = append(gv.unpaid[:i], gv.unpaid[i+1:]...)
				break
			}
		}
	}
	g.unpaid--
	g.count(rec.From, rec.Amount.Amount)
	s.hub.publishLocked(protocol.TypeGift, rec.gift())
	return giftOrder(l.id, l.kind, l.from.Name)
}

// loadGift counts a paid gift read back from the orders file in the
// metrics and the supporters board, and keeps its key, so its page posted
// again after a restart says it is paid. New calls it, before anything
// runs.
func (s *Server) loadGift(line []byte) error {
	var rec giftRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return err
	}
	if err := rec.gift().Validate(); err != nil {
		return fmt.Errorf("gift: %w", err)
	}
	if rec.Amount.Currency != s.currency {
		return fmt.Errorf("gift in %s, but the show sells in %s", rec.Amount.Currency, s.currency)
	}
	if !protocol.ValidID(rec.Key) {
		return errors.New("gift without a valid key")
	}
	k, ok := s.gifts.kind(rec.Kind)
	if !ok || k.Amount != rec.Amount {
		// A kind the show no longer offers, or at another amount.
		k = protocol.GiftKind{ID: rec.Kind, Name: rec.Kind, Amount: rec.Amount}
	}
	s.gifts.count(rec.From, rec.Amount.Amount)
	s.orders.keys.placed(rec.Key, giftOrder(rec.ID, k, rec.From.Name))
	return nil
}
