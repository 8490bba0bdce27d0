package viewer

import (
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// Messages the viewer's commands send back.
type (
	cartLoadedMsg struct {
		key    string
		cart   cart.Cart
		err    error
		opened bool // the file was opened: err, if any, is from reading it
		saving bool // changes will be saved: the file is open, or opening it may work later
	}
	cartSavedMsg struct {
		gen     uint64 // the save's generation; results of older ones are stale
		skipped bool   // a newer cart was written or tried first
		err     error
	}
	sentMsg struct {
		what string
		text string // the chat line, for a visible failure
		err  error
	}
	checkoutMsg struct {
		url  string
		note string // what the link left out, to say again once it opened
		err  error
	}
	// linkOpenedMsg is the browser's answer for a link to pay at other
	// than the cart's: a win's, a gift's.
	linkOpenedMsg struct {
		notice live.Notice // put up, with the link, when no browser opened it
		done   string      // what the status line says when one did
		err    error
	}
)

// What send calls the live formats' commands, for a failure to name them.
const (
	whatBid    = "your bid"
	whatMaxBid = "your maximum"
	whatEnter  = "your giveaway entry"
	whatGift   = "your gift request"
)

// send queues a command on the session; Send never blocks.
func send(sess live.Session, what string, typ protocol.Type, data any) tea.Cmd {
	if sess == nil {
		return nil
	}
	return func() tea.Msg { return sentMsg{what: what, err: sess.Send(typ, data)} }
}

// signalCheckout tells the show the viewer handed their cart to checkout,
// which a show sold on a real store counts, never seeing the store's pages.
// It is a count for the host and nothing the viewer can act on, so a failure
// is not shown: it would hide the checkout link's own message.
func signalCheckout(sess live.Session) tea.Cmd {
	if sess == nil {
		return nil
	}
	return func() tea.Msg {
		_ = sess.Send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartCheckout})
		return nil
	}
}

// say sends a chat line; a failure comes back with the text so it can be
// shown as not sent.
func say(sess live.Session, text string) tea.Cmd {
	return func() tea.Msg {
		return sentMsg{what: "chat message", text: text, err: sess.Send(protocol.TypeSay, protocol.Say{Text: text})}
	}
}

// loadCart opens and reads the show's saved cart. The file stays open, and
// locked, until the viewer quits.
func loadCart(s *saver, store CartStore, key string) tea.Cmd {
	return func() tea.Msg { return s.load(store, key) }
}

// saveCart writes c, the cart of generation gen, in the background.
func saveCart(s *saver, gen uint64, c cart.Cart) tea.Cmd {
	return func() tea.Msg {
		skipped, err := s.save(gen, c)
		return cartSavedMsg{gen: gen, skipped: skipped, err: err}
	}
}

// openLink opens n's link in the browser.
func openLink(open checkout.Opener, n live.Notice, done string) tea.Cmd {
	return func() tea.Msg { return linkOpenedMsg{notice: n, done: done, err: open.Open(n.Link)} }
}

func openCheckout(open checkout.Opener, url, note string) tea.Cmd {
	return func() tea.Msg { return checkoutMsg{url: url, note: note, err: open.Open(url)} }
}
