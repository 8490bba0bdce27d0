package viewer

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/ui/live"
)

// The cart follows the show: whenever something its prices depend on
// moves (the welcome, a product event, an order, a deal running out on the
// clock, a change to the cart itself) it is checked again with cart.Check,
// the one rule the checkout page and the order use. The panel, the total
// and the checkout link are drawn from that check and nothing else, and
// the checked cart, which records what the viewer was shown, replaces the
// cart, so that each change is told once.

// check prices the cart at the show's prices now and keeps the result:
// the checked cart in place of the cart, and the quote the screen shows.
// It returns what changed since the viewer last saw each line.
func (m *Model) check() []cart.Change {
	k, err := cart.Check(m.cart, m.Show.ProductOfVariant, m.ServerNow(), m.bought.Taken)
	m.cart, m.checked, m.checkErr = k.Cart, k, err
	m.refreshLink()
	return k.Changes
}

// refreshLink keeps the checkout link shown for copying (see checkout) to
// what the cart shows now, or takes it down when nothing can be checked
// out.
func (m *Model) refreshLink() {
	n, ok := m.Notice(noticeCheckout)
	if !ok || n.Link == "" {
		return
	}
	link := ""
	if m.checkErr == nil {
		h, err := checkout.ForQuote(m.Show.Checkout, m.checked.Quote)
		if err == nil {
			link = h.URL
		}
	}
	if link == n.Link {
		return
	}
	if link == "" {
		m.Unstick(noticeCheckout)
	} else {
		n.Link = link
		m.Stick(n)
	}
	m.layout()
}

// recheck is check after the show moved: it tells the viewer what changed
// and saves the cart when what it records changed.
func (m *Model) recheck() tea.Cmd {
	before := m.cart.Lines()
	changes := m.check()
	var save tea.Cmd
	if !slices.Equal(before, m.cart.Lines()) {
		save = m.persist()
	}
	return tea.Batch(m.tell(changes), save)
}

// tell puts changes to the cart on the status line (see report).
func (m *Model) tell(changes []cart.Change) tea.Cmd {
	if len(changes) == 0 {
		return nil
	}
	text, kind := m.report(changes, false)
	return m.Notify(kind, text)
}

// report says changes for the status line, the first in full and how many
// more, and puts each in the chat, where none is lost when several come at
// once or the status line moves on. Quiet leaves a single change, the
// outcome of the viewer's own key, to the status line. The kind is the
// most urgent change's.
func (m *Model) report(changes []cart.Change, quiet bool) (string, live.StatusKind) {
	kind := live.StatusGood
	for _, ch := range changes {
		if !quiet || len(changes) > 1 {
			m.chat.AddSystem(ch.Reason)
		}
		switch k := changeKind(ch.Kind); {
		case k == live.StatusError, k == live.StatusInfo && kind == live.StatusGood:
			kind = k
		}
	}
	text := changes[0].Reason
	if n := len(changes) - 1; n > 0 {
		text += fmt.Sprintf(" · and %d more (in the chat)", n)
	}
	return text, kind
}

// added checks the cart after what was added to it and says so, with the
// cart's size and total, or with what changed when the addition moved a
// price (one unit past a deal's per-buyer limit).
func (m *Model) added(what string) tea.Cmd {
	if changes := m.check(); len(changes) > 0 {
		text, kind := m.report(changes, true)
		return m.Notify(kind, "Added "+what+" · "+text)
	}
	return m.Notify(live.StatusGood, fmt.Sprintf("Added %s · cart: %s, %s", what, items(m.cart.Units()), m.totalText()))
}

// totalText is the cart's total as checked, or "?" when it cannot be
// charged (see checkErr).
func (m Model) totalText() string {
	switch {
	case m.checkErr != nil:
		return "?"
	case m.checked.Total.Currency != "":
		return m.checked.Total.String()
	}
	// Nothing can be bought: nothing to pay, in the cart's currency.
	for _, l := range m.checked.Cart.Lines() {
		return money.New(0, l.Unit.Currency).String()
	}
	return ""
}

// lineName names a line of the checked cart for people: its product and
// variant, as the show has them or, for a line the show no longer sells,
// as they were.
func (m Model) lineName(variantID string) string {
	for _, l := range m.checked.Cart.Lines() {
		if l.VariantID == variantID {
			return l.Name + " (" + l.Variant + ")"
		}
	}
	return variantID
}

// leftOutText says what a checkout leaves out and why.
func (m Model) leftOutText(lines []pricing.Line) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, m.lineName(l.VariantID)+" "+stateText(l))
	}
	return strings.Join(parts, ", ")
}

// stateText says why a line cannot be bought in full.
func stateText(l pricing.Line) string {
	switch l.State {
	case pricing.Short:
		return fmt.Sprintf("only %d of %d", l.Qty, l.Want)
	case pricing.SoldOut:
		return "sold out"
	case pricing.Unavailable:
		return "no longer in this show"
	}
	return ""
}

// changeKind colours a change: good news, news, or news that costs the
// viewer something or leaves something out of checkout, which stays up
// longest.
func changeKind(k cart.ChangeKind) live.StatusKind {
	switch k {
	case cart.ChangeDealStarted, cart.ChangeRestocked:
		return live.StatusGood
	case cart.ChangePrice:
		return live.StatusInfo
	}
	return live.StatusError
}

// dealRanOut reports whether a deal that prices a line of the cart is over
// by the show's clock, though no event has said so yet: the cart must be
// checked again.
func (m *Model) dealRanOut() bool {
	now := m.ServerNow()
	for _, l := range m.checked.Lines {
		if !l.DealOn() {
			continue
		}
		if p, ok := m.Show.ProductOfVariant(l.VariantID); !ok || !p.Deal.Active(now) {
			return true
		}
	}
	return false
}
