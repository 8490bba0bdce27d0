package viewer

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/ui/theme"
)

// cartData is what the cart panel and the cart's summary show: the cart
// as last checked (see Model.check), never prices of its own.
type cartData struct {
	lines   []cart.Line    // the checked cart's: the names, also of lines the show no longer sells
	priced  []pricing.Line // the check's, one per line, in the cart's order
	total   string         // the total to pay; "?" when it cannot be charged
	units   int            // units in the cart, whether they can be bought or not
	leftOut int            // lines of which fewer units can be bought than the cart holds
}

// cartData is the cart as the screen shows it.
func (m Model) cartData() cartData {
	return cartData{
		lines:   m.checked.Cart.Lines(),
		priced:  m.checked.Lines,
		total:   m.totalText(),
		units:   m.cart.Units(),
		leftOut: len(m.checked.LeftOut()),
	}
}

// same reports whether c and o draw the same.
func (c cartData) same(o cartData) bool {
	return c.total == o.total && c.units == o.units && c.leftOut == o.leftOut &&
		slices.Equal(c.lines, o.lines) && slices.Equal(c.priced, o.priced)
}

// renderCartPanel draws the cart in a panel width by height cells, the
// selected line highlighted when the panel has the keyboard. Each line is
// a row with its name and total, then a row for the units at each price
// (a deal's with the regular price struck through, those over its
// per-buyer limit said so) and what keeps it from checkout in full.
func renderCartPanel(s *theme.Styles, c cartData, sel int, focused bool, width, height int) string {
	frame := s.Panel
	if focused {
		frame = s.Focused
	}
	inner := max(1, width-frame.GetHorizontalFrameSize())
	rowsAvail := max(1, height-frame.GetVerticalFrameSize())
	title := s.Title.Render("Cart")
	if len(c.lines) == 0 {
		body := title + "\n" + s.Subtle.Render(fit("Empty · a adds the pinned product", inner))
		return frame.Width(width).Render(body)
	}
	title += s.Subtle.Render(" · " + items(c.units))
	rows := []string{title}

	// Every row is indented as far when the panel has the keyboard, for
	// the selection's mark.
	lead, w := "", inner
	if focused {
		lead, w = "  ", max(1, inner-2)
	}
	totalW := 0
	for _, l := range c.priced {
		totalW = max(totalW, lipgloss.Width(lineTotal(s, l)))
	}
	var list []string
	selFirst, selLast := 0, 0
	for i, l := range c.lines {
		if i >= len(c.priced) {
			break // not checked: never drawn from anything but a check
		}
		if i == sel {
			selFirst = len(list)
		}
		label, right, more := cartLineRows(s, l, c.priced[i], w, totalW)
		head := lead + label
		if focused && i == sel {
			head = s.Selected.Render("› " + label)
		}
		list = append(list, head+strings.Repeat(" ", max(1, w-lipgloss.Width(label)-lipgloss.Width(right)))+right)
		for _, row := range more {
			list = append(list, lead+row)
		}
		if i == sel {
			selLast = len(list) - 1
		}
	}
	// Scroll so the selected line is in view, as much of it as fits.
	listRows := max(1, rowsAvail-2) // title and total
	first := 0
	if selLast >= listRows {
		first = selLast - listRows + 1
	}
	first = min(first, selFirst)
	rows = append(rows, list[first:min(len(list), first+listRows)]...)

	total := s.Price.Render(c.total)
	if c.total == "?" {
		total = s.Error.Render(c.total)
	}
	label := s.Title.Render("Total")
	if c.leftOut > 0 {
		label += s.Subtle.Render(fit(" · "+linesLeftOut(c.leftOut), max(0, inner-lipgloss.Width(total)-lipgloss.Width(label)-1)))
	}
	rows = append(rows, spread(label, total, inner))
	return frame.Width(width).Render(strings.Join(rows, "\n"))
}

