package host

import (
	"slices"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/theme"
)

// defaultScrollback is how many chat lines the pane keeps; older ones go,
// so a flood cannot grow memory without bound.
const defaultScrollback = 500

// chatEntry is a chat line, or one of livecart's own (a marker).
type chatEntry struct {
	line   show.Line
	system bool
	styled string   // the whole line, styled, unwrapped
	rows   []string // styled wrapped to the pane's width
}

// chatPane is the chat with a selection for moderation. Unlike the viewer's
// pane it can remove lines (chat_deleted) and select one. With no selection
// it follows the newest line; with one, the view holds still around it.
type chatPane struct {
	styles  *theme.Styles
	entries []chatEntry
	limit   int
	width   int
	height  int
	sel     int // selected entry, -1 for none
	end     int // last entry shown while a selection holds the view
}

func newChatPane(styles *theme.Styles, scrollback int) chatPane {
	if scrollback <= 0 {
		scrollback = defaultScrollback
	}
	return chatPane{styles: styles, limit: scrollback, sel: -1, end: -1, width: 1, height: 1}
}

// SetSize sets the pane's size in cells, rewrapping when the width changed.
func (c *chatPane) SetSize(w, h int) {
	w, h = max(w, 1), max(h, 1)
	if w != c.width {
		c.width = w
		c.entries = slices.Clone(c.entries)
		for i := range c.entries {
			c.entries[i].rows = wrap(c.entries[i].styled, w)
		}
	}
	c.height = h
	c.keepSelectionInView()
}

// SetStyles restyles every line (the palette changed with the background).
// The styles it already has change nothing.
func (c *chatPane) SetStyles(s *theme.Styles) {
	if s == c.styles {
		return
	}
	c.styles = s
	c.entries = slices.Clone(c.entries)
	for i := range c.entries {
		e := &c.entries[i]
		if !e.system {
			e.styled = c.format(e.line)
			e.rows = wrap(e.styled, c.width)
		}
	}
}

// Add appends a chat line.
func (c *chatPane) Add(l show.Line) {
	c.push(chatEntry{line: l, styled: c.format(l)})
}

// AddSystem appends a line from livecart itself.
func (c *chatPane) AddSystem(text string) {
	c.push(chatEntry{system: true, styled: c.styles.Subtle.Italic(true).Render("— " + sanitize.Line(text) + " —")})
}

func (c *chatPane) push(e chatEntry) {
	e.rows = wrap(e.styled, c.width)
	// Appending to a slice another copy of the model shares must not write
	// into that copy's backing array: clip first.
	c.entries = append(slices.Clip(c.entries), e)
	if len(c.entries) > c.limit {
		c.removeAt(0)
	}
	c.keepSelectionInView()
}

// Has reports whether the pane holds the chat line with this ID.
func (c chatPane) Has(id string) bool { return c.index(id) >= 0 }

func (c chatPane) index(id string) int {
	if id == "" {
		return -1
	}
	for i := len(c.entries) - 1; i >= 0; i-- {
		if !c.entries[i].system && c.entries[i].line.ID == id {
			return i
		}
	}
	return -1
}

// Remove takes out the lines with these IDs. A selected line that goes
// passes the selection to the next line, as in a list, or to the one
// before it when it was the newest.
func (c *chatPane) Remove(ids []string) {
	for _, id := range ids {
		if i := c.index(id); i >= 0 {
			c.removeAt(i)
		}
	}
	c.keepSelectionInView()
}

func (c *chatPane) removeAt(i int) {
	c.entries = slices.Delete(slices.Clone(c.entries), i, i+1)
	if c.sel > i || (c.sel == i && c.sel >= len(c.entries)) {
		c.sel--
	}
	if c.sel >= 0 && c.entries[c.sel].system {
		c.sel = c.nearestLine(c.sel)
	}
	if c.end >= i {
		c.end--
	}
}

// Reconcile merges a snapshot's recent chat: lines it does not have were
// deleted while we were away (if they are newer than its oldest line), and
// lines we do not have are added.
func (c *chatPane) Reconcile(lines []show.Line) {
	if len(lines) > 0 {
		if from := c.index(lines[0].ID); from >= 0 {
			keep := make(map[string]bool, len(lines))
			for _, l := range lines {
				keep[l.ID] = true
			}
			var gone []string
			for _, e := range c.entries[from:] {
				if !e.system && !keep[e.line.ID] {
					gone = append(gone, e.line.ID)
				}
			}
			c.Remove(gone)
		}
	}
	for _, l := range lines {
		if !c.Has(l.ID) {
			c.Add(l)
		}
	}
}

