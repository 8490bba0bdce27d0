package host

import (
	"slices"
	"strconv"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/theme"
)

// maxSales is how many recent purchases the dashboard keeps.
const maxSales = 50

// sale is a purchase event, sanitized.
type sale struct {
	buyer   string
	product string
	variant string
	qty     int
}

// addSale keeps a purchase for the sales feed. The variant's name comes
// from the mirror, which holds it sanitized.
func (m *Model) addSale(p protocol.Purchase) {
	s := sale{buyer: sanitize.Line(p.Buyer), product: sanitize.Line(p.ProductName), qty: p.Qty}
	if prod, ok := m.Show.Product(p.ProductID); ok {
		if v, ok := prod.Variant(p.VariantID); ok {
			s.variant = v.Name
		}
	}
	m.sales = append(slices.Clip(m.sales), s)
	if len(m.sales) > maxSales {
		m.sales = slices.Clone(m.sales[len(m.sales)-maxSales:])
	}
}

// salesRows lists the newest purchases first, at most n.
func salesRows(s *theme.Styles, sales []sale, n int) []string {
	if len(sales) == 0 {
		return []string{s.Subtle.Render("No purchases yet.")}
	}
	var rows []string
	for i := len(sales) - 1; i >= 0 && len(rows) < n; i-- {
		sl := sales[i]
		what := sl.product
		if sl.variant != "" {
			what += " (" + sl.variant + ")"
		}
		rows = append(rows, s.Name(sl.buyer).Render(sl.buyer)+s.Subtle.Render(" bought ")+
			s.Title.Render(strconv.Itoa(sl.qty)+" × ")+what)
	}
	return rows
}
