package live

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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
