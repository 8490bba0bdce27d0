package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/livecart/livecart/protocol"
)

// maxOrderForm bounds the body of POST /orders, in bytes: twenty items, a
// ref, a total and a key fit many times over.
const maxOrderForm = 8 << 10

// orderProblem heads the problem page of an order.
const orderProblem = "The order was not placed"

// serveOrder answers the checkout page's "Place order" button: POST
// /orders with the form fields items (VARIANT:QTY,...), ref (optional, the
// client ID of the checkout link), total (optional, the total in minor
// units the page showed) and key (the page's order key). It answers with
// the order's confirmation, or a page saying why there is none: 403 for a
// form from another site, 429 for too many orders from one address, 400
// for a malformed form, 404 for an unknown variant, 409 when the show
// changed since the page was made (stock, a price, a deal), with the cart
// as it is now and a new form, 500 when the order could not be recorded.
//
// The same key posted again, from a double click, a reload or the back
// button, even after a restart with an orders file, answers with the
// first order's confirmation and places nothing.
func (s *Server) serveOrder(w http.ResponseWriter, r *http.Request) {
	problem := func(status int, msg string) {
		s.renderCheckout(w, status, pageData{Heading: orderProblem, Problem: msg})
	}
	if !s.sameOrigin(r) {
		problem(http.StatusForbidden, "This order did not come from this shop's checkout page.")
		return
	}
	ip := remoteIP(r.RemoteAddr)
	if !s.orderLimits.allow(ip) {
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
	if form.Has("gift") {
		s.payGift(w, r, form)
		return
	}
	items, err := protocol.ParseItems(form.Get("items"))
	if err != nil {
		problem(http.StatusBadRequest, err.Error())
		return
	}
	ref := form.Get("ref")
	if ref != "" && !protocol.ValidID(ref) {
		problem(http.StatusBadRequest, "The order's ref is not a valid client id.")
		return
	}
	expect := int64(-1)
	if t := form.Get("total"); t != "" {
		// ParseUint takes no sign, so a negative total is refused too.
		n, err := strconv.ParseUint(t, 10, 62)
		if err != nil {
			problem(http.StatusBadRequest, "The order's total is not a number of minor units.")
			return
		}
		expect = int64(n)
	}
	key := form.Get("key")
	if !protocol.ValidID(key) {
		problem(http.StatusBadRequest, "The order form has no valid key. Open the checkout link again.")
		return
	}

	prior, placed, err := s.orders.keys.claim(r.Context(), key)
	if err != nil {
		return // the buyer went away while the same order was being placed
	}
	if placed {
		s.log.Info("order posted again", "order", prior.ID)
		page := confirmation(prior)
		page.Notice = "This order was placed already; sending it again placed nothing more."
		s.renderCheckout(w, http.StatusOK, page)
		return
	}
	buyer := s.buyerKey(ref, r)
	order, fail := s.placeOrder(orderRequest{items: items, buyer: buyer, clientID: ref, expect: expect, key: key})
	if fail != nil {
		s.orders.keys.done(key, nil)
		if !fail.changed {
			problem(fail.status, fail.msg)
			return
		}
		// The page was out of date: show the cart as the show has it now,
		// with a form for that.
		page, status := s.cartPage(items, ref, buyer, expect, false)
		if status == http.StatusOK {
			page.Heading, page.Problem, status = orderProblem, fail.msg, fail.status
		}
		s.renderCheckout(w, status, page)
		return
	}
	s.orders.keys.done(key, &order)
	s.renderCheckout(w, http.StatusOK, confirmation(order))
}

// confirmation is the page of a placed order: its ID, lines and total.
func confirmation(o protocol.Order) pageData {
	page := pageData{OrderID: o.ID, Total: o.Total.String()}
	for _, l := range o.Lines {
		total, _ := l.Unit.Mul(l.Qty) // within the order's total, so it cannot overflow
		page.Lines = append(page.Lines, pageLine{
			Product: l.Name, Variant: l.Variant, Unit: l.Unit.String(), Qty: l.Qty, Total: total.String(),
		})
	}
	return page
}

// sameOrigin refuses a form another site's page posted: a browser names
// the page's origin in Origin (or, failing that, Referer), and it must be
// this server, as the request's Host or the public URL names it. A
// request with neither header comes from no browser page and cannot have
// been forged by one.
func (s *Server) sameOrigin(r *http.Request) bool {
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" {
		return false // "null" among others: an opaque origin is nobody's page
	}
	return strings.EqualFold(u.Host, r.Host) || s.publicHost != "" && strings.EqualFold(u.Host, s.publicHost)
}
