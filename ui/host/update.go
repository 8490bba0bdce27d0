package host

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// Placeholders of the chat input, idle and focused.
const (
	idlePlaceholder   = "press enter to chat as the host"
	typingPlaceholder = "say something to everyone · enter sends · esc leaves"
)

// Update routes a message to its handler; what the core owns goes to it.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		if m.mode == modeTyping || m.mode == modePrompt {
			if m.prefilled {
				m.prefilled = false
				m.input.SetValue("") // a paste replaces the value, as typing does
			}
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
		return m, nil
	case tea.MouseWheelMsg:
		if m.Phase == live.PhaseLive {
			m.focus = paneChat
			if msg.Button == tea.MouseWheelUp {
				m.chat.Move(-1)
			} else {
				m.chat.Move(1)
			}
		}
		return m, nil
	case sentMsg:
		return m.handleSent(msg)
	case slowMsg:
		if i := m.opIndex(msg.op); i >= 0 {
			m.ops[i].slow = true
		}
		return m, nil
	}
	cmd := m.Core.Update(msg, m.applyUpdate, m.relayout)
	return m, cmd
}

// handleKey routes a key press by mode. Keys are matched against the map
// of what applies now.
func (m Model) handleKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keysNow()
	if key.Matches(msg, k.Quit) {
		return m, tea.Quit
	}
	switch m.mode {
	case modeTyping:
		return m.handleTypingKey(msg, k)
	case modePrompt:
		return m.handlePromptKey(msg, k)
	case modeConfirm:
		return m.handleConfirmKey(msg, k)
	}
	switch {
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.relayout()
		return m, nil
	case key.Matches(msg, k.Retry):
		cmd := m.Reconnect()
		return m, cmd
	}
	if m.Phase != live.PhaseLive {
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Focus):
		return m.toggleFocus(), nil
	case key.Matches(msg, k.Chat):
		m.mode = modeTyping
		m.input.Reset()
		m.input.Placeholder = typingPlaceholder
		m.input.Prompt = "› "
		m.relayout()
		focus := m.input.Focus() // before m is returned: Focus changes it
		return m, focus
	case key.Matches(msg, k.Unpin):
		return m.unpin()
	case key.Matches(msg, k.PinNext):
		return m.pinNext()
	case key.Matches(msg, k.SlowMode):
		return m.openPrompt(m.slowModePrompt())
	case key.Matches(msg, k.Blocked):
		return m.openPrompt(m.wordsPrompt())
	case key.Matches(msg, k.CancelAuction):
		return m.cancelAuction()
	case key.Matches(msg, k.Draw):
		return m.confirmDraw()
	}
	if m.focus == paneChat {
		return m.handleChatKey(msg, k)
	}
	return m.handleCatalogKey(msg, k)
}

func (m Model) toggleFocus() Model {
	if m.focus == paneCatalog {
		m.focus = paneChat
		m.chat.SelectNewest()
	} else {
		m.focus = paneCatalog
		m.chat.ClearSelection()
	}
	return m
}

func (m Model) handleCatalogKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Up):
		m.sel = max(0, m.sel-1)
	case key.Matches(msg, k.Down):
		m.sel = min(len(m.Show.Catalog())-1, m.sel+1)
	case key.Matches(msg, k.Pin):
		return m.pin()
	case key.Matches(msg, k.Queue):
		return m.queueAdd()
	case key.Matches(msg, k.Unqueue):
		return m.queueDrop()
	case key.Matches(msg, k.QueueUp):
		return m.queueMove(-1)
	case key.Matches(msg, k.QueueDown):
		return m.queueMove(+1)
	case key.Matches(msg, k.Deal):
		return m.openPrompt(m.dealPrompt())
	case key.Matches(msg, k.EndDeal):
		return m.endDeal()
	case key.Matches(msg, k.Stock):
		return m.openPrompt(m.stockPrompt())
	case key.Matches(msg, k.Price):
		return m.openPrompt(m.pricePrompt())
	case key.Matches(msg, k.Auction):
		return m.openPromptOr(m.auctionPrompt())
	case key.Matches(msg, k.Giveaway):
		return m.openPromptOr(m.giveawayPrompt())
	}
	return m, nil
}

func (m Model) handleChatKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Up):
		m.chat.Move(-1)
	case key.Matches(msg, k.Down):
		m.chat.Move(1)
	case key.Matches(msg, k.Bottom):
		m.chat.ClearSelection()
		m.chat.SelectNewest()
	case key.Matches(msg, k.Delete):
		return m.deleteLine()
	case key.Matches(msg, k.Timeout):
		return m.openPrompt(m.timeoutPrompt())
	case key.Matches(msg, k.Ban):
		return m.confirmBan()
	}
	return m, nil
}

func (m Model) handleTypingKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Leave):
		m.leaveInput()
		return m, nil
	case key.Matches(msg, k.Send):
		return m.say()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

// leaveInput gives the keyboard back to the dashboard.
func (m *Model) leaveInput() {
	m.mode = modeNormal
	m.input.Reset()
	m.input.Blur()
	m.input.Prompt = "› "
	m.input.Placeholder = idlePlaceholder
	m.input.CharLimit = protocol.MaxChatRunes
	m.relayout()
}

// keysNow is the key map with only the bindings that apply right now.
func (m Model) keysNow() KeyMap {
	st := keyState{
		live:    m.Phase == live.PhaseLive,
		online:  m.Link.State == live.Up && m.Session() != nil,
		waiting: m.Link.State == live.Waiting,
		mode:    m.mode,
		focus:   m.focus,
	}
	if st.live {
		p, ok := m.selected()
		st.product = ok
		_, _, st.pinned = m.Show.Pinned()
		st.upNext = len(m.upNext()) > 0
		st.queued = ok && m.queuePos(p.ID) >= 0
		st.deal = ok && p.Deal != nil
		l, ok := m.chat.Selected()
		st.line = ok
		st.viewer = ok && l.Author.Role != protocol.RoleHost
		st.typeable = true
		a, open := m.auctionOpen()
		st.auctionBusy = open || m.pending(protocol.TypeStartAuction)
		st.cancelable = open && a.Bids == 0 && !m.pending(protocol.TypeCancelAuction)
		_, open = m.giveawayOpen()
		st.giveawayBusy = open || m.pending(protocol.TypeStartGiveaway)
		st.drawable = open && !m.pending(protocol.TypeDraw)
		st.confirm = m.prompt.kind
		st.width = m.Width
	}
	return m.keys.forState(st)
}
