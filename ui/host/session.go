package host

import (
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
)

// handleUpdates applies what the session reported, in order.
func (m Model) handleUpdates(msg live.UpdatesMsg) (Model, tea.Cmd) {
	m.now = msg.At
	var cmds []tea.Cmd
	for _, u := range msg.Updates {
		cmds = append(cmds, m.applyUpdate(u, msg.At))
	}
	m.relayout()
	if m.phase != phaseRejected {
		cmds = append(cmds, live.Wait(m.sess, msg.At))
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) applyUpdate(u client.Update, at time.Time) tea.Cmd {
	if m.phase == phaseRejected {
		return nil // the session is closing; nothing it says matters now
	}
	switch u.Kind {
	case client.UpdateConnecting:
		m.link, m.attempt = live.Connecting, u.Attempt
		return m.spin.Tick
	case client.UpdateSnapshot:
		if u.Welcome.You.Role != protocol.RoleHost {
			return m.reject()
		}
		return m.applySnapshot(u)
	case client.UpdateResumed:
		if u.Welcome.You.Role != protocol.RoleHost {
			return m.reject()
		}
		m.show.Viewers = u.Welcome.Viewers
		return m.linkRestored("Reconnected · nothing was missed")
	case client.UpdateEvents:
		return m.applyEvents(u.Events, at)
	case client.UpdateWaiting:
		return m.linkLost(u)
	case client.UpdateFailed:
		m.link, m.err = live.Down, u.Err
		if m.phase != phaseLive {
			m.phase = phaseFailed
			return nil
		}
		m.chat.AddSystem("disconnected for good · " + reason(u.Err))
		m.failOps()
		return m.setStatus(statusError, "Disconnected: "+reason(u.Err))
	}
	return nil
}

// reject ends a session whose token the server did not accept: a dashboard
// that cannot pin, deal or moderate would only mislead.
func (m *Model) reject() tea.Cmd {
	m.phase, m.link = phaseRejected, live.Down
	m.opts.logf("host token not accepted")
	return closeSession(m.sess)
}

// applySnapshot replaces the mirror with a fresh snapshot. After a drop
// that could not be resumed, the chat says that lines were missed, drops
// the lines removed meanwhile and adds the ones it did not have.
func (m *Model) applySnapshot(u client.Update) tea.Cmd {
	st, lines := show.FromWelcome(u.Welcome, u.Seq)
	first := m.phase != phaseLive
	selID := m.selectedID()
	m.show, m.phase = st, phaseLive
	m.selectProduct(selID)
	if !first && u.Missed {
		m.chat.AddSystem("you were offline · some messages were missed")
	}
	m.chat.Reconcile(lines)
	if first {
		m.link, m.err = live.Up, nil
		return m.setStatus(statusGood, "Connected as the host of "+st.Show.Title)
	}
	return m.linkRestored("Reconnected")
}

// linkRestored marks the link up.
func (m *Model) linkRestored(text string) tea.Cmd {
	wasDown := m.link != live.Up
	m.link, m.err, m.attempt = live.Up, nil, 0
	if wasDown {
		return m.setStatus(statusGood, text)
	}
	return nil
}

// linkLost shows that the link is down and when the next try is. Commands
// in flight may or may not have reached the server: say so.
func (m *Model) linkLost(u client.Update) tea.Cmd {
	wasUp := m.link == live.Up
	m.link, m.attempt, m.retryAt, m.err = live.Waiting, u.Attempt, u.RetryAt, u.Err
	if m.phase == phaseConnecting {
		m.phase = phaseFailed // show why, while it keeps trying
		return nil
	}
	var cmd tea.Cmd
	if wasUp && m.phase == phaseLive {
		m.chat.AddSystem("offline · " + reason(u.Err))
		if len(m.ops) > 0 {
			m.failOps()
			cmd = m.setStatus(statusError, "Link lost: unanswered commands may not have reached the show")
		}
	}
	return cmd
}

// clockTick asks for the next tick of the once-a-second clock that moves
// the deal and reconnect countdowns on. It runs from Init until the token
// is refused.
func (m *Model) clockTick() tea.Cmd {
	id := m.clockID
	return m.opts.Tick(time.Second, func(t time.Time) tea.Msg { return clockMsg{id: id, at: t} })
}

func (m Model) handleClock(msg clockMsg) (Model, tea.Cmd) {
	if msg.id != m.clockID || m.phase == phaseRejected {
		return m, nil
	}
	m.now = msg.at
	return m, m.clockTick()
}

// applyEvents applies events to the mirror and to the dashboard's own
// state, in order.
func (m *Model) applyEvents(events []protocol.Envelope, at time.Time) tea.Cmd {
	var cmds []tea.Cmd
	selID := m.selectedID()
	for _, env := range events {
		if !env.TS.IsZero() {
			m.skew = env.TS.Sub(at)
		}
		ch, err := m.show.Apply(env)
		if err != nil {
			m.opts.logf("dropped invalid event", "type", string(env.Type), "err", err)
			continue
		}
		switch ch.Kind {
		case show.KindChat:
			m.chat.Add(ch.Line)
			if ch.Line.Author.ID == m.show.You.ID {
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
			m.chat.Remove(ch.IDs)
			cmds = append(cmds, m.confirm(func(o op) bool { return o.typ == protocol.TypeDeleteChat && slices.Contains(ch.IDs, o.key) }))
		case show.KindSettings:
			m.metrics.SlowModeSeconds = m.show.SlowMode
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
	m.metrics, m.haveMetrics = mt, true
	m.metricsSeen++
	m.viewersHist.push(int64(mt.Viewers))
	m.chatHist.push(int64(mt.ChatPerMinute))
	m.revenueHist.push(mt.Revenue.Amount)
	return m.confirmByMetrics()
}

// reason is an error's text, safe to draw.
func reason(err error) string {
	if err == nil {
		return "connection lost"
	}
	return sanitize.Line(err.Error())
}

// serverNow is the server's clock as best we know it.
func (m Model) serverNow() time.Time { return m.now.Add(m.skew) }

// clock formats seconds as m:ss.
func clock(secs int) string { return fmt.Sprintf("%d:%02d", secs/60, secs%60) }
