package ui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// Messages the viewer's commands send back. Those tied to a connection carry
// its generation so a late reply from an old connection is dropped.
type (
	connectedMsg struct {
		gen  int
		conn Conn
		err  error
	}
	eventsMsg struct {
		gen    int
		frames [][]protocol.Envelope
	}
	closedMsg struct {
		gen int
		err error
	}
	cartLoadedMsg struct {
		key  string
		cart cart.Cart
		err  error
	}
	cartSavedMsg struct{ err error }
	sentMsg      struct {
		what string
		err  error
	}
	checkoutMsg struct {
		url string
		err error
	}
	toastExpiredMsg struct{ id int }
)

// maxFramesPerMsg bounds how many queued frames one message carries: a burst
// becomes one update and one frame, not hundreds.
const maxFramesPerMsg = 512

// dial opens a connection in the background.
func (m Model) dial() tea.Cmd {
	gen, dial := m.gen, m.opts.Dial
	opts := client.Options{URL: m.opts.URL, Name: m.opts.Name, Logger: m.opts.Logger}
	return func() tea.Msg {
		conn, err := dial(context.Background(), opts)
		return connectedMsg{gen: gen, conn: conn, err: err}
	}
}

// waitForEvents is the one bridge from the socket into the program: it
// blocks for the next frame, takes whatever else is already queued, and is
// re-armed once per message.
func waitForEvents(gen int, conn Conn) tea.Cmd {
	return func() tea.Msg {
		first, ok := <-conn.Events()
		if !ok {
			return closedMsg{gen: gen, err: conn.Err()}
		}
		frames := [][]protocol.Envelope{first}
		for len(frames) < maxFramesPerMsg {
			select {
			case f, ok := <-conn.Events():
				if !ok {
					return eventsMsg{gen: gen, frames: frames}
				}
				frames = append(frames, f)
			default:
				return eventsMsg{gen: gen, frames: frames}
			}
		}
		return eventsMsg{gen: gen, frames: frames}
	}
}

// send queues a command on the connection; Send never blocks.
func send(conn Conn, what string, typ protocol.Type, data any) tea.Cmd {
	if conn == nil {
		return nil
	}
	return func() tea.Msg { return sentMsg{what: what, err: conn.Send(typ, data)} }
}

func loadCart(store CartStore, key string) tea.Cmd {
	if store == nil {
		return func() tea.Msg { return cartLoadedMsg{key: key} }
	}
	return func() tea.Msg {
		c, err := store.Load(key)
		return cartLoadedMsg{key: key, cart: c, err: err}
	}
}

// saver writes carts in the order they were made. Commands run concurrently,
// so without it an older cart could land after a newer one.
type saver struct {
	store CartStore
	mu    sync.Mutex
	last  uint64
}

func (s *saver) save(gen uint64, key string, c cart.Cart) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen <= s.last {
		return nil // a newer cart is already on disk
	}
	s.last = gen
	return s.store.Save(key, c)
}

func saveCart(s *saver, gen uint64, key string, c cart.Cart) tea.Cmd {
	if s == nil || s.store == nil || key == "" {
		return nil
	}
	return func() tea.Msg { return cartSavedMsg{err: s.save(gen, key, c)} }
}

func openCheckout(open checkout.Opener, url string) tea.Cmd {
	return func() tea.Msg { return checkoutMsg{url: url, err: open.Open(url)} }
}
