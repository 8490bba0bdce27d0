package viewer

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// lowStock is the stock at or below which the card says "only N left".
const lowStock = 5

// cardData is what the pinned card shows.
type cardData struct {
	product   protocol.Product
	variant   protocol.Variant
	pinned    bool
	serverNow time.Time // the show's clock, for a deal's countdown
	rail      []railItem
}

// railItem is a product pinned earlier in the show, with its number key.
type railItem struct {
	key   int
	pin   protocol.Pin
	name  string
	price money.Money
}

// renderCard draws the pinned product in a panel width cells wide. Tall
// allows the description and the other variants their own lines.
func renderCard(s *theme.Styles, d cardData, width int, tall bool) string {
	inner := max(1, width-s.Card.GetHorizontalFrameSize())
	p, v := d.product, d.variant
	railRow := renderRail(s, d.rail, inner)
	if !d.pinned {
		rows := []string{s.Subtle.Render(fit("Nothing pinned right now · the host will pin the next product soon", inner))}
		if railRow != "" {
			rows = append(rows, railRow)
		}
		return s.Card.Width(width).Render(strings.Join(rows, "\n"))
	}
	badge := s.Accent.Bold(true).Render("PINNED")
	name := s.Title.Render(fit(p.Name, max(1, inner-lipgloss.Width(badge)-1)))
	rows := []string{badge + " " + name}

	deal := p.Deal.Active(d.serverNow)
	price := s.Price.Render(p.Price.String())
	if deal {
		price = s.Strike.Render(p.Price.String()) + " " + s.Deal.Render(p.Deal.Price.String())
	}
	stock := stockLabel(s, v.Stock)
	left := fit(v.Name, max(1, inner-lipgloss.Width(price)-lipgloss.Width(stock)-5)) + s.Subtle.Render(" · ") + price
	rows = append(rows, spread(left, stock, inner))
	if deal {
		rows = append(rows, dealRow(s, *p.Deal, d.serverNow, inner))
	}

	if tall && p.Description != "" {
		rows = append(rows, descriptionRows(s, p.Description, inner)...)
	}
	if tall && len(p.Variants) > 1 {
		rows = append(rows, s.Subtle.Render(fit("Also: "+otherVariants(p, v.ID), inner)))
	}
	if railRow != "" {
		rows = append(rows, railRow)
	}
	return s.Card.Width(width).Render(strings.Join(rows, "\n"))
}

// dealRow says the deal is on, how long it has left and the buyer limit.
func dealRow(s *theme.Styles, d protocol.Deal, serverNow time.Time, width int) string {
	text := "⚡ FLASH DEAL · " + live.Left(serverNow, d.EndsAt) + " left"
	if d.PerBuyer > 0 {
		text += fmt.Sprintf(" · limit %d each", d.PerBuyer)
	}
	return s.Deal.Render(fit(text, width))
}

// renderRail lists products pinned earlier, each with the number key that
// adds it to the cart.
func renderRail(s *theme.Styles, items []railItem, width int) string {
	if len(items) == 0 {
		return ""
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		parts = append(parts, fmt.Sprintf("%d %s %s", it.key, it.name, it.price))
	}
	return s.Subtle.Render(fit("Earlier: "+strings.Join(parts, " · "), width))
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

func otherVariants(p protocol.Product, pinned string) string {
	var parts []string
	for _, v := range p.Variants {
		if v.ID == pinned {
			continue
		}
		if v.Stock == 0 {
			parts = append(parts, v.Name+" (sold out)")
		} else {
			parts = append(parts, v.Name)
		}
	}
	return strings.Join(parts, " · ")
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
