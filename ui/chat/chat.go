// Package chat is the live chat pane: a capped scrollback of lines, each
// styled and wrapped once when it arrives (and again only when the width
// changes), drawn bottom-up. Scrolling back holds the view still while new
// lines arrive, until the user returns to the bottom.
package chat

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/theme"
)

// DefaultScrollback is how many lines the pane keeps. Older lines are
// dropped, so a chat flood cannot grow memory without bound.
const DefaultScrollback = 500

type entry struct {
	id     string // chat line ID; empty for livecart's own lines
	styled string // the whole line, styled, unwrapped
	rows   []Row  // styled, wrapped and padded to width
}

// Row is one row of the pane as drawn: styled, padded to the pane's width,
// and its width in cells. Rows are measured once, when a line arrives or the
// width changes, so drawing a frame never measures the chat again.
type Row struct {
	Text  string
	Width int // the pane's width, or more when one character is wider than the pane
}

// Model is the chat pane. It is driven by its parent.
type Model struct {
	styles *theme.Styles
	parts  *parts // what every line repeats, styled once per palette

	ring  []entry // ring buffer of at most cap(ring) entries
	head  int     // index of the oldest entry
	count int
	rows  int            // total wrapped rows of all entries
	ids   map[string]int // IDs of the lines held, to skip lines seen before

	width, height int
	blank         Row // an empty row, padded to the width
	offset        int // rows scrolled up from the bottom; 0 follows new lines
	unseen        int // lines that arrived while scrolled back

	mention string // "@name" that marks a line as speaking to the viewer, lower-case
}

// New returns an empty pane that keeps up to scrollback lines.
func New(styles *theme.Styles, scrollback int) Model {
	if scrollback <= 0 {
		scrollback = DefaultScrollback
	}
	return Model{styles: styles, parts: newParts(styles), ring: make([]entry, scrollback), ids: make(map[string]int)}
}

// parts are the styled pieces lines are made of that repeat from line to
// line: styling is most of what a line costs on arrival, and in a flood the
// same few hundred names speak again and again.
type parts struct {
	colon, mention, hostTag string
	names                   map[protocol.Identity]string // author to styled name
}

// maxNames bounds the styled names kept; past it they are styled afresh.
const maxNames = 1024

func newParts(s *theme.Styles) *parts {
	return &parts{
		colon:   s.Subtle.Render(":"),
		mention: s.Mention.Render("@ "),
		hostTag: s.HostTag.Render("HOST"),
		names:   make(map[protocol.Identity]string),
	}
}

func (p *parts) name(s *theme.Styles, who protocol.Identity) string {
	if n, ok := p.names[who]; ok {
		return n
	}
	if len(p.names) >= maxNames {
		clear(p.names)
	}
	n := s.Name(who.ID).Render(who.Name)
	p.names[who] = n
	return n
}

// SetSize sets the pane's size in cells and rewraps every line if the width
// changed.
func (m *Model) SetSize(w, h int) {
	w, h = max(w, 1), max(h, 1)
	if w != m.width {
		m.width = w
		m.blank = padRow("", w)
		m.rows = 0
		for i := 0; i < m.count; i++ {
			e := &m.ring[(m.head+i)%len(m.ring)]
			e.rows = wrap(e.styled, w)
			m.rows += len(e.rows)
		}
	}
	m.height = h
	m.clamp()
}

// SetStyles restyles future lines (the palette changed with the
// background). The styles it already has change nothing.
func (m *Model) SetStyles(s *theme.Styles) {
	if s != m.styles {
		m.styles, m.parts = s, newParts(s)
	}
}

// Add appends a chat line.
func (m *Model) Add(l show.Line) { m.push(l.ID, m.format(l)) }

// Remove takes lines out of the pane (the host deleted them). The slot
// stays in the ring with no rows, so scrolling and the cap are unaffected.
func (m *Model) Remove(ids ...string) {
	for _, id := range ids {
		if !m.Has(id) {
			continue
		}
		for i := 0; i < m.count; i++ {
			e := &m.ring[(m.head+i)%len(m.ring)]
			if e.id != id {
				continue
			}
			m.rows -= len(e.rows)
			m.forget(id)
			*e = entry{}
		}
	}
	m.clamp()
}

