package viewer

import (
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// Messages the viewer's commands send back.
type (
	cartLoadedMsg struct {
		key  string
		file CartFile
		cart cart.Cart
		err  error
	}
	cartSavedMsg struct{ err error }
	sentMsg      struct {
		what string
		text string // the chat line, for a visible failure
		err  error
	}
	checkoutMsg struct {
		url string
		err error
	}
)

// send queues a command on the session; Send never blocks.
func send(sess live.Session, what string, typ protocol.Type, data any) tea.Cmd {
	if sess == nil {
		return nil
	}
	return func() tea.Msg { return sentMsg{what: what, err: sess.Send(typ, data)} }
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
func loadCart(store CartStore, key string) tea.Cmd {
	if store == nil {
		return func() tea.Msg { return cartLoadedMsg{key: key} }
	}
	return func() tea.Msg {
		f, err := store.Open(key)
		if err != nil {
			return cartLoadedMsg{key: key, err: err}
		}
		c, err := f.Load()
		return cartLoadedMsg{key: key, file: f, cart: c, err: err}
	}
}

// saver writes carts in the order they were made. Commands run concurrently,
// so without it an older cart could land after a newer one.
type saver struct {
	mu   sync.Mutex
	last uint64
}

func (s *saver) save(gen uint64, f CartFile, c cart.Cart) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen <= s.last {
		return nil // a newer cart is already on disk
	}
	s.last = gen
	return f.Save(c)
}

// close releases the file once no save is running.
func (s *saver) close(f CartFile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.Close()
}

func saveCart(s *saver, gen uint64, f CartFile, c cart.Cart) tea.Cmd {
	if s == nil || f == nil {
		return nil
	}
	return func() tea.Msg { return cartSavedMsg{err: s.save(gen, f, c)} }
}

func openCheckout(open checkout.Opener, url string) tea.Cmd {
	return func() tea.Msg { return checkoutMsg{url: url, err: open.Open(url)} }
}
