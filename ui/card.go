package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/theme"
)

// lowStock is the stock at or below which the card says "only N left".
const lowStock = 5

// renderCard draws the pinned product in a panel width cells wide. Tall
// allows the description and the other variants their own lines.
func renderCard(s *theme.Styles, p protocol.Product, v protocol.Variant, pinned bool, width int, tall bool) string {
	inner := max(1, width-s.Card.GetHorizontalFrameSize())
	if !pinned {
		msg := s.Subtle.Render(sanitize.Truncate("Nothing pinned right now · the host will pin the next product soon", inner))
		return s.Card.Width(width).Render(msg)
	}
	badge := s.Accent.Bold(true).Render("PINNED")
	name := s.Title.Render(sanitize.Truncate(p.Name, max(1, inner-lipgloss.Width(badge)-1)))
	rows := []string{badge + " " + name}

	price := s.Price.Render(p.Price.String())
	stock := stockLabel(s, v.Stock)
	left := sanitize.Truncate(v.Name, max(1, inner-lipgloss.Width(price)-lipgloss.Width(stock)-5)) + s.Subtle.Render(" · ") + price
	rows = append(rows, spread(left, stock, inner))

	if tall && p.Description != "" {
		rows = append(rows, descriptionRows(s, p.Description, inner)...)
	}
	if tall && len(p.Variants) > 1 {
		rows = append(rows, s.Subtle.Render(sanitize.Truncate("Also: "+otherVariants(p, v.ID), inner)))
	}
	return s.Card.Width(width).Render(strings.Join(rows, "\n"))
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
		rows[maxDescriptionRows-1] = sanitize.Truncate(rows[maxDescriptionRows-1]+"…", width)
	}
	for i, r := range rows {
		rows[i] = s.Subtle.Render(r)
	}
	return rows
}
