package viewer

import (
	"errors"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// handleKey routes a key press by mode. Keys are matched against the map of
// what applies now, so a disabled binding can never fire; the keys that
// shop from the card check for themselves (handleShopKey).
func (m Model) handleKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keysNow()
	if matches(msg, k.Quit) {
		return m, tea.Quit
	}
	switch m.mode {
	case modeInput:
		return m.handleInputKey(msg, k)
	case modeQR:
		return m.handleQRKey(msg, k)
	case modeMaxBid:
		return m.handleMaxBidKey(msg, k)
	case modeGift:
		return m.handleGiftKey(msg, k)
	}
	switch {
	case matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return m, nil
	case matches(msg, k.Retry):
		cmd := m.Reconnect()
		return m, cmd
	}
	if m.Phase != live.PhaseLive {
		return m, nil
	}
	if m.cart.IsEmpty() && matches(msg, m.keys.Checkout) {
		return m.checkout() // not offered, but not silent either
	}
	switch {
	case matches(msg, k.QR) && m.shownLinkKey() != "" && m.shownLinkKey() != noticeCheckout:
		return m.showLinkQR(m.shownLinkKey())
	case matches(msg, k.QR), m.cart.IsEmpty() && matches(msg, m.keys.QR): // as x
		return m.showQR()
	case matches(msg, k.Copy):
		return m.copyLink()
	}
	if next, cmd, ok := m.handleFormatKey(msg); ok {
		return next, cmd
	}
	if m.mode == modeCart {
		return m.handleCartKey(msg, k)
	}
	if next, cmd, ok := m.handleShopKey(msg); ok {
		return next, cmd
	}
	switch {
	case matches(msg, k.Cart):
		m.mode = modeCart
		m.cartSel = min(m.cartSel, max(0, m.cart.Len()-1))
		m.layout()
		return m, nil
	case matches(msg, k.Checkout):
		return m.checkout()
	case matches(msg, k.Chat):
		m.mode = modeInput
		m.setPlaceholder()
		m.layout()
		return m, m.input.Focus()
	case matches(msg, k.PageUp):
		m.chat.ScrollUp(m.chat.PageSize())
	case matches(msg, k.PageDown):
		m.chat.ScrollDown(m.chat.PageSize())
	case matches(msg, k.Bottom):
		m.chat.GotoBottom()
	}
	return m, nil
}

func (m Model) handleInputKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	switch {
	case matches(msg, k.Leave):
		m.mode = modeShow
		m.setPlaceholder()
		m.input.Blur()
		m.layout()
		return m, nil
	case matches(msg, k.Send):
		return m.sendLine()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

func (m Model) handleCartKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	if next, cmd, ok := m.handleShopKey(msg); ok {
		return next, cmd
	}
	lines := m.cart.Lines()
	switch {
	case matches(msg, k.Cart):
		m.mode = modeShow
		m.layout()
		return m, nil
	case matches(msg, k.Checkout):
		return m.checkout()
	case matches(msg, k.Up):
		m.cartSel = max(0, m.cartSel-1)
	case matches(msg, k.Down):
		m.cartSel = min(len(lines)-1, m.cartSel+1)
	case matches(msg, k.More):
		return m.changeQty(lines[m.cartSel], +1)
	case matches(msg, k.Less):
		return m.changeQty(lines[m.cartSel], -1)
	case matches(msg, k.Remove):
		return m.changeQty(lines[m.cartSel], -lines[m.cartSel].Qty)
	}
	return m, nil
}

// handleShopKey answers the keys that fill the cart from the card, with
// the cart open or closed; ok is false for any other key. They are matched
// as declared, not only while they apply: each action checks the same
// conditions that enable its binding, and when they fail it says why
// rather than nothing.
func (m Model) handleShopKey(msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	var next Model
	var cmd tea.Cmd
	switch k := m.keys; {
	case matches(msg, k.Add):
		next, cmd = m.addChosen()
	case matches(msg, k.PrevVariant):
		next, cmd = m.pickVariant(-1)
	case matches(msg, k.NextVariant):
		next, cmd = m.pickVariant(+1)
	case matches(msg, k.Rail):
		next, cmd = m.addEarlier(int(msg.Code - '0'))
	default:
		return m, nil, false
	}
	return next, cmd, true
}

// addChosen puts one of the pinned product's chosen variant in the cart.
func (m Model) addChosen() (Model, tea.Cmd) {
	if why := m.whyNoAdd(); why != "" {
		return m.notify(live.StatusInfo, why)
	}
	p, v, _ := m.chosen()
	return m.add(p, v)
}

