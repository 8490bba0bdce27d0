package live

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/theme"
)

// StatusKind picks the status line's colour, and how long it stays.
type StatusKind int

// Kinds of status message.
const (
	StatusInfo StatusKind = iota
	StatusGood
	StatusError
)

// How long a status message stays up, on every screen: long enough to
// read in passing, and an error three times that, long enough to read what
// went wrong.
const (
	statusTTL = 5 * time.Second
	errorTTL  = 15 * time.Second
)

// Status is the status line: one message, sanitized, that clears itself.
type Status struct {
	Text string
	Kind StatusKind
	id   int // generation: an expiry for an older message clears nothing
}

// StatusExpiredMsg clears the status line, unless a newer message has
// replaced the one it was set for.
type StatusExpiredMsg struct{ id int }

// Style is the status line's style for its kind.
func (s Status) Style(st *theme.Styles) lipgloss.Style {
	switch s.Kind {
	case StatusGood:
		return st.Good
	case StatusError:
		return st.Error
	}
	return st.Toast
}

// Notify shows text in the status line until its time is up or another
// message replaces it.
func (c *Core) Notify(kind StatusKind, text string) tea.Cmd {
	c.Status.id++
	c.Status.Text, c.Status.Kind = sanitize.Line(text), kind
	id, ttl := c.Status.id, statusTTL
	if kind == StatusError {
		ttl = errorTTL
	}
	return c.opts.Tick(ttl, func(time.Time) tea.Msg { return StatusExpiredMsg{id: id} })
}

// ClearStatus empties the status line now; a pending expiry finds nothing
// of its own to clear.
func (c *Core) ClearStatus() {
	c.Status.id++
	c.Status.Text = ""
}

func (c *Core) statusExpired(msg StatusExpiredMsg) {
	if msg.id == c.Status.id {
		c.Status.Text = ""
	}
}

// maxNotices bounds the notices kept up at once; past it the oldest goes.
const maxNotices = 8

// Notice is a message that stays until the user dismisses it: what must
// not be missed in passing, such as an order's confirmation or why the
// cart is not saved. A toast on the status line still goes by itself; a
// notice is drawn whole, wrapped to as many rows as it needs.
type Notice struct {
	Key  string // names the notice: a newer one with the same key replaces it
	Kind StatusKind
	Text string // sanitized by Stick
	Link string // a URL drawn whole under the text, to open or copy
}

// Stick puts a notice up until it is dismissed, in place of the one with
// the same key.
func (c *Core) Stick(n Notice) {
	n.Text, n.Link = sanitize.Line(n.Text), sanitize.Line(n.Link)
	// A new slice, not an append: copies of the model share the old one.
	out := make([]Notice, 0, len(c.Notices)+1)
	for _, o := range c.Notices {
		if o.Key != n.Key {
			out = append(out, o)
		}
	}
	out = append(out, n)
	if len(out) > maxNotices {
		out = out[len(out)-maxNotices:]
	}
	c.Notices = out
}

// Dismiss takes down the newest notice and reports whether there was one.
func (c *Core) Dismiss() bool {
	if len(c.Notices) == 0 {
		return false
	}
	c.Notices = slices.Clone(c.Notices[:len(c.Notices)-1])
	return true
}

// Unstick takes down the notice named key, if it is up.
func (c *Core) Unstick(key string) {
	c.Notices = slices.DeleteFunc(slices.Clone(c.Notices), func(n Notice) bool { return n.Key == key })
}

// Notice returns the notice named key, if it is up.
func (c Core) Notice(key string) (Notice, bool) {
	for _, n := range c.Notices {
		if n.Key == key {
			return n, true
		}
	}
	return Notice{}, false
}

// Marks that start a notice, so its kind reads without colour too.
var noticeMarks = map[StatusKind]string{StatusInfo: "• ", StatusGood: "✓ ", StatusError: "! "}

// Render draws the notice width cells wide: its text wrapped at spaces
// (a word longer than a row is broken, never cut), the rows after the first
// indented under the mark; then the link, if any, in rows of width cells,
// each an OSC 8 hyperlink to it, so that it can be clicked where the
// terminal allows and still be selected and copied whole where it does not.
func (n Notice) Render(st *theme.Styles, width int) string {
	width = max(1, width)
	style := Status{Kind: n.Kind}.Style(st)
	mark := noticeMarks[n.Kind]
	indent := strings.Repeat(" ", lipgloss.Width(mark))
	if width <= len(indent) {
		mark, indent = "", ""
	}
	var rows []string
	if n.Text != "" {
		for i, r := range wrapWords(n.Text, width-len(indent)) {
			lead := indent
			if i == 0 {
				lead = mark
			}
			rows = append(rows, style.Render(lead+r))
		}
	}
	if n.Link != "" {
		open, end := ansi.SetHyperlink(n.Link, "id="+linkID(n.Link)), ansi.ResetHyperlink()
		for _, r := range strings.Split(ansi.Hardwrap(n.Link, width, true), "\n") {
			rows = append(rows, open+st.Accent.Underline(true).Render(r)+end)
		}
	}
	return strings.Join(rows, "\n")
}

// linkID names a link's rows as one link, for terminals that underline
// all of a hyperlink's rows when the pointer is on one.
func linkID(url string) string {
	h := fnv.New32a()
	h.Write([]byte(url))
	return fmt.Sprintf("livecart-%08x", h.Sum32())
}

// wrapWords breaks text into rows of at most width cells at its spaces
// only: a name or an order ID such as "viewer-0042" stays whole where it
// fits, as lipgloss.Wrap, which also breaks after a hyphen, would not keep
// it. A word longer than a row is broken across rows.
func wrapWords(text string, width int) []string {
	width = max(1, width)
	var rows []string
	row, used := "", 0
	for _, word := range strings.Fields(text) {
		w := ansi.StringWidth(word)
		switch {
		case used > 0 && used+1+w <= width:
			row, used = row+" "+word, used+1+w
			continue
		case used > 0:
			rows = append(rows, row)
		}
		pieces := strings.Split(ansi.Hardwrap(word, width, false), "\n")
		rows = append(rows, pieces[:len(pieces)-1]...)
		row = pieces[len(pieces)-1]
		used = ansi.StringWidth(row)
	}
	return append(rows, row)
}
