package chat

import (
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// Selection, for a Selectable pane: one chat line at a time (never one of
// livecart's own), moved with Move. A selection on the newest line follows
// the chat, moving on to each new line; on an older line it holds the view
// still, new lines arriving below it, until it is moved back to the newest
// or cleared.

// Selected returns the selected chat line.
func (m Model) Selected() (show.Line, bool) {
	if m.sel < 0 || m.sel >= m.count || !m.at(m.sel).isLine() {
		return show.Line{}, false
	}
	return m.at(m.sel).line, true
}

// SelectNewest selects the newest chat line, if none is selected.
func (m *Model) SelectNewest() {
	if !m.selectable {
		return
	}
	if m.sel < 0 {
		m.sel = m.nearestLine(m.count - 1)
		m.end = m.count - 1
	}
	m.keepSelectionInView()
}

// Move moves the selection by delta chat lines, skipping livecart's own;
// with none selected it selects the newest.
func (m *Model) Move(delta int) {
	if !m.selectable {
		return
	}
	if m.sel < 0 {
		m.SelectNewest()
		return
	}
	step := 1
	if delta < 0 {
		step, delta = -1, -delta
	}
	for i := m.sel + step; i >= 0 && i < m.count && delta > 0; i += step {
		if m.at(i).isLine() {
			m.sel = i
			delta--
		}
	}
	m.keepSelectionInView()
}

// selectsNewest reports whether the newest chat line is selected.
func (m Model) selectsNewest() bool { return m.sel >= 0 && m.sel == m.nearestLine(m.count-1) }

// ClearSelection drops the selection and follows the newest line again.
func (m *Model) ClearSelection() { m.sel, m.end = -1, -1 }

// reselect passes the selection on from entry i, just removed: to the next
// entry, or the one before when it was the newest, and from there to the
// nearest chat line.
func (m *Model) reselect(i int) {
	next := -1
	for j := i + 1; j < m.count && next < 0; j++ {
		if !m.at(j).gone {
			next = j
		}
	}
	for j := i - 1; j >= 0 && next < 0; j-- {
		if !m.at(j).gone {
			next = j
		}
	}
	m.sel = next
	if m.sel >= 0 && !m.at(m.sel).isLine() {
		m.sel = m.nearestLine(m.sel)
	}
}

// dropped follows the oldest entry leaving the ring: places move down by
// one, and a selection on it passes to the next line.
func (m *Model) dropped() {
	if m.end >= 0 {
		m.end--
	}
	switch {
	case m.sel > 0:
		m.sel--
	case m.sel == 0 && !m.at(0).isLine():
		m.sel = m.nearestLine(0)
	}
}

// nearestLine is the chat line at or before i, else the first after it, or
// -1 when the pane holds none.
func (m Model) nearestLine(i int) int {
	for j := min(i, m.count-1); j >= 0; j-- {
		if m.at(j).isLine() {
			return j
		}
	}
	for j := max(i, 0); j < m.count; j++ {
		if m.at(j).isLine() {
			return j
		}
	}
	return -1
}

// keepSelectionInView moves the held view so the selection shows whole:
// at the bottom when it moved past the end, at the top when it moved up.
func (m *Model) keepSelectionInView() {
	if m.sel < 0 {
		m.end = -1
		return
	}
	m.end = min(max(m.end, m.sel), m.count-1)
	for m.end > m.sel && m.rowsBetween(m.sel, m.end) > m.bodyHeight() {
		m.end--
	}
}

func (m Model) rowsBetween(from, to int) int {
	n := 0
	for i := from; i <= to; i++ {
		n += len(m.entryRows(i))
	}
	return n
}

// bodyHeight is the rows for lines: one goes to the "newer lines" marker
// when the view is held above the newest.
func (m Model) bodyHeight() int {
	if m.height > 1 {
		return m.height - 1
	}
	return m.height
}

// entryRows is entry i as drawn: the selected one is highlighted and
// marked, so it shows without colour too.
func (m Model) entryRows(i int) []Row {
	e := m.at(i)
	if i != m.sel {
		return e.rows
	}
	texts := wrapText(plain(e.line), max(1, m.width-2))
	rows := make([]Row, len(texts))
	for j, t := range texts {
		rows[j] = padRow(m.styles.Accent.Render("▌")+" "+m.styles.Selected.Render(t), m.width)
	}
	return rows
}

// plain is a chat line without colour, as the selection draws it.
func plain(l show.Line) string {
	name := l.Author.Name
	if l.Author.Role == protocol.RoleHost {
		name = "HOST " + name
	}
	return name + ": " + l.Text
}
