// Package chat is the live chat pane, the one both screens use: a capped
// scrollback of lines, each styled and wrapped once when it arrives (and
// again only when the width or the palette changes), drawn bottom-up.
//
// Scrolling back holds the view still while new lines arrive, until the
// user returns to the bottom. With Selectable (the host dashboard's
// moderation) a line can be selected instead: a selection on the newest
// line moves on with each new one, and one on an older line holds the view
// still around it.
package chat

import (
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

// entry is one line of the pane: a chat line, one of livecart's own (a
// marker, a notice), or the empty slot of a line the host removed.
type entry struct {
	line   show.Line // the chat line; for livecart's own, Text alone
	system bool      // livecart's own line
	gone   bool      // removed: no rows, not selectable
	styled string    // the whole line, styled, unwrapped
	rows   []Row     // styled, wrapped and padded to width

	// render draws a line the screen draws itself (AddStyled).
	render func(*theme.Styles) string
}

// isLine reports whether e is a chat line still on screen.
func (e *entry) isLine() bool { return !e.system && !e.gone }

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

	selectable bool // see Selectable
	sel        int  // selected entry, oldest first; -1 for none
	end        int  // last entry shown while a selection holds the view; -1 for none
}

// Option configures a pane.
type Option func(*Model)

// Selectable lets a line be selected (Move, Selected), for the host to act
// on: the view holds still around the selection rather than scrolling.
func Selectable() Option { return func(m *Model) { m.selectable = true } }

