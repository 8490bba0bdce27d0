package viewer

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// lowStock is the stock at or below which the card says "only N left".
const lowStock = 5

// cardData is what the pinned card shows.
type cardData struct {
	product   protocol.Product
	variant   protocol.Variant // the variant a adds: the one chosen
	pinned    bool
	serverNow time.Time // the show's clock, for a deal's countdown
	rail      []railItem
	auction   auctionCard  // shown above the pinned product, which then takes a row
	giveaway  giveawayCard // shown under it
}

// renderCard draws the pinned product in a panel width cells wide. Tall
// allows the description its own lines and each variant (up to
// maxVariantRows) a line of its own; otherwise the variants share one
// line, down to the chosen one alone between arrows when they do not fit.
// An auction comes first while it shows, and the pinned product is then
// a row of its own; a giveaway comes after it.
func renderCard(s *theme.Styles, d cardData, width int, tall bool) string {
	inner := max(1, width-s.Card.GetHorizontalFrameSize())
	railRows := maxRailRows
	if tall {
		railRows = maxRailRowsTall
	}
	var rows []string
	if d.auction.on {
		rows = append(rows, auctionRows(s, d.auction, inner)...)
	}
	switch {
	case d.pinned && d.auction.on:
		rows = append(rows, pinnedRow(s, d, inner))
	case d.pinned:
		rows = append(rows, pinnedRows(s, d, inner, tall)...)
	case !d.auction.on && !d.giveaway.on:
		rows = append(rows, s.Subtle.Render(fit("Nothing pinned right now · the host will pin the next product soon", inner)))
	}
	if d.giveaway.on {
		rows = append(rows, giveawayRows(s, d.giveaway, inner)...)
	}
	if railRow := renderRail(s, d.rail, inner, railRows); railRow != "" {
		rows = append(rows, railRow)
	}
	return s.Card.Width(width).Render(strings.Join(rows, "\n"))
}

// pinnedRows draws the pinned product in inner cells: its name, price,
// variants, a deal and, when tall, its description.
func pinnedRows(s *theme.Styles, d cardData, inner int, tall bool) []string {
	p, v := d.product, d.variant
	badge := s.Accent.Bold(true).Render("PINNED")
	name := s.Title.Render(fit(p.Name, max(1, inner-lipgloss.Width(badge)-1)))
	rows := []string{badge + " " + name}

	// The chosen variant's price: a store may price its sizes apart.
	regular := p.RegularOf(v.ID)
	price := s.Price.Render(regular.String())
	if dealPrice, on := p.DealOf(v.ID, d.serverNow); on {
		price = s.Strike.Render(regular.String()) + " " + s.Deal.Render(dealPrice.String())
	}
	deal := p.Deal.Active(d.serverNow)
	many := len(p.Variants) > 1
	listed := many && tall && len(p.Variants) <= maxVariantRows
	switch {
	case listed:
		rows = append(rows, price)
	case many:
		rows = append(rows, variantLine(s, p, v, price, inner))
	default:
		rows = append(rows, chosenRow(s, v, "", "", price, inner))
	}
	if deal {
		rows = append(rows, dealRow(s, *p.Deal, d.serverNow, inner))
	}
	if listed {
		rows = append(rows, variantRows(s, p, v.ID, inner)...)
	}

	if tall && p.Description != "" {
		rows = append(rows, descriptionRows(s, p.Description, inner)...)
	}
	return rows
}

// maxVariantRows is the most variants a tall card lists a line each; a
// product with more shows them as a narrow card does, so the card leaves
// room for the cart beside the chat.
const maxVariantRows = 5

// Marks of the chosen variant: arrows around it on a line, a pointer
// before it in a list.
const (
	chosenLeft  = "◀ "
	chosenRight = " ▶"
	chosenMark  = "▸ "
)

// variantLine is the card's second line when the variants share it: each
// with its stock and the chosen one between arrows, the price at the end;
// or, when that does not fit, the chosen one alone, between arrows when
// there are others to choose.
func variantLine(s *theme.Styles, p protocol.Product, v protocol.Variant, price string, width int) string {
	parts := make([]string, 0, len(p.Variants))
	for _, x := range p.Variants {
		parts = append(parts, variantItem(s, x, x.ID == v.ID))
	}
	line := strings.Join(parts, s.Subtle.Render(" · "))
	if lipgloss.Width(line)+1+lipgloss.Width(price) <= width {
		return spread(line, price, width)
	}
	if _, ok := stepVariant(p, v.ID, +1); ok {
		return chosenRow(s, v, chosenLeft, chosenRight, price, width)
	}
	return chosenRow(s, v, "", "", price, width)
}

// variantItem is one variant on a shared line: its name and stock, marked
// when chosen.
func variantItem(s *theme.Styles, v protocol.Variant, chosen bool) string {
	var stock string
	switch {
	case v.Stock <= 0:
		stock = s.Error.Render("sold out")
	case v.Stock <= lowStock:
		stock = s.Warn.Render(fmt.Sprintf("%d left", v.Stock))
	default:
		stock = s.Subtle.Render(fmt.Sprintf("%d left", v.Stock))
	}
	switch {
	case chosen:
		return s.Accent.Bold(true).Render(chosenLeft+v.Name) + " " + stock + s.Accent.Bold(true).Render(chosenRight)
	case v.Stock <= 0:
		return s.Subtle.Render(v.Name) + " " + stock
	}
	return v.Name + " " + stock
}

