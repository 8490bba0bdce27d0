package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/link"
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
		if m.phase == phaseLive && m.link == link.Up {
			return m, nil // stop ticking when nothing is in flight
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case link.StartedMsg:
		m.sess = msg.Session
		return m, bridge{sess: m.sess}.Wait()
	case link.UpdatesMsg:
		return m.handleUpdates(msg)
	case link.EndedMsg:
		m.link = link.Down
		return m, nil
	case clockMsg:
		return m.handleClock(msg)
	case cartLoadedMsg:
		return m.handleCartLoaded(msg)
	case cartSavedMsg:
		return m.handleCartSaved(msg)
	case sentMsg:
		return m.handleSent(msg)
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
	if !theme.FollowsTerminal(m.opts.Theme) {
		return // the user chose
	}
	m.styles = theme.New(isDark)
	m.chat.SetStyles(m.styles)
	m.spin.Style = m.styles.Accent
}

func (m Model) handleCartLoaded(msg cartLoadedMsg) (Model, tea.Cmd) {
	if msg.key != m.cartKey {
		return m, nil
	}
	m.cartLoaded = true
	m.cart = msg.cart
	m.saving = msg.saving
	var damaged *cart.DamagedError
	var locked *cart.LockedError
	switch {
	case errors.As(msg.err, &locked):
		m.unsaved = saveReason(msg.err)
		return m.notify(toastError, sanitize.Line(locked.Error())+" · changes here are not saved")
	case errors.As(msg.err, &damaged):
		return m.notify(toastError, sanitize.Line(fmt.Sprintf("Saved cart was damaged (%s); kept a copy at %s", damaged.Reason, damaged.MovedTo)))
	case msg.err != nil:
		if !msg.opened {
			// Nothing is saved until the file opens: say so until then.
			m.unsaved = saveReason(msg.err)
		}
		return m.notify(toastError, "Could not load the saved cart: "+sanitize.Line(msg.err.Error()))
	}
	return m, nil
}

// handleCartSaved shows whether the cart is saved: a failure stays on the
// status line until a later save works. Results arrive in any order; only
// the newest save's counts.
func (m Model) handleCartSaved(msg cartSavedMsg) (Model, tea.Cmd) {
	if msg.skipped || msg.gen < m.savedGen {
		return m, nil
	}
	m.savedGen = msg.gen
	if msg.err != nil {
		m.opts.logf("cart not saved", "err", msg.err)
		m.unsaved = saveReason(msg.err)
		return m, nil
	}
	if m.unsaved == "" {
		return m, nil
	}
	m.unsaved = ""
	return m.notify(toastGood, "Cart saved")
}

// saveReason says briefly why the cart is not saved, safe to draw: what the
// system said first, then the operation and file, so that a narrow status
// line keeps the part that matters.
func saveReason(err error) string {
	var locked *cart.LockedError
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case errors.As(err, &locked):
		return sanitize.Line(locked.Error())
	case errors.As(err, &pathErr):
		return sanitize.Line(fmt.Sprintf("%v (%s %s)", pathErr.Err, pathErr.Op, pathErr.Path))
	case errors.As(err, &linkErr):
		return sanitize.Line(fmt.Sprintf("%v (%s %s)", linkErr.Err, linkErr.Op, linkErr.New))
	}
	return sanitize.Line(err.Error())
}

func (m Model) handleCheckout(msg checkoutMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.linkURL = msg.url
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
func (m Model) keysNow() KeyMap { return m.keys.forState(m.keyState()) }

// keyState is what decides which keys apply.
type keyState struct {
	mode                                      mode
	live, offline, cartEmpty, canAdd, hasRail bool
}

func (m Model) keyState() keyState {
	_, v, pinned := m.show.Pinned()
	return keyState{
		mode:      m.mode,
		live:      m.phase == phaseLive,
		offline:   m.link == link.Waiting,
		cartEmpty: m.cart.IsEmpty(),
		canAdd:    pinned && v.Stock > 0 && m.cartLoaded,
		hasRail:   m.cartLoaded && len(m.rail()) > 0,
	}
}

func matches(msg tea.KeyPressMsg, b key.Binding) bool { return key.Matches(msg, b) }
