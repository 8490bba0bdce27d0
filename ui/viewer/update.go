package viewer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

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
		if m.canDismiss() && matches(msg, dismissKey()) {
			return m.dismiss()
		}
		return m.handleKey(msg)
	case tea.PasteMsg:
		var cmd tea.Cmd
		switch m.mode {
		case modeInput:
			m.input, cmd = m.input.Update(msg)
		case modeMaxBid:
			m.maxInput, cmd = m.maxInput.Update(msg)
		}
		return m, cmd
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
		return m.handleCartSaved(msg)
	case sentMsg:
		return m.handleSent(msg)
	case checkoutMsg:
		return m.handleCheckout(msg)
	case linkOpenedMsg:
		return m.handleLinkOpened(msg)
	case giftFrameMsg:
		return m.giftFrame(msg)
	}
	cmd := m.Core.Update(msg, m.applyUpdate, m.layout)
	if m.dealRanOut() {
		// The clock moved past the end of a deal in the cart before the
		// show said so.
		cmd = tea.Batch(cmd, m.recheck())
	}
	return m, cmd
}

func (m Model) handleCartLoaded(msg cartLoadedMsg) (Model, tea.Cmd) {
	if msg.key != m.cartKey {
		return m, nil
	}
	m.cartLoaded = true
	m.cart = msg.cart
	m.saving = msg.saving
	// A cart restored from disk is priced now, as the show is now: what
	// changed since it was saved is told, before any trouble with the file,
	// which then takes the status line.
	checked := m.recheck()
	var damaged *cart.DamagedError
	var locked *cart.LockedError
	switch {
	case errors.As(msg.err, &locked):
		m.unsaved = saveReason(msg.err)
		m.cartNotice(nil, locked)
		m.layout()
		return m, checked
	case errors.As(msg.err, &damaged):
		m.cartNotice(damaged, nil)
		m.layout()
		return m, checked
	case msg.err != nil:
		if !msg.opened {
			// Nothing is saved until the file opens: say so until then.
			m.unsaved = saveReason(msg.err)
		}
		return m, tea.Batch(checked, m.Notify(live.StatusError, "Could not load the saved cart: "+sanitize.Line(msg.err.Error())))
	}
	return m, checked
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
		m.Logf("cart not saved", "err", msg.err)
		m.unsaved = saveReason(msg.err)
		return m, nil
	}
	if m.unsaved == "" {
		return m, nil
	}
	m.unsaved = ""
	return m.notify(live.StatusGood, "Cart saved")
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
		return m.showLink(msg.url, "No browser could be opened"+msg.note+" · "+linkWays+" · your cart is kept until you order")
	}
	return m.notify(live.StatusGood, "Checkout opened in your browser"+msg.note+" · your cart is kept until you order")
}

// handleLinkOpened says whether the browser opened a link to pay at; when
// none did, the link goes up to copy or scan.
func (m Model) handleLinkOpened(msg linkOpenedMsg) (Model, tea.Cmd) {
	if msg.err == nil {
		return m.notify(live.StatusGood, msg.done)
	}
	m.Stick(msg.notice)
	m.layout()
	return m.notify(live.StatusError, "No browser could be opened · copy (y) or scan (o) the link")
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
	mode                                               mode
	live, offline, cartEmpty, canAdd, canPick, hasRail bool
	notices                                            bool   // esc dismisses a notice
	link                                               bool   // a link to pay at is up (notices.go)
	openable                                           bool   // p opens it: an auction won, with a browser to open it in
	verify                                             bool   // y copies the command that checks a giveaway's draw
	bidNext                                            string // b's amount, while b bids
	canMax                                             bool
	canEnter                                           bool
	gifts                                              int // kinds of gift the show offers
}

func (m Model) keyState() keyState {
	return keyState{
		mode:      m.mode,
		live:      m.Phase == live.PhaseLive,
		offline:   m.Link.State == live.Waiting,
		cartEmpty: m.cart.IsEmpty(),
		canAdd:    m.whyNoAdd() == "",
		canPick:   m.canPick(),
		hasRail:   m.cartLoaded && len(m.rail()) > 0,
		notices:   m.canDismiss(),
		link:      m.shownLink() != "",
		openable:  m.opts.OpenBrowser && strings.HasPrefix(m.shownLinkKey(), noticeWonPref),
		verify:    m.verifyCommand() != "",
		bidNext:   m.bidNextText(),
		canMax:    m.whyNoMax() == "",
		canEnter:  m.whyNoEnter() == "",
		gifts:     len(m.Show.Gifts),
	}
}

func matches(msg tea.KeyPressMsg, b key.Binding) bool { return key.Matches(msg, b) }