// lineTotal is what the right of a line's first row says: its total, or
// why none.
func lineTotal(s *theme.Styles, l pricing.Line) string {
	switch l.State {
	case pricing.SoldOut:
		return s.Error.Render("sold out")
	case pricing.Unavailable:
		return s.Error.Render("left out")
	}
	return s.Price.Render(l.Total.String())
}

// cartLineRows draws one line of the cart, width cells wide: its name
// (label), cut to fit, and on the same row (right) its total, set right
// in a column totalW cells wide; then its units at each price, each with
// what is to know about them, one row each (more). A line of one part that
// is all there is to say has it on the first row when it fits.
func cartLineRows(s *theme.Styles, c cart.Line, l pricing.Line, width, totalW int) (label, right string, more []string) {
	right = lineTotal(s, l)
	right = strings.Repeat(" ", max(0, totalW-lipgloss.Width(right))) + right
	name := c.Name + " (" + c.Variant + ")"
	switch l.State {
	case pricing.SoldOut:
		more = detailRows(s.Subtle.Render(fmt.Sprintf("×%d", l.Want)), s.Subtle.Render("left out of checkout"), width)
	case pricing.Unavailable:
		more = detailRows(s.Subtle.Render(fmt.Sprintf("×%d", l.Want)), s.Subtle.Render("no longer in this show"), width)
	default:
		parts := l.Parts()
		for j, p := range parts {
			part := fmt.Sprintf("×%d ", p.Qty) + s.Price.Render(p.Unit.String())
			if p.Deal {
				part = fmt.Sprintf("×%d ", p.Qty) + s.Strike.Render(l.Regular.String()) + " " + s.Deal.Render(p.Unit.String())
			}
			var notes []string
			if !p.Deal && l.Limited() {
				notes = append(notes, s.Subtle.Render(fmt.Sprintf("over the deal's limit of %d each", l.PerBuyer)))
			}
			if j == len(parts)-1 && l.State == pricing.Short {
				notes = append(notes, s.Warn.Render(fmt.Sprintf("only %d of %d", l.Qty, l.Want)))
			}
			if len(parts) == 1 && len(notes) == 0 {
				// One price, nothing to add: beside the name, if there is room.
				if beside := part + "  " + right; lipgloss.Width(name)+2+lipgloss.Width(beside) <= width {
					return name, beside, nil
				}
			}
			more = append(more, detailRows(part, strings.Join(notes, s.Subtle.Render(" · ")), width)...)
		}
	}
	return fit(name, max(1, width-lipgloss.Width(right)-1)), right, more
}

// detailRows puts a part of a line under its name, and its note beside it
// when both fit, else on a row of its own, further in.
func detailRows(part, note string, width int) []string {
	const indent = "  "
	w := max(1, width-len(indent))
	switch {
	case note == "":
		return []string{indent + fit(part, w)}
	case lipgloss.Width(part)+1+lipgloss.Width(note) <= w:
		return []string{indent + part + " " + note}
	}
	return []string{indent + fit(part, w), indent + indent + fit(note, max(1, w-len(indent)))}
}

// cartSummary is the one-line cart shown when the panel is closed, at
// most width cells wide.
func cartSummary(s *theme.Styles, c cartData, width int) string {
	if len(c.lines) == 0 {
		return s.Subtle.Render(fit("Cart empty", width))
	}
	total := s.Price.Render(c.total)
	if c.total == "?" {
		total = s.Error.Render(c.total)
	}
	text := s.Subtle.Render("Cart: "+items(c.units)+" · ") + total
	if c.leftOut > 0 {
		text += s.Error.Render(" · " + linesLeftOut(c.leftOut))
	}
	return fit(text, width)
}

// items says "1 item" or "N items".
func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// linesLeftOut says how many lines checkout leaves out, in full or in
// part.
func linesLeftOut(n int) string {
	if n == 1 {
		return "1 line left out"
	}
	return fmt.Sprintf("%d lines left out", n)
}