// Has reports whether the pane holds the line with this ID.
func (m Model) Has(id string) bool { return id != "" && m.ids[id] > 0 }

// AddSystem appends a line from livecart itself (a marker, a notice).
func (m *Model) AddSystem(text string) {
	m.push("", m.styles.Subtle.Italic(true).Render("— "+sanitize.Line(text)+" —"))
}

// SetMention sets the viewer's own name; later lines that mention it with
// "@name" are highlighted.
func (m *Model) SetMention(name string) {
	m.mention = ""
	if name != "" {
		m.mention = "@" + strings.ToLower(name)
	}
}

// Len is how many lines the pane holds.
func (m Model) Len() int { return m.count }

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
		rows := m.ring[(m.head+i)%len(m.ring)].rows
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

// padRow pads a styled row with spaces to width cells.
func padRow(row string, width int) Row {
	w := lipgloss.Width(row)
	if w >= width {
		return Row{Text: row, Width: w}
	}
	return Row{Text: row + strings.Repeat(" ", width-w), Width: width}
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

func (m *Model) push(id, styled string) {
	e := entry{id: id, styled: styled}
	if m.width > 0 {
		e.rows = wrap(styled, m.width)
	}
	if m.count == len(m.ring) {
		old := &m.ring[m.head]
		m.rows -= len(old.rows)
		m.forget(old.id)
		m.ring[m.head] = e
		m.head = (m.head + 1) % len(m.ring)
	} else {
		m.ring[(m.head+m.count)%len(m.ring)] = e
		m.count++
	}
	m.rows += len(e.rows)
	if id != "" {
		m.ids[id]++
	}
	if m.offset > 0 {
		// Hold the view still: the rows the user is reading move up by
		// exactly the rows just added.
		m.offset += len(e.rows)
		m.unseen++
	}
	m.clamp()
}

func (m *Model) forget(id string) {
	if id == "" {
		return
	}
	if m.ids[id]--; m.ids[id] <= 0 {
		delete(m.ids, id)
	}
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

func (m Model) format(l show.Line) string {
	p := m.parts
	name := p.name(m.styles, l.Author)
	text := l.Text
	switch {
	case l.Author.Role == protocol.RoleHost:
		// The host's words are what the show is about: they stand out.
		name = p.hostTag + " " + name
		text = m.styles.HostText.Render(text)
	case mentions(text, m.mention):
		return p.mention + name + p.colon + " " + m.styles.Mention.Render(text)
	}
	return name + p.colon + " " + text
}

// wrap breaks a styled line into rows no wider than width, keeping styles
// intact across the breaks, each padded to the width.
func wrap(styled string, width int) []Row {
	if w := ansi.StringWidth(styled); w <= width && !strings.Contains(styled, "\n") {
		// Most chat lines fit: lipgloss.Wrap would return them as they are.
		return []Row{{Text: styled + strings.Repeat(" ", width-w), Width: width}}
	}
	lines := strings.Split(lipgloss.Wrap(styled, width, " -"), "\n")
	rows := make([]Row, len(lines))
	for i, l := range lines {
		rows[i] = padRow(l, width)
	}
	return rows
}

// mentions reports whether text holds the mention as a whole word: "@me"
// is in "hi @me!" but not in "@meg".
func mentions(text, mention string) bool {
	if mention == "" {
		return false
	}
	lower := strings.ToLower(text)
	for i := 0; ; {
		j := strings.Index(lower[i:], mention)
		if j < 0 {
			return false
		}
		end := i + j + len(mention)
		if r, _ := utf8.DecodeRuneInString(lower[end:]); end == len(lower) || !isNameRune(r) {
			return true
		}
		i = end
	}
}

func isNameRune(r rune) bool {
	return r == '_' || r == '-' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
