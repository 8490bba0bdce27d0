package host

import (
	"strconv"
	"strings"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// lowStock is the stock at or below which a product is drawn as running out.
const lowStock = 5

// catalogView is what the catalog table needs to draw itself.
type catalogView struct {
	styles   *theme.Styles
	products []protocol.Product
	sel      int
	focused  bool
	pinned   string         // pinned product ID
	upNext   map[string]int // product ID -> place in the up-next list, from 1
	counts   map[string]protocol.ProductMetrics
	now      time.Time // server time, for deal countdowns
	wide     bool      // adds and removes get columns of their own
}

// Widths of the fixed columns, in cells.
const (
	colMark  = 2 // "▸ "
	colTag   = 3 // "● " or "12 "
	colStock = 9 // "sold out" and a space
	colCount = 6
	minNameW = 12 // below this the table drops columns
)

// rows draws the header and at most n products, scrolled so the selection
// shows, each exactly width cells.
func (v catalogView) rows(width, n int) []string {
	s := v.styles
	if len(v.products) == 0 {
		return []string{fit(s.Subtle.Render("The catalog is empty."), width)}
	}
	prices := make([]string, len(v.products))
	priceW := len("Price")
	for i, p := range v.products {
		prices[i] = v.price(p)
		priceW = max(priceW, cells(prices[i]))
	}
	countCols := []string{"Carts", "Sold"}
	if v.wide {
		countCols = []string{"Adds", "Drops", "Sold"}
	}
	// On a narrow screen the counts go first, then the stock, so a name
	// keeps minNameW cells: a table of numbers nobody can match to a
	// product helps no one.
	stockW := colStock
	fixed := func() int { return colMark + colTag + 1 + priceW + stockW + colCount*len(countCols) }
	if width-fixed() < minNameW {
		countCols = nil
	}
	if width-fixed() < minNameW {
		stockW = 0
	}
	nameW := max(4, width-fixed())
	priceW = min(priceW, max(0, width-colMark-colTag-nameW-1))

	head := strings.Repeat(" ", colMark+colTag) + padRight("Product", nameW) + " " + padRight("Price", priceW)
	if stockW > 0 {
		head += padLeft("Stock", stockW)
	}
	for _, c := range countCols {
		head += padLeft(c, colCount)
	}
	out := []string{fit(s.Subtle.Render(head), width)}

	top, shown := window(len(v.products), v.sel, n)
	for i := top; i < top+shown; i++ {
		p := v.products[i]
		mark := "  "
		if i == v.sel {
			style := s.Subtle
			if v.focused {
				style = s.Accent
			}
			mark = style.Bold(true).Render("▸") + " "
		}
		tag := strings.Repeat(" ", colTag)
		switch {
		case p.ID == v.pinned:
			tag = s.Live.UnsetPadding().Render("●") + "  "
		case v.upNext[p.ID] > 0:
			tag = s.Accent.Render(padRight(strconv.Itoa(v.upNext[p.ID]), colTag))
		}
		name := p.Name
		if i == v.sel {
			name = s.Title.Render(name)
		}
		c := v.counts[p.ID]
		row := mark + tag + padRight(name, nameW) + " " + padRight(prices[i], priceW)
		if stockW > 0 {
			row += padLeft(v.stock(p), stockW)
		}
		counts := []int{c.Adds, c.Sold}
		if v.wide {
			counts = []int{c.Adds, c.Removes, c.Sold}
		}
		for j := range countCols {
			row += padLeft(strconv.Itoa(counts[j]), colCount)
		}
		out = append(out, fit(row, width))
	}
	return out
}

// window is the first row and the number of rows of n items to show in
// room rows so that sel is among them, kept near the middle.
func window(n, sel, room int) (top, shown int) {
	room = max(0, room)
	if n <= room {
		return 0, n
	}
	top = min(max(0, sel-room/2), n-room)
	return top, room
}

// price is the product's price, or its deal price, discount and time left.
func (v catalogView) price(p protocol.Product) string {
	s := v.styles
	if p.Deal == nil {
		return s.Price.Render(p.Price.String())
	}
	off := "−" + percentOff(p)
	if p.Deal.AmountOff > 0 && p.Deal.Percent == 0 {
		off = "−" + money.New(p.Deal.AmountOff, p.Price.Currency).String()
	}
	left := s.Warn.Render("ending")
	if p.Deal.Active(v.now) {
		left = s.Warn.Render(live.Left(v.now, p.Deal.EndsAt))
	}
	return s.Deal.Render(p.Deal.Price.String()) + " " + s.Deal.Render(off) + " " + left
}

// percentOff is the deal's discount in percent, as set or as it works out.
func percentOff(p protocol.Product) string {
	if p.Deal.Percent > 0 {
		return strconv.Itoa(p.Deal.Percent) + "%"
	}
	if p.Price.Amount <= 0 {
		return "0%"
	}
	return strconv.FormatInt((p.Price.Amount-p.Deal.Price.Amount)*100/p.Price.Amount, 10) + "%"
}

func (v catalogView) stock(p protocol.Product) string {
	n := p.Stock()
	switch {
	case n == 0:
		return v.styles.Error.Bold(true).Render("sold out")
	case n <= lowStock:
		return v.styles.Warn.Render(strconv.Itoa(n))
	}
	return strconv.Itoa(n)
}

// variantsLine lists a product's variants with their stock.
func variantsLine(s *theme.Styles, p protocol.Product) string {
	parts := make([]string, 0, len(p.Variants))
	for _, v := range p.Variants {
		n := strconv.Itoa(v.Stock)
		switch {
		case v.Stock == 0:
			n = s.Error.Render("0")
		case v.Stock <= lowStock:
			n = s.Warn.Render(n)
		}
		parts = append(parts, v.Name+" "+n)
	}
	return strings.Join(parts, s.Subtle.Render(" · "))
}
