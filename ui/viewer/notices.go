package viewer

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/live"
)

// The notices the viewer puts up (live.Notice), by key: each replaces the
// one before it of the same key, and stays until esc takes it down.
const (
	noticeCheckout  = "checkout"     // the checkout link, when no browser opened it
	noticeRenamed   = "renamed"      // the show calls the viewer by another name than the one asked for
	noticeCartLock  = "cart-locked"  // the cart is open in another livecart
	noticeCartBad   = "cart-damaged" // the saved cart could not be read, and where it went
	noticeOrderPref = "order:"       // an order's confirmation, one per order ID
	// The live formats'.
	noticeWonPref      = "won:"          // an auction won and its link to pay at, one per auction
	noticeGift         = "gift"          // the link to pay for a gift asked for
	noticeGiveawayPref = "giveaway-won:" // a giveaway won, with its record to check the draw
)

// dismissKey takes down the newest notice. It is esc, as for the other
// things that close (the chat input, the cart), and applies only while
// watching, so that it never takes their place.
func dismissKey() key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "dismiss"))
}

// canDismiss reports whether esc takes a notice down now.
func (m Model) canDismiss() bool {
	return m.Phase == live.PhaseLive && m.mode == modeShow && len(m.Notices) > 0
}

// dismiss takes down the newest notice.
func (m Model) dismiss() (Model, tea.Cmd) {
	m.Dismiss()
	m.layout()
	return m, nil
}

// helpKeys is the key map as help shows it: with esc first while there is
// a notice to dismiss.
type helpKeys struct {
	KeyMap
	dismiss key.Binding
}

func (m Model) helpKeys(ks keyState) helpKeys {
	d := dismissKey()
	d.SetEnabled(ks.notices)
	return helpKeys{KeyMap: m.keys.forState(ks), dismiss: d}
}

// ShortHelp puts esc first, where the narrowest help line keeps it.
func (k helpKeys) ShortHelp() []key.Binding {
	return append([]key.Binding{k.dismiss}, k.KeyMap.ShortHelp()...)
}

// FullHelp lists esc beside help and quit.
func (k helpKeys) FullHelp() [][]key.Binding {
	groups := k.KeyMap.FullHelp()
	if len(groups) == 0 {
		return [][]key.Binding{{k.dismiss}}
	}
	last := len(groups) - 1
	groups[last] = append([]key.Binding{k.dismiss}, groups[last]...)
	return groups
}

// linkWays says what can be done with the checkout link on screen, for
// the notice that shows it: its keys are y and o (KeyMap.Copy, KeyMap.QR).
const linkWays = "open, copy (y) or scan (o) this link to check out"

// showLink puts the checkout link up, whole, to open or copy.
func (m Model) showLink(link, why string) (Model, tea.Cmd) {
	m.Stick(live.Notice{Key: noticeCheckout, Kind: live.StatusInfo, Text: why, Link: link})
	m.layout()
	return m, nil
}

// checkoutLink is the checkout link on screen, if there is one.
func (m Model) checkoutLink() string {
	n, _ := m.Notice(noticeCheckout)
	return n.Link
}

// linkNotice is the newest notice with a link: the one drawn on top of
// the notices, whose link y copies, o draws as a QR code and, for an
// auction won, p opens.
func (m Model) linkNotice() (live.Notice, bool) {
	for i := len(m.Notices) - 1; i >= 0; i-- {
		if m.Notices[i].Link != "" {
			return m.Notices[i], true
		}
	}
	return live.Notice{}, false
}

// shownLink is the link of linkNotice, if there is one.
func (m Model) shownLink() string {
	n, _ := m.linkNotice()
	return n.Link
}

// shownLinkKey is the key of linkNotice, if there is one.
func (m Model) shownLinkKey() string {
	n, _ := m.linkNotice()
	return n.Key
}

// noteRename says why the show calls the viewer by another name than the
// one asked for, once per name it gives.
func (m *Model) noteRename() {
	asked := sanitize.Truncate(sanitize.Line(m.opts.Name), protocol.MaxNameRunes)
	got := m.Show.You.Name
	if asked == "" || got == asked || got == m.named {
		return
	}
	m.named = got
	// The show renames only a name that could pass for the host's or its
	// staff's (a long one it shortens, as asked is here).
	text := fmt.Sprintf("The name %s is taken by the host or looks like it (or like the show's staff); you are %s in this show", asked, got)
	m.Stick(live.Notice{Key: noticeRenamed, Kind: live.StatusInfo, Text: text})
}

