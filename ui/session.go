package ui

import (
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/link"
)

// maxPending bounds the chat lines kept while offline; past it, new lines
// are refused out loud rather than piling up.
const maxPending = 20

// handleUpdates applies what the session reported, in order.
func (m Model) handleUpdates(msg link.UpdatesMsg) (Model, tea.Cmd) {
	m.now = msg.At
	var cmds []tea.Cmd
	for _, u := range msg.Updates {
		cmds = append(cmds, m.applyUpdate(u))
	}
	m.layout()
	cmds = append(cmds, bridge{sess: m.sess, last: msg.At}.Wait())
	return m, tea.Batch(cmds...)
}

func (m *Model) applyUpdate(u client.Update) tea.Cmd {
	switch u.Kind {
	case client.UpdateConnecting:
		m.link, m.attempt = link.Connecting, u.Attempt
		return m.spin.Tick
	case client.UpdateSnapshot:
		return m.applySnapshot(u)
	case client.UpdateResumed:
		m.show.You, m.show.Viewers = u.Welcome.You, u.Welcome.Viewers
		m.show.You.Name = sanitize.Line(m.show.You.Name)
		return m.linkRestored("Reconnected · nothing was missed")
	case client.UpdateEvents:
		return m.applyEvents(u.Events)
	case client.UpdateWaiting:
		return m.linkLost(u)
	case client.UpdateFailed:
		m.link, m.err = link.Down, u.Err
		if m.phase != phaseLive {
			m.phase = phaseFailed
			return nil
		}
		m.chat.AddSystem("disconnected for good · " + reason(u.Err))
		m.failPending()
		return m.toastCmd(toastError, "Disconnected: "+reason(u.Err))
	}
	return nil
}

// applySnapshot replaces the mirror with a fresh snapshot. After a drop
// that could not be resumed, the chat says that lines were missed and adds
// the recent ones it did not have.
func (m *Model) applySnapshot(u client.Update) tea.Cmd {
	st, lines := show.FromWelcome(u.Welcome, u.Seq)
	first := m.phase != phaseLive
	m.show, m.phase = st, phaseLive
	m.chat.SetMention(st.You.Name)
	m.setPlaceholder()
	if !first && u.Missed {
		m.chat.AddSystem("you were offline · some messages were missed")
	}
	for _, l := range lines {
		if !m.chat.Has(l.ID) {
			m.chat.Add(l)
		}
	}
	if first {
		m.link, m.err = link.Up, nil
		m.cartKey = cartKeyFor(m.opts.URL, st.Show.ID)
		return loadCart(m.saver, m.opts.Carts, m.cartKey)
	}
	return m.linkRestored("Reconnected")
}

// linkRestored marks the link up and sends what was typed while offline.
func (m *Model) linkRestored(toast string) tea.Cmd {
	wasDown := m.link != link.Up
	m.link, m.err, m.attempt = link.Up, nil, 0
	says := make([]tea.Cmd, 0, len(m.pending))
	for _, text := range m.pending {
		says = append(says, say(m.sess, text))
	}
	m.pending = nil
	// In the order typed: a Batch would send them all at once, in any order.
	cmds := []tea.Cmd{tea.Sequence(says...)}
	if wasDown {
		cmds = append(cmds, m.toastCmd(toastGood, toast))
	}
	return tea.Batch(cmds...)
}

// linkLost shows that the link is down and when the next try is.
func (m *Model) linkLost(u client.Update) tea.Cmd {
	wasUp := m.link == link.Up
	m.link, m.attempt, m.retryAt, m.err = link.Waiting, u.Attempt, u.RetryAt, u.Err
	if wasUp && m.phase == phaseLive {
		m.chat.AddSystem("offline · " + reason(u.Err))
	}
	if m.phase == phaseConnecting {
		m.phase = phaseFailed // show why, while it keeps trying
	}
	m.ticking = false // restart the clock from this moment
	return m.ensureClock()
}

// needClock reports whether something on screen counts down: the next
// reconnect attempt, or a deal on the pinned product.
func (m Model) needClock() bool {
	if m.link == link.Waiting {
		return true
	}
	p, _, ok := m.show.Pinned()
	return ok && p.Deal.Active(m.serverNow())
}

// ensureClock starts the once-a-second tick if something needs it and it
// is not already running.
func (m *Model) ensureClock() tea.Cmd {
	if m.ticking || !m.needClock() {
		return nil
	}
	m.ticking = true
	m.clockID++
	return m.clockTick()
}

// clockTick asks for the next countdown tick.
func (m *Model) clockTick() tea.Cmd {
	id := m.clockID
	return m.opts.Tick(time.Second, func(t time.Time) tea.Msg { return clockMsg{id: id, at: t} })
}

func (m Model) handleClock(msg clockMsg) (Model, tea.Cmd) {
	if msg.id != m.clockID {
		return m, nil
	}
	m.now = msg.at
	if !m.needClock() {
		m.ticking = false
		return m, nil
	}
	return m, m.clockTick()
}

