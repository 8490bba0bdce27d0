package viewer

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/ui/theme"
)

// renderCartPanel draws the cart in a panel width by height cells, the
// selected line highlighted when the panel has the keyboard.
func renderCartPanel(s *theme.Styles, c cart.Cart, sel int, focused bool, width, height int) string {
	frame := s.Panel
	if focused {
		frame = s.Focused
	}
	inner := max(1, width-frame.GetHorizontalFrameSize())
	rowsAvail := max(1, height-frame.GetVerticalFrameSize())
	title := s.Title.Render("Cart")
	if c.IsEmpty() {
		body := title + "\n" + s.Subtle.Render(fit("Empty · a adds the pinned product", inner))
		return frame.Width(width).Render(body)
	}
	total, err := c.Total()
	totalText := total.String()
	if err != nil {
		totalText = "?"
	}
	title += s.Subtle.Render(" · " + items(c.Units()))
	rows := []string{title}

	lines := c.Lines()
	listRows := max(1, rowsAvail-2) // title and total
	first := 0
	if sel >= listRows {
		first = sel - listRows + 1
	}
	for i := first; i < len(lines) && i < first+listRows; i++ {
		l := lines[i]
		sub, _ := l.Unit.Mul(l.Qty)
		right := fmt.Sprintf("×%d %s", l.Qty, sub)
		label := fit(l.Name+" ("+l.Variant+")", max(1, inner-lipgloss.Width(right)-3))
		row := spread(label, right, inner)
		if focused && i == sel {
			row = s.Selected.Render("› " + spread(label, right, inner-2))
		} else if focused {
			row = "  " + spread(label, right, inner-2)
		}
		rows = append(rows, row)
	}
	rows = append(rows, spread(s.Title.Render("Total"), s.Price.Render(totalText), inner))
	return frame.Width(width).Render(strings.Join(rows, "\n"))
}

// cartSummary is the one-line cart shown when the panel is closed.
func cartSummary(s *theme.Styles, c cart.Cart) string {
	if c.IsEmpty() {
		return s.Subtle.Render("Cart empty")
	}
	total, _ := c.Total()
	return s.Subtle.Render("Cart: "+items(c.Units())+" · ") + s.Price.Render(total.String())
}

// items says "1 item" or "N items".
func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}