// cartNotice puts up why the saved cart could not be used, when the
// reason is one to keep on screen: a damaged file and where it went, or
// the cart held by another livecart.
func (m *Model) cartNotice(damaged *cart.DamagedError, locked *cart.LockedError) {
	switch {
	case locked != nil:
		who := "another livecart"
		if locked.PID > 0 {
			who = fmt.Sprintf("another livecart (pid %d)", locked.PID)
		}
		m.Stick(live.Notice{Key: noticeCartLock, Kind: live.StatusError, Text: "The cart for this show is open in " + who +
			" · changes to the cart here are not saved; quit the other one and start again to keep them"})
	case damaged != nil:
		where := "it could not be moved aside: " + damaged.Path
		if damaged.MovedTo != "" {
			where = "the file was kept at " + damaged.MovedTo
		}
		m.Stick(live.Notice{Key: noticeCartBad, Kind: live.StatusError, Text: fmt.Sprintf(
			"Your saved cart was damaged (%s), so this show starts with an empty cart; %s", damaged.Reason, where)})
	}
}

// maxExpected bounds the order lines kept to recognise the viewer's own
// purchases by.
const maxExpected = 2 * protocol.MaxBuyItems

// orderNotice puts up the confirmation of the viewer's order: everything
// in it and the total, until it is dismissed.
func (m *Model) orderNotice(o protocol.Order) {
	lines := byVariant(o.Lines)
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, fmt.Sprintf("%d × %s (%s)", l.Qty, l.Name, l.Variant))
	}
	text := fmt.Sprintf("You bought %s · total %s · order %s · thank you!", strings.Join(parts, ", "), o.Total, o.ID)
	m.Stick(live.Notice{Key: noticeOrderPref + o.ID, Kind: live.StatusGood, Text: text})
}

// expectPurchases notes an order's lines: the show announces each as a
// purchase to everyone, this viewer included, and that one is not news
// from a stranger. Lines whose purchase came first are crossed off.
func (m *Model) expectPurchases(o protocol.Order) {
	next := slices.Clone(m.expected)
	for _, l := range byVariant(o.Lines) {
		if i := slices.IndexFunc(m.early, func(p protocol.Purchase) bool { return samePurchase(p, l) }); i >= 0 {
			m.early = slices.Delete(slices.Clone(m.early), i, i+1)
			continue
		}
		next = append(next, l)
	}
	if len(next) > maxExpected {
		next = next[len(next)-maxExpected:]
	}
	m.expected = next
}

// ownPurchase reports whether a purchase event is this viewer's own: a
// line of an order of theirs, or bought under their name (the event can
// come before the order it is part of).
func (m *Model) ownPurchase(p protocol.Purchase) bool {
	if i := slices.IndexFunc(m.expected, func(l protocol.OrderLine) bool { return samePurchase(p, l) }); i >= 0 {
		m.expected = slices.Delete(slices.Clone(m.expected), i, i+1)
		return true
	}
	if p.Buyer != m.Show.You.Name {
		return false
	}
	m.early = append(slices.Clone(m.early), p)
	if len(m.early) > maxExpected {
		m.early = m.early[len(m.early)-maxExpected:]
	}
	return true
}

// byVariant joins an order's lines of one variant into one, in the order
// each variant first appears: units bought at two prices (a deal's and the
// regular one over its limit) are two lines of the order but one purchase,
// and one thing bought.
func byVariant(lines []protocol.OrderLine) []protocol.OrderLine {
	out := make([]protocol.OrderLine, 0, len(lines))
	at := make(map[string]int, len(lines))
	for _, l := range lines {
		if i, ok := at[l.VariantID]; ok {
			out[i].Qty += l.Qty
			continue
		}
		at[l.VariantID] = len(out)
		out = append(out, l)
	}
	return out
}

func samePurchase(p protocol.Purchase, l protocol.OrderLine) bool {
	return p.VariantID == l.VariantID && p.Qty == l.Qty
}