// Selected returns the selected chat line.
func (c chatPane) Selected() (show.Line, bool) {
	if c.sel < 0 || c.sel >= len(c.entries) || c.entries[c.sel].system {
		return show.Line{}, false
	}
	return c.entries[c.sel].line, true
}

// SelectNewest selects the newest chat line, if none is selected.
func (c *chatPane) SelectNewest() {
	if c.sel < 0 {
		c.sel = c.nearestLine(len(c.entries) - 1)
		c.end = len(c.entries) - 1
	}
	c.keepSelectionInView()
}

// Move moves the selection by delta chat lines, skipping livecart's own.
func (c *chatPane) Move(delta int) {
	if c.sel < 0 {
		c.SelectNewest()
		return
	}
	step := 1
	if delta < 0 {
		step, delta = -1, -delta
	}
	for i := c.sel + step; i >= 0 && i < len(c.entries) && delta > 0; i += step {
		if !c.entries[i].system {
			c.sel = i
			delta--
		}
	}
	c.keepSelectionInView()
}

// ClearSelection drops the selection and follows the newest line again.
func (c *chatPane) ClearSelection() { c.sel, c.end = -1, -1 }

// nearestLine is the chat line at or before i, else the first after it, or
// -1 when the pane holds none.
func (c chatPane) nearestLine(i int) int {
	for j := min(i, len(c.entries)-1); j >= 0; j-- {
		if !c.entries[j].system {
			return j
		}
	}
	for j := max(i, 0); j < len(c.entries); j++ {
		if !c.entries[j].system {
			return j
		}
	}
	return -1
}

// keepSelectionInView moves the held view so the selection shows whole:
// at the bottom when it moved past the end, at the top when it moved up.
func (c *chatPane) keepSelectionInView() {
	if c.sel < 0 {
		c.end = -1
		return
	}
	last := len(c.entries) - 1
	c.end = min(max(c.end, c.sel), last)
	for c.end > c.sel && c.rowsBetween(c.sel, c.end) > c.bodyHeight() {
		c.end--
	}
}

func (c chatPane) rowsBetween(from, to int) int {
	n := 0
	for i := from; i <= to; i++ {
		n += len(c.entryRows(i))
	}
	return n
}

// bodyHeight is the rows for lines: one goes to the "newer lines" marker
// when the view is held above the newest.
func (c chatPane) bodyHeight() int {
	if c.height > 1 {
		return c.height - 1
	}
	return c.height
}

// entryRows is entry i as drawn: the selected one is highlighted and
// marked, so it shows without colour too.
func (c chatPane) entryRows(i int) []string {
	e := c.entries[i]
	if i != c.sel {
		return e.rows
	}
	plain := c.plain(e.line)
	rows := wrap(plain, max(1, c.width-2))
	for j, r := range rows {
		rows[j] = c.styles.Accent.Render("▌") + " " + c.styles.Selected.Render(r)
	}
	return rows
}

// View draws the pane: exactly height rows of width cells.
func (c chatPane) View() string {
	end := len(c.entries) - 1
	held := c.sel >= 0 && c.end >= 0 && c.end < end
	body := c.height
	if held {
		end = c.end
		body = c.bodyHeight()
	}
	var visible []string // newest first
	for i := end; i >= 0 && len(visible) < body; i-- {
		rows := c.entryRows(i)
		for j := len(rows) - 1; j >= 0 && len(visible) < body; j-- {
			visible = append(visible, rows[j])
		}
	}
	out := make([]string, 0, c.height)
	for range body - len(visible) {
		out = append(out, "")
	}
	for i := len(visible) - 1; i >= 0; i-- {
		out = append(out, visible[i])
	}
	if held {
		n := 0
		for _, e := range c.entries[c.end+1:] {
			if !e.system {
				n++
			}
		}
		out = append(out, c.styles.Accent.Render("↓ "+strconv.Itoa(n)+" newer · end returns to the newest"))
	}
	for i := range out {
		out[i] = fit(out[i], c.width)
	}
	return strings.Join(out, "\n")
}

func (c chatPane) format(l show.Line) string {
	name := c.styles.Name(l.Author.ID).Render(l.Author.Name)
	if l.Author.Role == protocol.RoleHost {
		name = c.styles.HostTag.Render("HOST") + " " + name
	}
	return name + c.styles.Subtle.Render(":") + " " + l.Text
}

func (c chatPane) plain(l show.Line) string {
	name := l.Author.Name
	if l.Author.Role == protocol.RoleHost {
		name = "HOST " + name
	}
	return name + ": " + l.Text
}

// wrap breaks a styled line into rows no wider than width, keeping styles
// intact across the breaks.
func wrap(styled string, width int) []string {
	return strings.Split(lipgloss.Wrap(styled, max(1, width), " -"), "\n")
}
