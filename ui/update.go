package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/theme"
)

// Update routes a message to its handler.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.restyle(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		if m.mode == modeInput {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
		return m, nil
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.chat.ScrollUp(3)
		case tea.MouseWheelDown:
			m.chat.ScrollDown(3)
		}
		return m, nil
	case spinner.TickMsg:
		if m.phase != phaseConnecting && !m.connecting {
			return m, nil // stop ticking when nothing is in flight
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case connectedMsg:
		return m.handleConnected(msg)
	case eventsMsg:
		return m.handleEvents(msg)
	case closedMsg:
		return m.handleClosed(msg)
	case cartLoadedMsg:
		return m.handleCartLoaded(msg)
	case cartSavedMsg:
		if msg.err != nil {
			return m.notify(toastError, "Could not save the cart: "+msg.err.Error())
		}
		return m, nil
	case sentMsg:
		if msg.err != nil {
			return m.notify(toastError, fmt.Sprintf("Could not send %s: %v", msg.what, msg.err))
		}
		return m, nil
	case checkoutMsg:
		return m.handleCheckout(msg)
	case toastExpiredMsg:
		if msg.id == m.toastID {
			m.toast = ""
		}
		return m, nil
	}
	return m, nil
}

func (m *Model) restyle(isDark bool) {
	if m.opts.Theme == "dark" || m.opts.Theme == "light" {
		return // the user chose
	}
	m.styles = theme.New(isDark)
	m.chat.SetStyles(m.styles)
	m.spin.Style = m.styles.Accent
}

func (m Model) handleConnected(msg connectedMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		if msg.conn != nil {
			msg.conn.Close()
		}
		return m, nil
	}
	m.connecting = false
	if msg.err != nil {
		if m.phase == phaseConnecting {
			m.phase, m.err = phaseFailed, msg.err
			return m, nil
		}
		return m.notify(toastError, "Still offline: "+msg.err.Error())
	}
	m.conn = msg.conn
	w, seq := msg.conn.Welcome()
	st, lines := show.FromWelcome(w, seq)
	rejoin := m.phase == phaseLive
	m.show, m.phase, m.offline, m.err = st, phaseLive, false, nil
	var cmds []tea.Cmd
	if rejoin {
		// Lines sent while we were away are not replayed yet; say so
		// rather than pretend the chat is complete.
		m.chat.AddSystem("reconnected · messages sent while offline were missed")
		cmds = append(cmds, m.toastCmd(toastGood, "Reconnected"))
	} else {
		for _, l := range lines {
			m.chat.Add(l)
		}
		m.cartKey = cartKeyFor(m.opts.URL, st.Show.ID)
		cmds = append(cmds, loadCart(m.opts.Carts, m.cartKey))
	}
	m.layout()
	cmds = append(cmds, waitForEvents(m.gen, m.conn))
	return m, tea.Batch(cmds...)
}

func (m Model) handleEvents(msg eventsMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	var cmds []tea.Cmd
	for _, frame := range msg.frames {
		for _, env := range frame {
			ch, err := m.show.Apply(env)
			if err != nil {
				m.opts.logf("dropped invalid event", "type", string(env.Type), "err", err)
				continue
			}
			switch ch.Kind {
			case show.KindChat:
				m.chat.Add(ch.Line)
			case show.KindPin:
				m.layout() // the card's height may change
			case show.KindError:
				cmds = append(cmds, m.toastCmd(toastError, serverError(ch.Err)))
			}
		}
	}
	cmds = append(cmds, waitForEvents(m.gen, m.conn))
	return m, tea.Batch(cmds...)
}

func serverError(e protocol.Error) string {
	if e.Message == "" {
		return "Server: " + e.Code
	}
	return "Server: " + e.Message
}

func (m Model) handleClosed(msg closedMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.conn.Close()
	m.conn = nil
	m.offline = true
	reason := "connection lost"
	if msg.err != nil {
		reason = msg.err.Error()
	}
	m.chat.AddSystem("offline · " + sanitize.Line(reason))
	return m.notify(toastError, "Offline: "+sanitize.Line(reason)+" · r to reconnect")
}

func (m Model) handleCartLoaded(msg cartLoadedMsg) (Model, tea.Cmd) {
	if msg.key != m.cartKey {
		return m, nil
	}
	m.cartLoaded = true
	m.cart = msg.cart
	var damaged *cart.DamagedError
	switch {
	case errors.As(msg.err, &damaged):
		return m.notify(toastError, fmt.Sprintf("Saved cart was damaged (%s); kept a copy at %s", damaged.Reason, damaged.MovedTo))
	case msg.err != nil:
		return m.notify(toastError, "Could not load the saved cart: "+msg.err.Error())
	}
	return m, nil
}

func (m Model) handleCheckout(msg checkoutMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.link = msg.url
		m.layout()
		return m.notify(toastError, "No browser could be opened · copy the link below · your cart is kept")
	}
	return m.notify(toastGood, "Checkout opened in your browser · your cart is kept until you order")
}

// notify shows a status message that clears itself.
func (m Model) notify(kind toastKind, text string) (Model, tea.Cmd) {
	cmd := m.toastCmd(kind, text)
	return m, cmd
}

// toastCmd sets the status line on the model it is called on; callers that
// keep a Model value must call it through a pointer.
func (m *Model) toastCmd(kind toastKind, text string) tea.Cmd {
	m.toastID++
	m.toast, m.toastKind = strings.TrimSpace(text), kind
	id := m.toastID
	return m.opts.Tick(toastTTL, func(time.Time) tea.Msg { return toastExpiredMsg{id: id} })
}

// keysNow is the key map with only the bindings that apply right now.
func (m Model) keysNow() KeyMap {
	_, v, pinned := m.show.Pinned()
	canAdd := pinned && v.Stock > 0 && m.cartLoaded
	return m.keys.forMode(m.mode, m.phase == phaseLive, m.offline || m.phase == phaseFailed, m.cart.IsEmpty(), canAdd)
}

func matches(msg tea.KeyPressMsg, b key.Binding) bool { return key.Matches(msg, b) }