// applyEvents applies show events to the mirror and routes what changed.
func (m *Model) applyEvents(events []protocol.Envelope) tea.Cmd {
	var cmds []tea.Cmd
	for _, env := range events {
		if !env.TS.IsZero() && !m.now.IsZero() {
			m.skew = env.TS.Sub(m.now)
		}
		if env.Type == protocol.TypePin || env.Type == protocol.TypeUnpin {
			m.rememberPin()
		}
		ch, err := m.show.Apply(env)
		if err != nil {
			m.opts.logf("dropped invalid event", "type", string(env.Type), "err", err)
			continue
		}
		m.applied++
		if cmd := m.applyChange(ch); cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	cmds = append(cmds, m.ensureClock())
	return tea.Batch(cmds...)
}

// applyChange routes one applied event to the part of the screen it moves.
func (m *Model) applyChange(ch show.Change) tea.Cmd {
	switch ch.Kind {
	case show.KindChat:
		m.chat.Add(ch.Line)
	case show.KindChatDeleted:
		m.chat.Remove(ch.IDs...)
	case show.KindError:
		return m.toastCmd(toastError, serverError(ch.Err))
	case show.KindProduct:
		return m.stockNews(ch)
	case show.KindPurchase:
		return m.toastCmd(toastInfo, fmt.Sprintf("%s just bought %s", ch.Purchase.Buyer, ch.Purchase.ProductName))
	case show.KindSettings:
		m.setPlaceholder()
	case show.KindNotice:
		m.chat.AddSystem(ch.Notice.Message)
		return m.toastCmd(toastError, ch.Notice.Message)
	case show.KindOrder:
		return m.orderPlaced(ch.Order)
	}
	return nil
}

// rememberPin puts the product pinned now at the front of the rail before a
// new pin replaces it.
func (m *Model) rememberPin() {
	p, v, ok := m.show.Pinned()
	if !ok {
		return
	}
	rail := []protocol.Pin{{ProductID: p.ID, VariantID: v.ID}}
	for _, pin := range m.earlier {
		if pin.ProductID != p.ID && len(rail) < maxRail {
			rail = append(rail, pin)
		}
	}
	m.earlier = rail
}

// stockNews tells the viewer when something in their cart has just sold
// out.
func (m *Model) stockNews(ch show.Change) tea.Cmd {
	p, ok := m.show.Product(ch.ProductID)
	if !ok {
		return nil
	}
	for _, l := range m.cart.Lines() {
		if l.ProductID != p.ID {
			continue
		}
		before, _ := ch.Before.Variant(l.VariantID)
		now, _ := p.Variant(l.VariantID)
		if before.Stock > 0 && now.Stock == 0 {
			return m.toastCmd(toastError, fmt.Sprintf("%s (%s) in your cart just sold out", l.Name, l.Variant))
		}
	}
	return nil
}

// orderPlaced confirms an order from this viewer's checkout link and takes
// what was bought out of the cart.
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
	return tea.Batch(m.toastCmd(toastGood, fmt.Sprintf("Order %s placed · %s · thank you!", o.ID, o.Total)), m.persist())
}

// handleSent reports a command that could not be sent. A chat line that
// failed is queued again while the link is down, else shown as not sent.
func (m Model) handleSent(msg sentMsg) (Model, tea.Cmd) {
	if msg.err == nil {
		return m, nil
	}
	if msg.text != "" {
		if errors.Is(msg.err, client.ErrOffline) {
			return m.queue(msg.text)
		}
		m.chat.AddSystem("not sent: " + msg.text)
		return m.notify(toastError, "Your message was not sent: "+msg.err.Error())
	}
	if errors.Is(msg.err, client.ErrOffline) {
		return m, nil // cart signals are counts for the host; the cart itself is safe
	}
	return m.notify(toastError, fmt.Sprintf("Could not send %s: %v", msg.what, msg.err))
}

// queue keeps a chat line typed while offline, visibly.
func (m Model) queue(text string) (Model, tea.Cmd) {
	if m.link == link.Down {
		// The session gave up: no reconnect will ever send it.
		m.chat.AddSystem("not sent: " + text)
		return m.notify(toastError, "Disconnected · your message was not sent")
	}
	if len(m.pending) >= maxPending {
		m.chat.AddSystem("not sent (too many waiting): " + text)
		return m.notify(toastError, "Offline · too many messages waiting; this one was not kept")
	}
	m.pending = append(m.pending, text)
	m.chat.AddSystem("waiting to send: " + text)
	return m.notify(toastInfo, fmt.Sprintf("Offline · %d message(s) will be sent when the show is back", len(m.pending)))
}

// failPending shows every waiting chat line as not sent.
func (m *Model) failPending() {
	for _, text := range m.pending {
		m.chat.AddSystem("not sent: " + text)
	}
	m.pending = nil
}

// reason is an error's text, safe to draw.
func reason(err error) string {
	if err == nil {
		return "connection lost"
	}
	return sanitize.Line(err.Error())
}

func serverError(e protocol.Error) string {
	if e.Message == "" {
		return "Server: " + e.Code
	}
	return "Server: " + e.Message
}

// setPlaceholder says what the chat input does now, and the slow mode when
// it is on.
func (m *Model) setPlaceholder() {
	p := idlePlaceholder
	if m.mode == modeInput {
		p = typingPlaceholder
	}
	if m.show.SlowMode > 0 {
		p += fmt.Sprintf(" · slow mode: one line per %ds", m.show.SlowMode)
	}
	m.input.Placeholder = p
}
