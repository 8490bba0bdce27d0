package server

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
)

//go:embed checkout.html
var checkoutHTML string

// checkoutPage renders the checkout page and its error pages. html/template
// escapes every value, which matters: the items come straight from the URL.
var checkoutPage = template.Must(template.New("checkout").Parse(checkoutHTML))

// pageData is what checkout.html shows: a cart's Lines, Total and the Form
// that orders it; an order's confirmation (OrderID, Lines, Total); a
// Problem under a Heading; or a problem and a cart, when an order was
// refused because the show changed. Notice says what changed since the
// link was made, or what the page leaves out.
type pageData struct {
	Show    string
	Heading string // empty: "Checkout", or "Order placed" with an OrderID
	Problem string
	Notice  string
	Lines   []pageLine
	Total   string
	Form    *orderForm
	OrderID string
}

// orderForm is what the "Place order" button posts to /orders.
type orderForm struct {
	Items string // VARIANT:QTY,VARIANT:QTY: what the page can sell now
	Gift  string // or the ID of the gift the page pays for (giftpage.go)
	Ref   string // the client ID from the checkout link, or empty
	Total int64  // the total shown, in minor units: the order is refused at any other
	Key   string // names this page's order, so posting it twice places it once

	// Action is where it posts, relative to the page; empty means
	// ../orders. A won auction's page posts to its own address.
	Action string
}

// pageLine is one row of the page: some units of a variant at one price.
// A line of the cart split by a deal's per-buyer limit takes two rows.
type pageLine struct {
	Product string
	Variant string
	Note    string // what limits the row: stock, a deal's limit, a deal's end
	Unit    string
	Regular string // the regular unit price, struck through before a deal's
	Qty     int
	Total   string
	Out     bool // nothing of it is in the order
}

// cartProblem heads the problem page of a checkout link.
const cartProblem = "This cart cannot be opened"

// checkoutTemplate is the link template a welcome gives a connection with
// base (as conn.checkout has it) and clientID: the items, the client ID
// that orders are reported back to, and the total the client's cart
// showed. The total is left out when it would make the template too long.
func checkoutTemplate(base, clientID string) string {
	t := base + "?"
	if clientID != "" {
		// Orders placed through this link are reported back to the
		// client's connections, and count against its deal limits.
		t += "ref=" + clientID + "&"
	}
	return t + protocol.CheckoutSeenParam + "=" + protocol.CheckoutTotalPlaceholder
}

// maxTemplateQuery is the most checkoutTemplate adds to a base, in bytes:
// the ref of the longest client ID and the seen total. A base is refused
// (the public URL at start, the Host of a request) unless the whole
// template fits protocol.MaxCheckoutURLBytes, so neither is ever dropped.
const maxTemplateQuery = len("?ref=") + protocol.MaxIDBytes + len("&") +
	len(protocol.CheckoutSeenParam) + len("=") + len(protocol.CheckoutTotalPlaceholder)

// serveCheckout answers GET /cart/VARIANT:QTY,VARIANT:QTY, the shape of a
// Shopify cart permalink, with what the show can sell of it now, at the
// prices of the moment, and a button that places that order. The ref
// query parameter, which the welcome's link template carries for a client
// that sent a client ID, goes into the form, so the order is reported back
// to that client. The seen parameter is the total the client's cart
// showed; when the total now differs, the page says what changed.
func (s *Server) serveCheckout(w http.ResponseWriter, r *http.Request) {
	items, err := protocol.ParseItems(r.PathValue("items"))
	if err != nil {
		s.renderCheckout(w, http.StatusBadRequest, pageData{Heading: cartProblem, Problem: err.Error()})
		return
	}
	query := r.URL.Query()
	ref := query.Get("ref")
	if ref != "" && !protocol.ValidID(ref) {
		s.renderCheckout(w, http.StatusBadRequest, pageData{Heading: cartProblem, Problem: "The link's ref is not a valid client id."})
		return
	}
	seen := int64(-1)
	if n, ok := protocol.ParseSeen(query.Get(protocol.CheckoutSeenParam)); ok {
		seen = n
	}
	page, status := s.cartPage(items, ref, s.buyerKey(ref, r), seen, true)
	s.renderCheckout(w, status, page)
}

// buyerKey is who a checkout page or order from r is counted against: the
// client named by ref, the same identity its connections have, or else
// the request's address.
func (s *Server) buyerKey(ref string, r *http.Request) string {
	if ref != "" {
		return s.clientIdentity(ref)
	}
	return "ip:" + remoteIP(r.RemoteAddr)
}

// quoteLocked is the server's entry to the pricing rule every checkout
// page and order uses: items at the show's stock, prices and deals of now,
// with what buyer has bought during each running deal counted against its
// per-buyer limit.
func (s *Server) quoteLocked(items []protocol.Item, buyer string, now time.Time) (pricing.Quote, error) {
	lookup := func(id string) (protocol.Product, bool) {
		ref, ok := s.variantAt[id]
		if !ok {
			return protocol.Product{}, false
		}
		return s.products[ref.product], true
	}
	taken := func(p protocol.Product) int { return s.deals.bought[s.productAt[p.ID]][buyer] }
	return pricing.Price(items, lookup, taken, now)
}

// unknownVariant returns the first item the show does not sell, if any.
func (s *Server) unknownVariant(items []protocol.Item) (string, bool) {
	for _, it := range items {
		if _, ok := s.variantAt[it.VariantID]; !ok {
			return it.VariantID, true
		}
	}
	return "", false
}

