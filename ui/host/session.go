package host

import (
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
)

// applyUpdate is the dashboard's reaction to one session update. A welcome
// that does not make us the host ends the session before the core takes it
// in; the rest the core applies first.
func (m *Model) applyUpdate(u client.Update) tea.Cmd {
	welcome := u.Kind == client.UpdateSnapshot || u.Kind == client.UpdateResumed
	if welcome && u.Welcome.You.Role != protocol.RoleHost {
		return m.reject()
	}
	selID := m.selectedID()
	o, cmd := m.Apply(u)
	if o.Note != "" {
		m.chat.AddSystem(o.Note)
	}
	switch o.What {
	case live.Joined:
		m.selectProduct(selID)
		m.chat.Reconcile(o.Lines)
		return tea.Batch(cmd, m.Notify(live.StatusGood, "Connected as the host of "+m.Show.Show.Title))
	case live.Rejoined:
		m.selectProduct(selID)
		m.chat.Reconcile(o.Lines)
	case live.Events:
		return tea.Batch(cmd, m.applyEvents(u.Events))
	case live.Lost:
		// Commands in flight may or may not have reached the server: say so.
		if len(m.ops) > 0 {
			m.failOps()
			return tea.Batch(cmd, m.Notify(live.StatusError, "Link lost: unanswered commands may not have reached the show"))
		}
	case live.Ended:
		m.failOps()
	}
	return cmd
}

// reject ends a session whose token the server did not accept: a dashboard
// that cannot pin, deal or moderate would only mislead.
func (m *Model) reject() tea.Cmd {
	m.Logf("host token not accepted")
	return m.HangUp()
}

// applyEvents applies events to the mirror and to the dashboard's own
// state, in order.
func (m *Model) applyEvents(events []protocol.Envelope) tea.Cmd {
	var cmds []tea.Cmd
	selID := m.selectedID()
	for _, env := range events {
		auction, giveaway := m.Show.Auction, m.Show.Giveaway // as they were: an event replaces them whole
		ch, ok := m.ApplyEvent(env)
		if !ok {
			continue
		}
		switch ch.Kind {
		case show.KindAuction:
			cmds = append(cmds, m.auctionChanged(auction))
		case show.KindGiveaway:
			cmds = append(cmds, m.giveawayChanged(giveaway))
		case show.KindGift:
			m.addGift(ch.Gift)
		case show.KindChat:
			m.chat.Add(ch.Line)
			if ch.Line.Author.ID == m.Show.You.ID {
				cmds = append(cmds, m.confirm(func(o op) bool { return o.typ == protocol.TypeSay }))
			}
		case show.KindPin:
			cmds = append(cmds, m.confirm(func(o op) bool {
				switch o.typ {
				case protocol.TypePin:
					return o.key == ch.ProductID
				case protocol.TypePinNext:
					return ch.ProductID != ""
				case protocol.TypeUnpin:
					return ch.ProductID == ""
				}
				return false
			}))
		case show.KindProduct:
			cmds = append(cmds, m.confirm(func(o op) bool { return o.product && o.key == ch.ProductID }))
		case show.KindError:
			cmds = append(cmds, m.refused(ch.Err))
		case show.KindChatDeleted:
			m.chat.Remove(ch.IDs...)
			cmds = append(cmds, m.confirm(func(o op) bool { return o.typ == protocol.TypeDeleteChat && slices.Contains(ch.IDs, o.key) }))
		case show.KindSettings:
			m.metrics.SlowModeSeconds = m.Show.SlowMode
			cmds = append(cmds, m.confirm(func(o op) bool { return o.typ == protocol.TypeSlowMode }))
		case show.KindPurchase:
			m.addSale(ch.Purchase)
		case show.KindMetrics:
			cmds = append(cmds, m.applyMetrics(ch.Metrics))
		}
	}
	m.selectProduct(selID)
	return tea.Batch(cmds...)
}

// applyMetrics takes the newest metrics and appends a sample to each
// sparkline. Commands whose effect shows only here are answered by it.
func (m *Model) applyMetrics(mt protocol.Metrics) tea.Cmd {
	// A store that stopped answering is said once, when it starts.
	var warn tea.Cmd
	if mt.StoreWarning != "" && mt.StoreWarning != m.metrics.StoreWarning {
		warn = m.Notify(live.StatusError, "Store: "+mt.StoreWarning)
	}
	m.metrics, m.haveMetrics = mt, true
	m.metricsSeen++
	m.viewersHist.push(int64(mt.Viewers))
	m.chatHist.push(int64(mt.ChatPerMinute))
	m.revenueHist.push(mt.Revenue.Amount)
	return tea.Batch(warn, m.confirmByMetrics())
}
