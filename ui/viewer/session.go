package viewer

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
)

// maxPending bounds the chat lines kept while offline; past it, new lines
// are refused out loud rather than piling up.
const maxPending = 20

// applyUpdate is the viewer's reaction to one session update, which the
// core has applied.
func (m *Model) applyUpdate(u client.Update) tea.Cmd {
	was := m.pinState()
	o, cmd := m.Apply(u)
	m.followPin(was) // a snapshot after a gap may pin something else
	if o.Note != "" {
		m.chat.AddSystem(o.Note)
	}
	switch o.What {
	case live.Joined, live.Rejoined:
		m.chat.SetMention(m.Show.You.Name)
		m.setPlaceholder()
		m.chat.Reconcile(o.Lines)
		m.noteRename()
		m.inFlight = nil // a new session: whatever was in flight is in the snapshot, or lost
		m.forgetAsks()
		m.syncFormats()
		if o.What == live.Joined {
			m.cartKey = cartKeyFor(m.opts.URL, m.Show.Show.ID)
			return tea.Batch(cmd, loadCart(m.saver, m.opts.Carts, m.cartKey))
		}
		// A new snapshot: the show may have moved while the link was down.
		return tea.Batch(cmd, m.recheck(), m.sendPending())
	case live.Resumed:
		return tea.Batch(cmd, m.sendPending())
	case live.Events:
		return tea.Batch(cmd, m.applyEvents(u.Events))
	case live.Ended:
		m.failPending()
		m.forgetAsks()
	}
	return cmd
}

// sendPending sends what was typed while offline, in the order typed: a
// Batch would send the lines all at once, in any order.
func (m *Model) sendPending() tea.Cmd {
	says := make([]tea.Cmd, 0, len(m.pending))
	waits := make([]tea.Cmd, 0, len(m.pending)+1)
	for _, text := range m.pending {
		says = append(says, say(m.Session(), text))
		waits = append(waits, m.noteSent(text))
	}
	m.pending = nil
	return tea.Batch(append(waits, tea.Sequence(says...))...)
}

// applyEvents applies show events to the mirror and routes what changed.
// The cart is checked once the events that move its prices are all
// applied: a burst of them is told as one.
func (m *Model) applyEvents(events []protocol.Envelope) tea.Cmd {
	var cmds []tea.Cmd
	recheck := false
	for _, env := range events {
		was := m.pinState()
		ch, ok := m.ApplyEvent(env)
		if !ok {
			continue
		}
		m.followPin(was)
		m.applied++
		if cmd := m.applyChange(ch); cmd != nil {
			cmds = append(cmds, cmd)
		}
		recheck = recheck || ch.Kind == show.KindProduct || ch.Kind == show.KindOrder
	}
	if recheck {
		cmds = append(cmds, m.recheck())
	}
	return tea.Batch(cmds...)
}

// applyChange routes one applied event to the part of the screen it moves.
func (m *Model) applyChange(ch show.Change) tea.Cmd {
	if cmd, ok := m.applyFormat(ch); ok {
		return cmd
	}
	switch ch.Kind {
	case show.KindChat:
		m.chat.Add(ch.Line)
		return m.ownLine(ch.Line)
	case show.KindChatDeleted:
		m.chat.Remove(ch.IDs...)
	case show.KindError:
		if cmd, ok := m.formatRefused(ch.Err); ok {
			return cmd
		}
		if cmd, ok := m.lineRefused(ch.Err); ok {
			return cmd
		}
		return m.Notify(live.StatusError, "Server: "+serverText(ch.Err))
	case show.KindPurchase:
		if m.ownPurchase(ch.Purchase) {
			return nil // the order's own notice says it
		}
		return m.Notify(live.StatusInfo, fmt.Sprintf("%s just bought %s", ch.Purchase.Buyer, ch.Purchase.ProductName))
	case show.KindSettings:
		m.setPlaceholder()
	case show.KindNotice:
		m.chat.AddSystem(ch.Notice.Message)
		return m.Notify(live.StatusError, ch.Notice.Message)
	case show.KindOrder:
		if prize(ch.Order) {
			return m.prizeOrdered(ch.Order)
		}
		// Counted before the cart is checked again (see applyEvents): what
		// it bought at a deal's price counts against the deal's limit.
		m.bought = m.bought.Record(ch.Order, m.Show.ProductOfVariant, m.ServerNow())
		m.ordered = true
		if m.wonOrder(ch.Order) {
			return m.wonPaid(ch.Order)
		}
		return m.orderPlaced(ch.Order)
	}
	return nil
}