// cartPage builds the checkout page for items: each line as the show can
// fill it now, the total, and a form with a fresh key that orders exactly
// that, unless nothing can be bought. seen is the total the buyer was
// shown (by their cart, or by the page they posted), or -1. A page that
// can be ordered from counts as a checkout started when started is true.
// An unknown variant gets a 404 page naming it.
func (s *Server) cartPage(items []protocol.Item, ref, buyer string, seen int64, started bool) (pageData, int) {
	if id, ok := s.unknownVariant(items); ok {
		return pageData{Heading: cartProblem, Problem: fmt.Sprintf("There is no variant %q in this show.", id)}, http.StatusNotFound
	}
	var page pageData
	var q pricing.Quote
	var err error
	s.hub.locked(func() {
		q, err = s.quoteLocked(items, buyer, s.now())
		if err != nil {
			return
		}
		changed := seen >= 0 && seen != q.Total.Amount
		page.Lines = s.pageLinesLocked(q, changed)
		if started && len(q.Items()) > 0 {
			s.tally.checkouts++
		}
	})
	if err != nil {
		return pageData{Heading: cartProblem, Problem: "The order total is too large: " + err.Error()}, http.StatusBadRequest
	}
	page.Total = totalText(q.Total, s.currency)
	var notices []string
	if seen >= 0 && seen != q.Total.Amount {
		notices = append(notices, fmt.Sprintf("You were shown a total of %s; the total now is %s.",
			money.New(seen, s.currency), page.Total))
	}
	buy := q.Items()
	switch {
	case len(buy) == 0:
		notices = append(notices, "Nothing in this cart can be bought now.")
	case !q.Complete():
		notices = append(notices, "Not everything in the cart can be bought now: the order below is what can.")
	}
	page.Notice = strings.Join(notices, " ")
	if len(buy) > 0 {
		text, _ := protocol.FormatItems(buy) // a subset of parsed items: valid
		page.Form = &orderForm{Items: text, Ref: ref, Total: q.Total.Amount, Key: newOrderKey()}
	}
	return page, http.StatusOK
}

// totalText formats a quote's total, which has no currency when nothing
// can be bought.
func totalText(total money.Money, currency string) string {
	if total.Currency == "" {
		total = money.New(0, currency)
	}
	return total.String()
}

// pageLinesLocked lays a quote out as rows: each line's units at the
// deal's price, then those at the regular price, or one row for a line
// with nothing to sell. changed says the total differs from the one the
// buyer was shown, so a deal that ended since is worth saying.
func (s *Server) pageLinesLocked(q pricing.Quote, changed bool) []pageLine {
	var rows []pageLine
	for _, l := range q.Lines {
		var notes []string
		switch l.State {
		case pricing.Short:
			notes = append(notes, fmt.Sprintf("only %d left: %d of the %d asked for", l.Stock, l.Qty, l.Want))
		case pricing.SoldOut:
			notes = append(notes, "sold out: not in this order")
		}
		if ended := s.deals.ended[s.productAt[l.ProductID]]; changed && !l.DealOn() && ended != nil {
			notes = append(notes, fmt.Sprintf("the deal at %s has ended", ended.Price))
		}
		parts := l.Parts()
		if len(parts) == 0 {
			unit := l.Regular
			if l.DealOn() {
				unit = l.Deal
			}
			rows = append(rows, pageLine{Product: l.Product, Variant: l.Variant, Note: strings.Join(notes, "; "),
				Unit: unit.String(), Qty: 0, Total: "—", Out: true})
			continue
		}
		for _, p := range parts {
			row := pageLine{Product: l.Product, Variant: l.Variant, Unit: p.Unit.String(), Qty: p.Qty}
			sub, _ := p.Unit.Mul(p.Qty) // within the quote's total
			row.Total = sub.String()
			rowNotes := notes
			notes = nil // said once, on the line's first row
			switch {
			case p.Deal:
				row.Regular = l.Regular.String()
				if l.PerBuyer > 0 {
					rowNotes = append(rowNotes, fmt.Sprintf("deal price, %d per buyer", l.PerBuyer))
				}
			case l.DealOn() && l.DealQty > 0:
				rowNotes = append(rowNotes, fmt.Sprintf("over the deal's limit of %d per buyer: regular price", l.PerBuyer))
			case l.DealOn():
				rowNotes = append(rowNotes, fmt.Sprintf("the deal's limit of %d per buyer is used up: regular price", l.PerBuyer))
			}
			row.Note = strings.Join(rowNotes, "; ")
			rows = append(rows, row)
		}
	}
	return rows
}

// newOrderKey returns a random key for a checkout page's order: 128 bits,
// as 32 hex digits, which protocol.ValidID accepts.
func newOrderKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails
	return hex.EncodeToString(b[:])
}

// renderCheckout writes the page with headers that keep a browser from doing
// anything with it but show it and post its form back here: no scripts, no
// other resources, no sniffing. The referrer policy sends the page's
// origin with its own form only; "no-referrer" would make the browser send
// "Origin: null", which the same-origin check of POST /orders refuses.
//
// A page with an order form may be kept in the browser's own cache
// (private) but is revalidated before it is shown anew (no-cache): going
// back to it after placing its order shows the same page with the same
// key, so posting it again gives that order's confirmation rather than a
// second order; a reload asks for a fresh page. Every other page is never
// stored.
func (s *Server) renderCheckout(w http.ResponseWriter, status int, page pageData) {
	page.Show = s.show.Title
	var body bytes.Buffer
	if err := checkoutPage.Execute(&body, page); err != nil {
		s.log.Error("render checkout page", "err", err)
		http.Error(w, "could not render the checkout page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if page.Form != nil {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body.Bytes())
}
