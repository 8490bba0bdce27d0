package host

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
)

// What each key sends. Every command goes through do, which tracks it
// until the server answers (saying "sending…" if that takes long); nothing
// here changes the show itself: the server's events do.

// selected returns the selected product.
func (m Model) selected() (protocol.Product, bool) {
	cat := m.Show.Catalog()
	if m.sel < 0 || m.sel >= len(cat) {
		return protocol.Product{}, false
	}
	return cat[m.sel], true
}

func (m Model) selectedID() string {
	p, _ := m.selected()
	return p.ID
}

// selectProduct keeps the selection on the product with this ID when the
// catalog changes under it, and within the catalog in any case.
func (m *Model) selectProduct(id string) {
	cat := m.Show.Catalog()
	for i, p := range cat {
		if p.ID == id {
			m.sel = i
			return
		}
	}
	m.sel = min(max(0, m.sel), max(0, len(cat)-1))
}

// upNext is the up-next list as the host last asked for it: the newest
// unanswered queue command's, else the server's. Edits build on it, so
// two quick presses do not undo each other.
func (m Model) upNext() []string { return m.askedFor(protocol.TypeQueue, m.metrics.UpNext) }

// blockedWords is the blocked words as the host last asked for them, which
// the server shows only in its next metrics.
func (m Model) blockedWords() []string {
	return m.askedFor(protocol.TypeBlockedWords, m.metrics.BlockedWords)
}

// askedFor is the list the newest unanswered command of typ asks for, else
// the server's.
func (m Model) askedFor(typ protocol.Type, server []string) []string {
	for i := len(m.ops) - 1; i >= 0; i-- {
		if m.ops[i].typ == typ {
			return m.ops[i].list
		}
	}
	return server
}

// queuePos is the product's index in the up-next list, or -1.
func (m Model) queuePos(id string) int { return slices.Index(m.upNext(), id) }

func (m Model) pin() (Model, tea.Cmd) {
	p, ok := m.selected()
	if !ok {
		return m, nil
	}
	i := slices.IndexFunc(p.Variants, func(v protocol.Variant) bool { return v.Stock > 0 })
	if i < 0 {
		return m.notify(live.StatusError, "Not pinned: every variant of "+p.Name+" is sold out · i sets stock")
	}
	v := p.Variants[i]
	return m.send(op{what: "pin " + p.Name + " (" + v.Name + ")", typ: protocol.TypePin, key: p.ID},
		protocol.Pin{ProductID: p.ID, VariantID: v.ID})
}

func (m Model) unpin() (Model, tea.Cmd) {
	return m.send(op{what: "unpin", typ: protocol.TypeUnpin}, protocol.Unpin{})
}

func (m Model) pinNext() (Model, tea.Cmd) {
	what := "pin next"
	if q := m.upNext(); len(q) > 0 {
		if p, ok := m.Show.Product(q[0]); ok {
			what = "pin next: " + p.Name
		}
	}
	return m.send(op{what: what, typ: protocol.TypePinNext}, struct{}{})
}

// setQueue sends the whole new up-next list.
func (m Model) setQueue(what string, list []string) (Model, tea.Cmd) {
	list = slices.Clip(list)
	want := slices.Clone(list)
	o := op{what: what, typ: protocol.TypeQueue, list: want,
		done: func(mt protocol.Metrics) bool { return slices.Equal(mt.UpNext, want) }}
	return m.send(o, protocol.Queue{ProductIDs: list})
}

func (m Model) queueAdd() (Model, tea.Cmd) {
	p, ok := m.selected()
	if !ok || m.queuePos(p.ID) >= 0 {
		return m, nil
	}
	q := m.upNext()
	if len(q) >= protocol.MaxQueue {
		return m.notify(live.StatusError, "The up-next list is full")
	}
	return m.setQueue("add "+p.Name+" to up next", append(slices.Clone(q), p.ID))
}

func (m Model) queueDrop() (Model, tea.Cmd) {
	p, ok := m.selected()
	i := m.queuePos(p.ID)
	if !ok || i < 0 {
		return m, nil
	}
	return m.setQueue("drop "+p.Name+" from up next", slices.Delete(slices.Clone(m.upNext()), i, i+1))
}

// queueMove moves the selected product one place earlier (-1) or later.
func (m Model) queueMove(delta int) (Model, tea.Cmd) {
	p, ok := m.selected()
	i := m.queuePos(p.ID)
	if !ok || i < 0 {
		return m, nil
	}
	q := slices.Clone(m.upNext())
	j := i + delta
	if j < 0 || j >= len(q) {
		where := "first"
		if delta > 0 {
			where = "last"
		}
		return m.notify(live.StatusInfo, p.Name+" is already "+where+" in up next")
	}
	q[i], q[j] = q[j], q[i]
	return m.setQueue(fmt.Sprintf("move %s to #%d in up next", p.Name, j+1), q)
}

func (m Model) endDeal() (Model, tea.Cmd) {
	p, ok := m.selected()
	if !ok || p.Deal == nil {
		return m, nil
	}
	return m.send(op{what: "end the deal on " + p.Name, typ: protocol.TypeEndDeal, key: p.ID, product: true},
		protocol.EndDeal{ProductID: p.ID})
}

func (m Model) deleteLine() (Model, tea.Cmd) {
	l, ok := m.chat.Selected()
	if !ok {
		return m, nil
	}
	return m.send(op{what: "delete " + l.Author.Name + "'s line", typ: protocol.TypeDeleteChat, key: l.ID,
		names: []string{l.ID, lineWords(l), l.Author.ID, l.Author.Name}}, protocol.DeleteChat{ID: l.ID})
}

func (m Model) confirmBan() (Model, tea.Cmd) {
	l, ok := m.chat.Selected()
	if !ok || l.Author.Role == protocol.RoleHost {
		return m, nil
	}
	m.mode = modeConfirm
	m.prompt = prompt{kind: promptBan, line: l}
	m.relayout()
	return m, nil
}

func (m Model) handleConfirmKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	if m.prompt.kind == promptDraw {
		p := m.prompt
		m.closePrompt()
		if key.Matches(msg, k.Confirm) {
			return m.draw(p.giveaway, p.label)
		}
		return m.notify(live.StatusInfo, "Not drawn: the giveaway of "+p.label+" stays open")
	}
	if key.Matches(msg, k.Confirm) {
		l := m.prompt.line
		m.closePrompt()
		return m.send(op{what: "ban " + l.Author.Name, typ: protocol.TypeBan, names: []string{l.Author.ID, l.Author.Name}},
			protocol.Ban{UserID: l.Author.ID})
	}
	// Anything else, not only n or esc, cancels: a ban is not undone.
	m.closePrompt()
	return m.notify(live.StatusInfo, "Ban cancelled")
}

// say sends the host's chat line.
func (m Model) say() (Model, tea.Cmd) {
	text := strings.TrimSpace(m.input.Value())
	if text == "" {
		return m, nil
	}
	if m.Link.State != live.Up {
		// Kept in the input, unlike a viewer's queue: the host decides
		// whether it still fits once the show is back.
		return m.notify(live.StatusError, "Not sent: offline · your line is still in the input")
	}
	m.input.Reset()
	m.chat.ClearSelection()
	return m.send(op{what: "your chat line", typ: protocol.TypeSay}, protocol.Say{Text: text})
}

// lineWords is a chat line as an error names it: what it said, cut short.
func lineWords(l show.Line) string {
	return "“" + sanitize.Truncate(l.Text, 24) + "”"
}