// pickVariant chooses the next variant in stock of the pinned product, the
// previous one when dir is -1.
func (m Model) pickVariant(dir int) (Model, tea.Cmd) {
	if why := m.whyNoPick(); why != "" {
		return m.notify(live.StatusInfo, why)
	}
	p, v, _ := m.chosen()
	next, _ := stepVariant(p, v.ID, dir)
	pinned, pv, _ := m.Show.Pinned()
	m.pick = choice{pin: protocol.Pin{ProductID: pinned.ID, VariantID: pv.ID}, variant: next.ID}
	m.layout()
	return m, nil
}

// addEarlier puts the product behind number n of the rail in the cart:
// the variant chosen when it was last pinned, or the first one still in
// stock.
func (m Model) addEarlier(n int) (Model, tea.Cmd) {
	for _, it := range m.rail() {
		if it.key != n {
			continue
		}
		p, _ := m.Show.Product(it.pin.ProductID)
		v, ok := p.Variant(it.pin.VariantID)
		if !ok {
			v = p.Variants[0]
		}
		return m.add(p, firstChoice(p, v))
	}
	return m.notify(live.StatusInfo, m.noEarlier(n))
}

// add puts one of a variant in the cart, at the price of the moment.
func (m Model) add(p protocol.Product, v protocol.Variant) (Model, tea.Cmd) {
	switch {
	case v.Stock == 0:
		return m.notify(live.StatusError, p.Name+" ("+v.Name+") is sold out")
	case !m.cartLoaded:
		return m.notify(live.StatusInfo, "Your cart is still loading")
	}
	line := cart.Line{ProductID: p.ID, VariantID: v.ID, Name: p.Name, Variant: v.Name, Unit: p.VariantPriceAt(v.ID, m.ServerNow()), Qty: 1}
	next, err := m.cart.Add(line, v.Stock)
	if err != nil {
		return m.notify(live.StatusError, "Not added: "+err.Error())
	}
	m.cart = next
	toast := m.added(p.Name + " (" + v.Name + ")")
	signal := protocol.CartSignal{Action: protocol.CartAdd, ProductID: p.ID, VariantID: v.ID, Qty: 1}
	m.layout()
	return m, tea.Batch(toast, m.persist(), send(m.Session(), "cart update", protocol.TypeCart, signal))
}

// changeQty moves a cart line's quantity by delta; reaching zero removes it.
func (m Model) changeQty(l cart.Line, delta int) (Model, tea.Cmd) {
	stock := -1 // unknown: the product may have left the catalog
	if p, ok := m.Show.ProductOfVariant(l.VariantID); ok && delta > 0 {
		// Fewer is always allowed: a line the stock no longer covers
		// can come down to what is left.
		if v, ok := p.Variant(l.VariantID); ok {
			stock = v.Stock
		}
	}
	next, err := m.cart.SetQty(l.VariantID, l.Qty+delta, stock)
	if err != nil {
		return m.notify(live.StatusError, err.Error())
	}
	m.cart = next
	m.cartSel = min(m.cartSel, max(0, m.cart.Len()-1))
	changes := m.check()
	if delta < 0 {
		// Fewer units than the stock holds is the viewer's own doing, not
		// news.
		changes = slices.DeleteFunc(changes, func(c cart.Change) bool {
			return c.VariantID == l.VariantID && c.Kind == cart.ChangeRestocked
		})
	}
	var told tea.Cmd
	if len(changes) > 0 {
		text, kind := m.report(changes, true)
		told = m.Notify(kind, text)
	}
	action, qty := protocol.CartAdd, delta
	if delta < 0 {
		action, qty = protocol.CartRemove, -delta
	}
	signal := protocol.CartSignal{Action: action, ProductID: l.ProductID, VariantID: l.VariantID, Qty: qty}
	m.layout()
	return m, tea.Batch(told, m.persist(), send(m.Session(), "cart update", protocol.TypeCart, signal))
}

// persist saves the current cart in the background, in order.
func (m *Model) persist() tea.Cmd {
	if !m.saving {
		return nil
	}
	m.saveGen++
	return saveCart(m.saver, m.saveGen, m.cart)
}

