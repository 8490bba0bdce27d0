package chat

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/sanitize"
)

// Following reports whether the pane shows the newest lines.
func (m Model) Following() bool { return m.offset == 0 }

// ScrollUp moves back by n rows.
func (m *Model) ScrollUp(n int) {
	m.offset += n
	m.clamp()
}

// ScrollDown moves forward by n rows; reaching the bottom resumes following.
func (m *Model) ScrollDown(n int) {
	m.offset = max(0, m.offset-n)
	if m.offset == 0 {
		m.unseen = 0
	}
}

// GotoBottom jumps to the newest line.
func (m *Model) GotoBottom() { m.offset, m.unseen = 0, 0 }

// PageSize is how far a page key scrolls.
func (m Model) PageSize() int { return max(1, m.height-1) }

// View draws the visible rows, newest at the bottom, padded to the pane's
// size.
func (m Model) View() string {
	rows := m.Rows()
	var b strings.Builder
	n := len(rows)
	for _, r := range rows {
		n += len(r.Text)
	}
	b.Grow(n)
	for i, r := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.Text)
	}
	return b.String()
}

// Rows is View as rows, top to bottom, for a parent that lays the pane out
// beside something else: it gets every row's width without measuring.
func (m Model) Rows() []Row {
	if m.height <= 0 || m.width <= 0 {
		return nil
	}
	if m.sel >= 0 {
		return m.heldRows()
	}
	body := m.height
	var footer string
	if m.offset > 0 && m.height > 1 {
		body--
		footer = m.styles.Accent.Render(sanitize.Truncate(m.indicator(), m.width))
	}
	// Blank rows on top, and every row padded to the width, so the pane is
	// exactly width by height cells whatever it holds: a column joined
	// beside it stays put. Filled from the bottom up, newest first.
	out := make([]Row, m.height)
	next := body - 1
	skip := m.offset
	for i := m.count - 1; i >= 0 && next >= 0; i-- {
		rows := m.at(i).rows
		for j := len(rows) - 1; j >= 0 && next >= 0; j-- {
			if skip > 0 {
				skip--
				continue
			}
			out[next] = rows[j]
			next--
		}
	}
	for ; next >= 0; next-- {
		out[next] = m.blank
	}
	if footer != "" {
		out[body] = padRow(footer, m.width)
	}
	return out
}

// heldRows are the rows while a line is selected: the view ends at the
// held entry, the selection highlighted, and says how many lines are
// newer when it holds above the newest.
func (m Model) heldRows() []Row {
	end, body := m.count-1, m.height
	held := m.end >= 0 && m.end < end
	if held {
		end, body = m.end, m.bodyHeight()
	}
	out := make([]Row, m.height)
	next := body - 1
	for i := end; i >= 0 && next >= 0; i-- {
		rows := m.entryRows(i)
		for j := len(rows) - 1; j >= 0 && next >= 0; j-- {
			out[next] = rows[j]
			next--
		}
	}
	for ; next >= 0; next-- {
		out[next] = m.blank
	}
	if held && body < m.height {
		n := 0
		for i := m.end + 1; i < m.count; i++ {
			if m.at(i).isLine() {
				n++
			}
		}
		marker := m.styles.Accent.Render("↓ " + strconv.Itoa(n) + " newer · end returns to the newest")
		out[body] = padRow(ansi.Truncate(marker, m.width, "…"), m.width)
	}
	return out
}

func (m Model) indicator() string {
	if m.unseen == 0 {
		return "↓ scrolled back · end to return"
	}
	n := strconv.Itoa(m.unseen) + " new message"
	if m.unseen > 1 {
		n += "s"
	}
	return "↓ " + n + " · end to return"
}

func (m *Model) clamp() {
	shown := m.height
	if shown > 1 {
		shown-- // the indicator takes a row
	}
	limit := max(0, m.rows-shown)
	if m.offset > limit {
		m.offset = limit
	}
	if m.offset < 0 {
		m.offset = 0
	}
}
