package server

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

//go:embed checkout.html
var checkoutHTML string

// checkoutPage renders the checkout page and its error pages. html/template
// escapes every value, which matters: the items come straight from the URL.
var checkoutPage = template.Must(template.New("checkout").Parse(checkoutHTML))

// pageData is what checkout.html shows: a cart's Lines, Total and the
// Form that orders it; an order's confirmation (OrderID, Lines, Total); or
// a Problem under a Heading.
type pageData struct {
	Show    string
	Heading string
	Problem string
	Lines   []pageLine
	Total   string
	Form    *orderForm
	OrderID string
}

// orderForm is what the "Place order" button posts to /orders.
type orderForm struct {
	Items string // VARIANT:QTY,VARIANT:QTY as the page priced them
	Ref   string // the client ID from the checkout link, or empty
	Total int64  // the total shown, in minor units: the order is refused at any other
}

type pageLine struct {
	Product string
	Variant string
	Note    string // a stock or deal-limit warning, or empty
	Unit    string
	Regular string // the regular unit price, struck through while a deal is on
	Qty     int
	Total   string
}

// cartProblem heads the problem page of a checkout link.
const cartProblem = "This cart cannot be opened"

// serveCheckout answers GET /cart/VARIANT:QTY,VARIANT:QTY, the shape of a
// Shopify cart permalink, with the order's lines and total at the prices of
// the moment, and a button that places it. The ref query parameter, which
// the welcome's link template carries for a client that sent a client ID,
// goes into the form, so the order is reported back to that client.
func (s *Server) serveCheckout(w http.ResponseWriter, r *http.Request) {
	items, err := parseItems(r.PathValue("items"))
	if err != nil {
		s.renderCheckout(w, http.StatusBadRequest, pageData{Heading: cartProblem, Problem: err.Error()})
		return
	}
	ref := r.URL.Query().Get("ref")
	if ref != "" && !protocol.ValidID(ref) {
		s.renderCheckout(w, http.StatusBadRequest, pageData{Heading: cartProblem, Problem: "The link's ref is not a valid client id."})
		return
	}
	page, status := s.priceItems(items, s.buyerKey(ref, r))
	if page.Form != nil {
		page.Form.Ref = ref
	}
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

// parseItems reads "VARIANT:QTY,VARIANT:QTY". A variant listed twice is
// bought once with the quantities added up; the sum obeys the same 1 to
// protocol.MaxQty as a single line.
func parseItems(raw string) ([]protocol.Item, error) {
	if raw == "" {
		return nil, errors.New("the cart is empty")
	}
	parts := strings.Split(raw, ",")
	if len(parts) > protocol.MaxBuyItems {
		return nil, fmt.Errorf("a cart holds at most %d items, this one has %d", protocol.MaxBuyItems, len(parts))
	}
	items := make([]protocol.Item, 0, len(parts))
	at := make(map[string]int, len(parts))
	for _, part := range parts {
		id, qtyText, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("item %q is not VARIANT:QTY", clip(part))
		}
		if !protocol.ValidID(id) {
			return nil, fmt.Errorf("%q is not a valid variant id", clip(id))
		}
		// ParseUint takes no sign, so "+1" and "-1" fail here too.
		qty, err := strconv.ParseUint(qtyText, 10, 32)
		if err != nil || qty < 1 || qty > protocol.MaxQty {
			return nil, fmt.Errorf("quantity must be 1-%d, not %q (item %s)", protocol.MaxQty, clip(qtyText), id)
		}
		if i, dup := at[id]; dup {
			items[i].Qty += int(qty)
			if items[i].Qty > protocol.MaxQty {
				return nil, fmt.Errorf("quantity must be 1-%d, not %d in total (item %s)", protocol.MaxQty, items[i].Qty, id)
			}
			continue
		}
		at[id] = len(items)
		items = append(items, protocol.Item{VariantID: id, Qty: int(qty)})
	}
	return items, nil
}

// clip shortens user input quoted in an error message, on a rune boundary
// and without control characters.
func clip(s string) string {
	return sanitize.Truncate(sanitize.Line(s), 40)
}

// priceItems builds the page for items at the show's prices of the
// moment, or a 404 page naming the first unknown variant. A page that can
// be ordered from counts as a checkout started.
func (s *Server) priceItems(items []protocol.Item, buyer string) (pageData, int) {
	for _, it := range items {
		if _, ok := s.variantAt[it.VariantID]; !ok {
			return pageData{Heading: cartProblem, Problem: fmt.Sprintf("There is no variant %q in this show.", it.VariantID)}, http.StatusNotFound
		}
	}
	lines := make([]pageLine, len(items))
	ids := make([]string, len(items))
	total := money.New(0, s.currency)
	var err error
	s.hub.locked(func() {
		now := s.now()
		perProduct := make(map[int]int)
		for _, it := range items {
			perProduct[s.variantAt[it.VariantID].product] += it.Qty
		}
		for i, it := range items {
			ref := s.variantAt[it.VariantID]
			p := s.products[ref.product]
			v := p.Variants[ref.variant]
			unit := p.PriceAt(now)
			lines[i] = pageLine{Product: p.Name, Variant: v.Name, Qty: it.Qty, Note: stockNote(v.Stock, it.Qty), Unit: unit.String()}
			if unit != p.Price {
				lines[i].Regular = p.Price.String()
			}
			if room := s.dealRoomLocked(ref.product, buyer, now); room >= 0 && perProduct[ref.product] > room {
				lines[i].Note = joinNotes(lines[i].Note, fmt.Sprintf("the deal allows %d per buyer; %d left for you", p.Deal.PerBuyer, room))
			}
			var line money.Money
			if line, err = unit.Mul(it.Qty); err == nil {
				total, err = total.Add(line)
			}
			if err != nil {
				return
			}
			lines[i].Total = line.String()
			ids[i] = it.VariantID + ":" + strconv.Itoa(it.Qty)
		}
		s.tally.checkouts++
	})
	if err != nil {
		return pageData{Heading: cartProblem, Problem: "The order total is too large: " + err.Error()}, http.StatusBadRequest
	}
	form := &orderForm{Items: strings.Join(ids, ","), Total: total.Amount}
	return pageData{Lines: lines, Total: total.String(), Form: form}, http.StatusOK
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// stockNote warns when the show cannot fill a line; the page still shows it,
// because stock may come back and placing the order is where stock is
// enforced.
func stockNote(stock, qty int) string {
	switch {
	case stock == 0:
		return "sold out"
	case stock < qty:
		return fmt.Sprintf("only %d left", stock)
	}
	return ""
}

// renderCheckout writes the page with headers that keep a browser from doing
// anything with it but show it and post its form back here: no scripts, no
// other resources, no sniffing. The referrer policy sends the page's
// origin with its own form only; "no-referrer" would make the browser send
// "Origin: null", which the same-origin check of POST /orders refuses.
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
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body.Bytes())
}