// chosenRow is the chosen variant's name between left and right, then the
// price, and its stock at the end of the line.
func chosenRow(s *theme.Styles, v protocol.Variant, left, right, price string, width int) string {
	stock := stockLabel(s, v.Stock)
	room := width - lipgloss.Width(left+right) - lipgloss.Width(price) - lipgloss.Width(stock) - 5
	name := left + fit(v.Name, max(1, room)) + right
	if left != "" {
		name = s.Accent.Bold(true).Render(name)
	}
	return spread(name+s.Subtle.Render(" · ")+price, stock, width)
}

// variantRows lists the variants a line each with their stock, the chosen
// one marked.
func variantRows(s *theme.Styles, p protocol.Product, chosen string, width int) []string {
	rows := make([]string, 0, len(p.Variants))
	mark := lipgloss.Width(chosenMark)
	for _, v := range p.Variants {
		stock := stockLabel(s, v.Stock)
		name := fit(v.Name, max(1, width-mark-lipgloss.Width(stock)-1))
		switch {
		case v.ID == chosen:
			name = s.Accent.Bold(true).Render(chosenMark + name)
		case v.Stock <= 0:
			name = strings.Repeat(" ", mark) + s.Subtle.Render(name)
		default:
			name = strings.Repeat(" ", mark) + name
		}
		rows = append(rows, spread(name, stock, width))
	}
	return rows
}

// dealRow says the deal is on, how long it has left and the buyer limit.
func dealRow(s *theme.Styles, d protocol.Deal, serverNow time.Time, width int) string {
	text := "⚡ FLASH DEAL · " + live.Left(serverNow, d.EndsAt) + " left"
	if d.PerBuyer > 0 {
		text += fmt.Sprintf(" · limit %d each", d.PerBuyer)
	}
	return s.Deal.Render(fit(text, width))
}

// Rows the rail of earlier products may take in the card: it wraps
// rather than cut a price.
const (
	maxRailRows     = 2
	maxRailRowsTall = 4 // in the tall card
)

// renderRail lists products pinned earlier, each with the number key that
// adds it to the cart, whole: on at most maxRows rows, and those that do
// not fit counted at the end ("+2 more"), so a price is never cut. Only a
// name too long for a row of its own is shortened.
func renderRail(s *theme.Styles, items []railItem, width, maxRows int) string {
	if len(items) == 0 {
		return ""
	}
	const sep = " · "
	lead := "Earlier: "
	sepW := lipgloss.Width(sep)
	var rows [][]string
	var cur []string
	used := lipgloss.Width(lead)
	more := 0
	for i := 0; i < len(items); i++ {
		it := items[i]
		price := it.price.String()
		room := width - lipgloss.Width(fmt.Sprintf("%d  %s", it.key, price))
		item := fmt.Sprintf("%d %s %s", it.key, fit(it.name, max(1, room)), price)
		w := lipgloss.Width(item)
		if len(cur) > 0 {
			w += sepW
		}
		last := len(rows) == maxRows-1
		reserve := 0 // room to count those left, on the last row
		if last && i < len(items)-1 {
			reserve = sepW + lipgloss.Width(fmt.Sprintf("+%d more", len(items)-i-1))
		}
		switch {
		case used+w+reserve <= width:
			cur = append(cur, item)
			used += w
			continue
		case len(rows) == 0 && len(cur) == 0 && lead != "":
			lead, used = "", 0 // too narrow for the label: the items matter more
		case !last && len(cur) > 0:
			rows, cur, used = append(rows, cur), nil, 0
		default:
			more = len(items) - i
		}
		if more > 0 {
			break
		}
		i-- // the same item, on the new row
	}
	if more > 0 {
		cur = append(cur, fmt.Sprintf("+%d more", more))
	}
	rows = append(rows, cur)
	out := make([]string, len(rows))
	for i, r := range rows {
		row := strings.Join(r, sep)
		if i == 0 {
			row = lead + row
		}
		out[i] = s.Subtle.Render(fit(row, width))
	}
	return strings.Join(out, "\n")
}

func stockLabel(s *theme.Styles, stock int) string {
	switch {
	case stock <= 0:
		return s.Error.Bold(true).Render("SOLD OUT")
	case stock <= lowStock:
		return s.Warn.Render(fmt.Sprintf("only %d left", stock))
	default:
		return s.Subtle.Render(fmt.Sprintf("%d in stock", stock))
	}
}

// spread puts left and right at the two ends of a line width cells wide.
func spread(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// maxDescriptionRows bounds the description so the card never crowds out
// the chat.
const maxDescriptionRows = 3

// descriptionRows wraps the description to width, cutting it after
// maxDescriptionRows with an ellipsis.
func descriptionRows(s *theme.Styles, desc string, width int) []string {
	rows := strings.Split(lipgloss.Wrap(desc, width, " "), "\n")
	if len(rows) > maxDescriptionRows {
		rows = rows[:maxDescriptionRows]
		rows[maxDescriptionRows-1] = fit(rows[maxDescriptionRows-1]+"…", width)
	}
	for i, r := range rows {
		rows[i] = s.Subtle.Render(r)
	}
	return rows
}

// fit cuts s to at most width terminal cells, ending in "…" when it had to
// cut. Cells, not runes: an emoji or a CJK character takes two.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}
