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

// pageData is what checkout.html shows: either Lines and Total, or Problem.
type pageData struct {
	Show    string
	Lines   []pageLine
	Total   string
	Problem string
}

type pageLine struct {
	Product string
	Variant string
	Note    string // a stock warning, or empty
	Unit    string
	Qty     int
	Total   string
}

// serveCheckout answers GET /cart/VARIANT:QTY,VARIANT:QTY, the shape of a
// Shopify cart permalink, with the order's lines and total.
func (s *Server) serveCheckout(w http.ResponseWriter, r *http.Request) {
	items, err := parseItems(r.PathValue("items"))
	if err != nil {
		s.renderCheckout(w, http.StatusBadRequest, pageData{Problem: err.Error()})
		return
	}
	page, status := s.priceItems(items)
	s.renderCheckout(w, status, page)
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

// priceItems builds the page for items at the show's prices, or a 404 page
// naming the first unknown variant.
func (s *Server) priceItems(items []protocol.Item) (pageData, int) {
	for _, it := range items {
		if _, ok := s.variantAt[it.VariantID]; !ok {
			return pageData{Problem: fmt.Sprintf("There is no variant %q in this show.", it.VariantID)}, http.StatusNotFound
		}
	}
	lines := make([]pageLine, len(items))
	prices := make([]money.Money, len(items))
	s.mu.Lock()
	for i, it := range items {
		ref := s.variantAt[it.VariantID]
		p := s.products[ref.product]
		v := p.Variants[ref.variant]
		lines[i] = pageLine{Product: p.Name, Variant: v.Name, Qty: it.Qty, Note: stockNote(v.Stock, it.Qty)}
		prices[i] = p.Price
	}
	s.mu.Unlock()

	total := money.New(0, s.currency)
	for i := range lines {
		line, err := prices[i].Mul(lines[i].Qty)
		if err == nil {
			total, err = total.Add(line)
		}
		if err != nil {
			return pageData{Problem: "The order total is too large: " + err.Error()}, http.StatusBadRequest
		}
		lines[i].Unit = prices[i].String()
		lines[i].Total = line.String()
	}
	return pageData{Lines: lines, Total: total.String()}, http.StatusOK
}

// stockNote warns when the show cannot fill a line; the page still shows it,
// because stock may come back and the buy command is where stock is enforced.
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
// anything with it but show it: no scripts, no other resources, no sniffing.
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
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body.Bytes())
}