// New returns an empty pane that keeps up to scrollback lines.
func New(styles *theme.Styles, scrollback int, opts ...Option) Model {
	if scrollback <= 0 {
		scrollback = DefaultScrollback
	}
	m := Model{styles: styles, parts: newParts(styles), ring: make([]entry, scrollback), ids: make(map[string]int), sel: -1, end: -1}
	for _, o := range opts {
		o(&m)
	}
	return m
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

// at is the entry i places from the oldest.
func (m *Model) at(i int) *entry { return &m.ring[(m.head+i)%len(m.ring)] }

// SetSize sets the pane's size in cells and rewraps every line if the width
// changed.
func (m *Model) SetSize(w, h int) {
	w, h = max(w, 1), max(h, 1)
	if w != m.width {
		m.width = w
		m.blank = padRow("", w)
		m.rewrap()
	}
	m.height = h
	m.clamp()
	m.keepSelectionInView()
}

// rewrap wraps every line again at the pane's width.
func (m *Model) rewrap() {
	m.rows = 0
	for i := 0; i < m.count; i++ {
		e := m.at(i)
		if e.gone {
			continue
		}
		e.rows = wrap(e.styled, m.width)
		m.rows += len(e.rows)
	}
}

// SetStyles restyles every line (the palette changed with the
// background). The styles it already has change nothing.
func (m *Model) SetStyles(s *theme.Styles) {
	if s == m.styles {
		return
	}
	m.styles, m.parts = s, newParts(s)
	for i := 0; i < m.count; i++ {
		e := m.at(i)
		if !e.gone {
			e.styled = m.draw(e)
		}
	}
	if m.width > 0 {
		m.rewrap()
		m.clamp()
		m.keepSelectionInView()
	}
}

// Add appends a chat line.
func (m *Model) Add(l show.Line) { m.push(entry{line: l}) }

// AddSystem appends a line from livecart itself (a marker, a notice).
func (m *Model) AddSystem(text string) {
	m.push(entry{line: show.Line{Text: sanitize.Line(text)}, system: true})
}

// Remove takes lines out of the pane (the host deleted them). The slot
// stays in the ring with no rows, so scrolling and the cap are unaffected.
// A selected line that goes passes the selection to the next line, as in a
// list, or to the one before it when it was the newest.
func (m *Model) Remove(ids ...string) {
	for _, id := range ids {
		if !m.Has(id) {
			continue
		}
		for i := 0; i < m.count; i++ {
			e := m.at(i)
			if !e.isLine() || e.line.ID != id {
				continue
			}
			m.rows -= len(e.rows)
			m.forget(id)
			*e = entry{gone: true}
			if i == m.sel {
				m.reselect(i)
			}
		}
	}
	m.clamp()
	m.keepSelectionInView()
}

// Has reports whether the pane holds the line with this ID.
func (m Model) Has(id string) bool { return id != "" && m.ids[id] > 0 }

// Reconcile merges a snapshot's recent chat after a reconnect: lines it
// lacks were deleted while we were away (if they are newer than its oldest
// line), and lines the pane lacks are added.
func (m *Model) Reconcile(lines []show.Line) {
	if len(lines) > 0 {
		if from := m.index(lines[0].ID); from >= 0 {
			keep := make(map[string]bool, len(lines))
			for _, l := range lines {
				keep[l.ID] = true
			}
			var gone []string
			for i := from; i < m.count; i++ {
				if e := m.at(i); e.isLine() && !keep[e.line.ID] {
					gone = append(gone, e.line.ID)
				}
			}
			m.Remove(gone...)
		}
	}
	for _, l := range lines {
		if !m.Has(l.ID) {
			m.Add(l)
		}
	}
}

// index is the place of the newest line with this ID, or -1.
func (m Model) index(id string) int {
	if !m.Has(id) {
		return -1
	}
	for i := m.count - 1; i >= 0; i-- {
		if e := m.at(i); e.isLine() && e.line.ID == id {
			return i
		}
	}
	return -1
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

// AddStyled appends a line the screen draws itself (a gift, on the host's
// dashboard), not selectable, like livecart's own. render draws it in the
// palette it is given, again whenever the palette changes; what it draws
// must be safe to show.
func (m *Model) AddStyled(render func(*theme.Styles) string) {
	m.push(entry{system: true, render: render})
}

// draw is the entry as drawn, unwrapped: the screen's own drawing, or
// the pane's (style).
func (m Model) draw(e *entry) string {
	if e.render != nil {
		return e.render(m.styles)
	}
	return m.style(e)
}

func (m *Model) push(e entry) {
	follow := m.selectsNewest()
	e.styled = m.draw(&e)
	if m.width > 0 {
		e.rows = wrap(e.styled, m.width)
	}
	if m.count == len(m.ring) {
		old := m.at(0)
		m.rows -= len(old.rows)
		if old.isLine() {
			m.forget(old.line.ID)
		}
		*old = e
		m.head = (m.head + 1) % len(m.ring)
		m.dropped()
	} else {
		*m.at(m.count) = e
		m.count++
	}
	m.rows += len(e.rows)
	if e.isLine() && e.line.ID != "" {
		m.ids[e.line.ID]++
	}
	if m.offset > 0 {
		// Hold the view still: the rows the user is reading move up by
		// exactly the rows just added.
		m.offset += len(e.rows)
		m.unseen++
	}
	if follow {
		// A selection on the newest line follows the chat.
		m.end = m.count - 1
		if e.isLine() {
			m.sel = m.count - 1
		}
	}
	m.clamp()
	m.keepSelectionInView()
}

func (m *Model) forget(id string) {
	if id == "" {
		return
	}
	if m.ids[id]--; m.ids[id] <= 0 {
		delete(m.ids, id)
	}
}

// style is the entry as drawn, unwrapped.
func (m Model) style(e *entry) string {
	if e.system {
		return m.styles.Subtle.Italic(true).Render("— " + e.line.Text + " —")
	}
	return m.format(e.line)
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
	lines := wrapText(styled, width)
	rows := make([]Row, len(lines))
	for i, l := range lines {
		rows[i] = padRow(l, width)
	}
	return rows
}

// wrapText breaks a styled line into rows no wider than width, at spaces
// and hyphens where it can.
func wrapText(styled string, width int) []string {
	return strings.Split(lipgloss.Wrap(styled, width, " -"), "\n")
}

// padRow pads a styled row with spaces to width cells.
func padRow(row string, width int) Row {
	w := lipgloss.Width(row)
	if w >= width {
		return Row{Text: row, Width: w}
	}
	return Row{Text: row + strings.Repeat(" ", width-w), Width: width}
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