// checkout hands what can be bought now to the browser, or shows the link
// to copy. The link orders the cart as the panel shows it, from the same
// check, and carries the total shown, which the checkout page compares
// with the total of the moment.
func (m Model) checkout() (Model, tea.Cmd) {
	h, note, ok, fail := m.handoff()
	if !ok {
		return m, fail
	}
	told := signalCheckout(m.Session())
	if !m.opts.OpenBrowser {
		m, shown := m.showLink(h.URL, "Open, copy (y) or scan (o) this link to check out"+note+" · your cart is kept until you order")
		return m, tea.Batch(shown, told)
	}
	toast := m.Notify(live.StatusInfo, "Opening checkout in your browser…"+note)
	return m, tea.Batch(toast, openCheckout(m.opts.Opener, h.URL, note), told)
}

// handoff builds the checkout link of the checked cart, as checkout and
// the QR code both hand it over, and what it leaves out as a note to
// append. When there is no link to hand over, ok is false and the status
// line says why (fail, its toast's timer).
func (m *Model) handoff() (h checkout.Handoff, note string, ok bool, fail tea.Cmd) {
	switch {
	case m.cart.IsEmpty():
		return h, "", false, m.Notify(live.StatusInfo, "Your cart is empty · a adds the pinned product")
	case m.checkErr != nil:
		return h, "", false, m.Notify(live.StatusError, "Cannot check out: "+m.checkErr.Error())
	}
	h, err := checkout.ForQuote(m.Show.Checkout, m.checked.Quote)
	switch {
	case errors.Is(err, checkout.ErrNothingToBuy):
		return h, "", false, m.Notify(live.StatusError, "Nothing in your cart can be bought now: "+m.leftOutText(h.LeftOut))
	case err != nil:
		return h, "", false, m.Notify(live.StatusError, "Cannot check out: the show's checkout link is unusable ("+err.Error()+")")
	}
	if len(h.LeftOut) > 0 {
		note = " · left out: " + m.leftOutText(h.LeftOut)
	}
	return h, note, true, nil
}

// showQR draws the checkout link as a QR code, for a phone to scan: from a
// session with no browser (SSH), or for an audience to follow along. The
// link is built as x builds it and stays up as a notice once the code is
// closed.
func (m Model) showQR() (Model, tea.Cmd) {
	h, note, ok, fail := m.handoff()
	if !ok {
		return m, fail
	}
	m, _ = m.showLink(h.URL, "Scan (o), open or copy (y) this link to check out"+note+" · your cart is kept until you order")
	m.mode, m.qrKey = modeQR, noticeCheckout
	m.layout()
	return m, signalCheckout(m.Session())
}

// showLinkQR draws the link of the notice named key as a QR code: a
// win's or a gift's link to pay at, or a giveaway's record.
func (m Model) showLinkQR(key string) (Model, tea.Cmd) {
	m.mode, m.qrKey = modeQR, key
	m.layout()
	return m, nil
}

// qrLink is the link the QR code draws: the notice's it was opened for,
// while it is up; the checkout link's unless it was opened for another.
func (m Model) qrLink() string {
	key := m.qrKey
	if key == "" {
		key = noticeCheckout
	}
	n, _ := m.Notice(key)
	return n.Link
}

// handleQRKey answers the keys of the QR code's screen: close, copy, quit.
func (m Model) handleQRKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	switch {
	case matches(msg, k.QR):
		m.mode = modeShow
		m.layout()
	case matches(msg, k.Copy):
		return m.copyLink()
	}
	return m, nil
}

// copyLink puts the checkout link on the clipboard through the terminal
// (OSC 52), which works over SSH too; a terminal that does not allow it
// ignores it, and the link stays on screen to select. A link the browser
// would refuse is not copied either.
func (m Model) copyLink() (Model, tea.Cmd) {
	link := m.shownLink()
	if m.mode == modeQR {
		link = m.qrLink()
	}
	if link == "" {
		if cmd := m.verifyCommand(); cmd != "" && m.mode != modeQR {
			// The draw's check, from the card: a record link is
			// checked like any other before it is shown.
			toast := m.Notify(live.StatusGood, "Copied "+cmd+", where your terminal allows it (OSC 52)")
			return m, tea.Batch(tea.SetClipboard(cmd), toast)
		}
		return m, nil
	}
	if err := checkout.CheckURL(link); err != nil {
		return m.notify(live.StatusError, "Not copied: "+err.Error())
	}
	toast := m.Notify(live.StatusGood, "Link copied, where your terminal allows it (OSC 52) · else select it to copy")
	return m, tea.Batch(tea.SetClipboard(link), toast)
}
