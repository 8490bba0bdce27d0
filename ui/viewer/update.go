package viewer

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/live"
)

// Update routes a message to its handler; what the core owns goes to it.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
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
	case cartLoadedMsg:
		return m.handleCartLoaded(msg)
	case cartSavedMsg:
		if msg.err != nil {
			return m.notify(live.StatusError, "Could not save the cart: "+msg.err.Error())
		}
		return m, nil
	case sentMsg:
		return m.handleSent(msg)
	case checkoutMsg:
		return m.handleCheckout(msg)
	}
	cmd := m.Core.Update(msg, m.applyUpdate, m.layout)
	return m, cmd
}

func (m Model) handleCartLoaded(msg cartLoadedMsg) (Model, tea.Cmd) {
	if msg.key != m.cartKey {
		return m, nil
	}
	m.cartLoaded = true
	m.cart = msg.cart
	m.cartFile = msg.file
	var damaged *cart.DamagedError
	var locked *cart.LockedError
	switch {
	case errors.As(msg.err, &locked):
		return m.notify(live.StatusError, sanitize.Line(locked.Error())+" · changes here are not saved")
	case errors.As(msg.err, &damaged):
		return m.notify(live.StatusError, fmt.Sprintf("Saved cart was damaged (%s); kept a copy at %s", damaged.Reason, damaged.MovedTo))
	case msg.err != nil:
		return m.notify(live.StatusError, "Could not load the saved cart: "+msg.err.Error())
	}
	return m, nil
}

func (m Model) handleCheckout(msg checkoutMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.linkURL = msg.url
		m.layout()
		return m.notify(live.StatusError, "No browser could be opened · copy the link below · your cart is kept")
	}
	return m.notify(live.StatusGood, "Checkout opened in your browser · your cart is kept until you order")
}

// notify is Notify for handlers that return the model.
func (m Model) notify(kind live.StatusKind, text string) (Model, tea.Cmd) {
	cmd := m.Notify(kind, text)
	return m, cmd
}

// keysNow is the key map with only the bindings that apply right now.
func (m Model) keysNow() KeyMap { return m.keys.forState(m.keyState()) }

// keyState is what decides which keys apply.
type keyState struct {
	mode                                      mode
	live, offline, cartEmpty, canAdd, hasRail bool
}

func (m Model) keyState() keyState {
	_, v, pinned := m.Show.Pinned()
	return keyState{
		mode:      m.mode,
		live:      m.Phase == live.PhaseLive,
		offline:   m.Link.State == live.Waiting,
		cartEmpty: m.cart.IsEmpty(),
		canAdd:    pinned && v.Stock > 0 && m.cartLoaded,
		hasRail:   m.cartLoaded && len(m.rail()) > 0,
	}
}

func matches(msg tea.KeyPressMsg, b key.Binding) bool { return key.Matches(msg, b) }
