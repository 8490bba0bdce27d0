package viewer

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/live"
)

// The viewer's side of a giveaway: a line on the card while it runs, e to
// enter once, and the draw, with what a viewer needs to check it.

// giveawayLinger is how long a drawn giveaway stays on the card, by the
// show's clock: long enough to read the winner and how to verify the draw.
const giveawayLinger = 20 * time.Second

// shortHash is how much of a commitment the card shows: enough to compare
// by eye with what the verifier prints.
const shortHash = 8

// giveawayUI is what the screen adds to the running giveaway.
type giveawayUI struct {
	id         string    // the giveaway the rest belongs to
	entering   bool      // an entry sent and not yet confirmed
	ended      bool      // its draw (or void) has been seen
	shownUntil time.Time // a closed giveaway stays on the card until then
}

// giveawayShown reports whether the card shows the giveaway now: while
// it takes entries, and for giveawayLinger after the draw.
func (m Model) giveawayShown(now time.Time) bool {
	g := m.Show.Giveaway
	if g == nil {
		return false
	}
	return g.State == protocol.GiveawayOpen || g.ID == m.give.id && now.Before(m.give.shownUntil)
}

// whyNoEnter says why e does nothing now; "" when it enters.
func (m Model) whyNoEnter() string {
	g := m.Show.Giveaway
	switch {
	case g == nil:
		return "No giveaway is running"
	case g.State != protocol.GiveawayOpen:
		return "The giveaway has closed"
	case m.Show.Entered == g.ID:
		return "You're in the giveaway already ✓"
	case m.give.id == g.ID && m.give.entering:
		return "Your entry is on its way"
	}
	return ""
}

// enter enters the running giveaway, once.
func (m Model) enter() (Model, tea.Cmd) {
	if why := m.whyNoEnter(); why != "" {
		return m.notify(live.StatusInfo, why)
	}
	if m.Link.State != live.Up {
		return m.notify(live.StatusError, "Offline · you are not entered yet")
	}
	g := m.Show.Giveaway
	m.give = giveawayUI{id: g.ID, entering: true}
	m.layout()
	return m, send(m.Session(), whatEnter, protocol.TypeEnter, protocol.Enter{GiveawayID: g.ID})
}

// entered confirms the viewer's entry.
func (m *Model) entered() tea.Cmd {
	g := m.Show.Giveaway
	if g == nil || m.Show.Entered != g.ID {
		return nil
	}
	m.give.entering = false
	m.layout()
	return m.Notify(live.StatusGood, "You're in the giveaway for "+m.productName(g.ProductID, g.VariantID)+" ✓ · good luck!")
}

// enterRefused answers an error as the reply to the entry in flight.
func (m *Model) enterRefused(e protocol.Error) tea.Cmd {
	m.give.entering = false
	m.layout()
	return m.Notify(live.StatusError, "Not entered: "+serverText(e))
}

// giveawayChanged follows the giveaway's new state: a new one, the count
// of entrants, the draw.
func (m *Model) giveawayChanged() tea.Cmd {
	g := m.Show.Giveaway
	var cmds []tea.Cmd
	if g.ID != m.give.id {
		m.give = giveawayUI{id: g.ID}
		if g.State == protocol.GiveawayOpen {
			how := "e enters"
			if g.BuyersOnly {
				how = "for buyers in this show · e enters"
			}
			cmds = append(cmds, m.Notify(live.StatusInfo, "Giveaway: "+m.productName(g.ProductID, g.VariantID)+" · "+how))
		}
	}
	if g.State != protocol.GiveawayOpen && !m.give.ended {
		m.give.ended, m.give.entering = true, false
		m.give.shownUntil = m.ServerNow().Add(giveawayLinger)
		cmds = append(cmds, m.CountDownTo(m.give.shownUntil), m.giveawayDrawn())
	}
	m.layout()
	return tea.Batch(cmds...)
}

// giveawayDrawn tells the draw: in the chat, where it stays with the
// command that checks it, and on the status line; a win of the viewer's
// own stays up until dismissed.
func (m *Model) giveawayDrawn() tea.Cmd {
	g := m.Show.Giveaway
	what := m.productName(g.ProductID, g.VariantID)
	if g.State != protocol.GiveawayDrawn || g.Winner == nil {
		if g.Entrants > 0 {
			m.chat.AddSystem("giveaway of " + what + " ended with nothing drawn")
			return m.Notify(live.StatusInfo, "The giveaway ended with nothing drawn")
		}
		m.chat.AddSystem("giveaway of " + what + " closed with no entrants · nothing drawn")
		return m.Notify(live.StatusInfo, "The giveaway closed with no entrants")
	}
	check := "commitment " + shortCommitment(g.Commitment)
	if rec := recordURL(g); rec != "" {
		check += " · verify: livecart verify " + rec
	}
	if g.Winner.ID != m.Show.You.ID {
		m.chat.AddSystem(g.Winner.Name + " won " + what + " in the giveaway · " + check)
		return m.Notify(live.StatusInfo, g.Winner.Name+" won "+what+" in the giveaway")
	}
	m.chat.AddSystem("you won " + what + " in the giveaway · " + check)
	text := fmt.Sprintf("You won the giveaway: %s! · commitment %s", what, shortCommitment(g.Commitment))
	n := live.Notice{Key: noticeGiveawayPref + g.ID, Kind: live.StatusGood, Text: text}
	if rec := recordURL(g); rec != "" {
		n.Text += " · check the draw with livecart verify and this record (y copies it):"
		n.Link = rec
	}
	m.Stick(n)
	return m.Notify(live.StatusGood, "You won the giveaway!")
}

// shortCommitment is the start of a commitment, as the card shows it.
func shortCommitment(c string) string {
	if len(c) > shortHash {
		return c[:shortHash]
	}
	return c
}

// recordURL is the published record of a giveaway's draw, when it is a
// link safe to show and hand on; "" otherwise.
func recordURL(g *protocol.Giveaway) string {
	rec := sanitize.Line(g.Record)
	if rec == "" || checkout.CheckURL(rec) != nil {
		return ""
	}
	return rec
}

// verifyCommand is the command that checks the draw of the giveaway on the
// card, for y to copy; "" when the card shows none.
func (m Model) verifyCommand() string {
	g := m.Show.Giveaway
	if g == nil || g.State != protocol.GiveawayDrawn || !m.giveawayShown(m.ServerNow()) {
		return ""
	}
	if rec := recordURL(g); rec != "" {
		return "livecart verify " + rec
	}
	return ""
}

// prize reports whether an order is a giveaway's prize: the winner gets
// one, at no cost, and nothing else is ever free.
func prize(o protocol.Order) bool {
	if o.Total.Amount != 0 {
		return false
	}
	for _, l := range o.Lines {
		if l.Unit.Amount != 0 {
			return false
		}
	}
	return true
}

// prizeOrdered notes the order of a giveaway's prize: not the cart's, and
// no purchase of the viewer's; the win's own notice says the rest.
func (m *Model) prizeOrdered(o protocol.Order) tea.Cmd {
	parts := make([]string, 0, len(o.Lines))
	for _, l := range o.Lines {
		parts = append(parts, fmt.Sprintf("%d × %s (%s)", l.Qty, l.Name, l.Variant))
	}
	text := "your giveaway prize, " + strings.Join(parts, ", ") + ", is order " + o.ID + " · nothing to pay"
	m.chat.AddSystem(text)
	return m.Notify(live.StatusGood, "Your prize is order "+o.ID+" · nothing to pay")
}