// orderPlaced confirms an order from this viewer's checkout link, until
// it is dismissed, and takes what was bought out of the cart; once the
// cart is empty its checkout link goes too.
func (m *Model) orderPlaced(o protocol.Order) tea.Cmd {
	next := m.cart
	for _, ol := range o.Lines {
		for _, l := range next.Lines() {
			if l.VariantID == ol.VariantID {
				next, _ = next.SetQty(l.VariantID, max(0, l.Qty-ol.Qty), -1)
			}
		}
	}
	m.cart = next
	m.cartSel = min(m.cartSel, max(0, m.cart.Len()-1))
	m.chat.AddSystem(fmt.Sprintf("order %s placed · %s", o.ID, o.Total))
	m.expectPurchases(o)
	m.orderNotice(o)
	if m.cart.IsEmpty() {
		m.Unstick(noticeCheckout)
	}
	m.layout()
	return m.persist()
}

// handleSent reports a command that could not be sent. A chat line that
// failed is queued again while the link is down, else shown as not sent.
func (m Model) handleSent(msg sentMsg) (Model, tea.Cmd) {
	if msg.err == nil {
		return m, nil
	}
	switch msg.what {
	case whatBid, whatMaxBid, whatEnter, whatGift:
		// Asked for by the viewer's own key, and not asked: said even
		// offline, and no longer shown as on its way.
		m.notSent(msg.what)
		return m.notify(live.StatusError, fmt.Sprintf("Could not send %s: %v", msg.what, msg.err))
	}
	if msg.text != "" {
		if errors.Is(msg.err, client.ErrOffline) {
			return m.queue(msg.text)
		}
		m.chat.AddSystem("not sent: " + msg.text)
		return m.notify(live.StatusError, "Your message was not sent: "+msg.err.Error())
	}
	if errors.Is(msg.err, client.ErrOffline) {
		return m, nil // cart signals are counts for the host; the cart itself is safe
	}
	return m.notify(live.StatusError, fmt.Sprintf("Could not send %s: %v", msg.what, msg.err))
}

// queue keeps a chat line typed while offline, visibly.
func (m Model) queue(text string) (Model, tea.Cmd) {
	if m.Link.State == live.Down {
		// The session gave up: no reconnect will ever send it.
		m.chat.AddSystem("not sent: " + text)
		return m.notify(live.StatusError, "Disconnected · your message was not sent")
	}
	if len(m.pending) >= maxPending {
		m.chat.AddSystem("not sent (too many waiting): " + text)
		return m.notify(live.StatusError, "Offline · too many messages waiting; this one was not kept")
	}
	m.pending = append(m.pending, text)
	m.chat.AddSystem("waiting to send: " + text)
	return m.notify(live.StatusInfo, fmt.Sprintf("Offline · %d message(s) will be sent when the show is back", len(m.pending)))
}

// failPending shows every waiting chat line as not sent.
func (m *Model) failPending() {
	for _, text := range m.pending {
		m.chat.AddSystem("not sent: " + text)
	}
	m.pending = nil
}

// serverText is what the show said in an error: its message, else its
// code.
func serverText(e protocol.Error) string {
	if e.Message == "" {
		return e.Code
	}
	return e.Message
}

// setPlaceholder says what the chat input does now, and the slow mode when
// it is on.
func (m *Model) setPlaceholder() {
	p := idlePlaceholder
	if m.mode == modeInput {
		p = typingPlaceholder
	}
	if m.Show.SlowMode > 0 {
		p += " · " + slowModeRule(m.Show.SlowMode)
	}
	m.input.Placeholder = p
}

// slowModeRule says the slow mode's rule.
func slowModeRule(secs int) string { return fmt.Sprintf("slow mode: one line per %ds", secs) }
