package host

import (
	"charm.land/bubbles/v2/key"

	"github.com/livecart/livecart/ui/live"
)

// KeyMap declares every key the dashboard answers to, once, with its help
// text. The help line and the full help are generated from these bindings,
// and keys are matched against the map of what applies now (forState), so a
// disabled binding can neither fire nor be advertised.
type KeyMap struct {
	Up    key.Binding
	Down  key.Binding
	Focus key.Binding

	Pin       key.Binding
	Unpin     key.Binding
	PinNext   key.Binding
	Queue     key.Binding
	Unqueue   key.Binding
	QueueUp   key.Binding
	QueueDown key.Binding
	Deal      key.Binding
	EndDeal   key.Binding
	Stock     key.Binding
	Price     key.Binding

	Auction       key.Binding
	CancelAuction key.Binding
	Giveaway      key.Binding
	Draw          key.Binding

	Delete   key.Binding
	Timeout  key.Binding
	Ban      key.Binding
	SlowMode key.Binding
	Blocked  key.Binding
	Bottom   key.Binding

	Chat    key.Binding
	Send    key.Binding
	Leave   key.Binding
	Submit  key.Binding
	Cancel  key.Binding
	Confirm key.Binding

	live.Keys

	state keyState // set by forState: which keys the short help shows
}

// DefaultKeyMap returns the dashboard's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "select up")),
		Down:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "select down")),
		Focus: key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "switch pane")),

		Pin:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pin")),
		Unpin:     key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unpin")),
		PinNext:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "pin next")),
		Queue:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add to up next")),
		Unqueue:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "drop from up next")),
		QueueUp:   key.NewBinding(key.WithKeys("["), key.WithHelp("[", "earlier in up next")),
		QueueDown: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "later in up next")),
		Deal:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "flash deal")),
		EndDeal:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "end deal")),
		Stock:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "set stock")),
		Price:     key.NewBinding(key.WithKeys("$"), key.WithHelp("$", "set price")),

		Auction:       key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "auction")),
		CancelAuction: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel auction")),
		Giveaway:      key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "giveaway")),
		Draw:          key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "draw now")),

		Delete:   key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "delete line")),
		Timeout:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "time out")),
		Ban:      key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "ban")),
		SlowMode: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "slow mode")),
		Blocked:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "blocked words")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "newest chat")),

		Chat:    key.NewBinding(key.WithKeys("enter", "/"), key.WithHelp("enter", "chat")),
		Send:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
		Leave:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave chat")),
		Submit:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Confirm: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, ban")),

		Keys: live.DefaultKeys(),
	}
}

// keyState is what decides which keys apply.
type keyState struct {
	live     bool // the dashboard is up
	online   bool // commands can be sent
	waiting  bool // the link is down and a retry is scheduled
	mode     mode
	focus    pane
	product  bool // a product is selected
	pinned   bool // something is pinned
	upNext   bool // the up-next list is not empty
	queued   bool // the selected product is in the up-next list
	deal     bool // the selected product has a deal running
	line     bool // a chat line is selected
	viewer   bool // ... and its author can be timed out or banned
	typeable bool // the chat input can take a line

	auctionBusy  bool       // an auction is open, or one was asked for: one at a time
	cancelable   bool       // the open auction has no bid yet, and no cancel is on its way
	giveawayBusy bool       // a giveaway is open, or one was asked for
	drawable     bool       // a giveaway is open, and no draw is on its way
	confirm      promptKind // what modeConfirm asks about

	width int // the screen's, for the short help
}

// forState enables only the bindings that apply.
func (k KeyMap) forState(st keyState) KeyMap {
	for _, b := range k.all() {
		b.SetEnabled(false)
	}
	k.state = st
	k.Enable(st.live, st.waiting)
	if !st.live {
		return k
	}
	switch st.mode {
	case modeTyping:
		k.Send.SetEnabled(true)
		k.Leave.SetEnabled(true)
		k.Typing()
		return k
	case modePrompt:
		k.Submit.SetEnabled(true)
		k.Cancel.SetEnabled(true)
		k.Typing()
		return k
	case modeConfirm:
		k.Confirm.SetEnabled(true)
		if st.confirm == promptDraw {
			k.Confirm.SetHelp("y", "yes, draw")
		}
		k.Cancel.SetEnabled(true)
		k.Cancel.SetKeys("esc", "n")
		k.Cancel.SetHelp("n/esc", "cancel")
		k.Typing()
		return k
	}
	k.Focus.SetEnabled(true)
	k.Chat.SetEnabled(st.typeable)
	on := st.online
	k.Unpin.SetEnabled(on && st.pinned)
	k.PinNext.SetEnabled(on && st.upNext)
	k.SlowMode.SetEnabled(on)
	k.Blocked.SetEnabled(on)
	k.CancelAuction.SetEnabled(on && st.cancelable)
	k.Draw.SetEnabled(on && st.drawable)
	if st.focus == paneCatalog {
		k.Up.SetEnabled(st.product)
		k.Down.SetEnabled(st.product)
		k.Pin.SetEnabled(on && st.product)
		k.Queue.SetEnabled(on && st.product && !st.queued)
		k.Unqueue.SetEnabled(on && st.queued)
		k.QueueUp.SetEnabled(on && st.queued)
		k.QueueDown.SetEnabled(on && st.queued)
		k.Deal.SetEnabled(on && st.product)
		k.EndDeal.SetEnabled(on && st.deal)
		k.Stock.SetEnabled(on && st.product)
		k.Price.SetEnabled(on && st.product)
		k.Auction.SetEnabled(on && st.product && !st.auctionBusy)
		k.Giveaway.SetEnabled(on && st.product && !st.giveawayBusy)
		return k
	}
	k.Up.SetEnabled(st.line)
	k.Down.SetEnabled(st.line)
	k.Bottom.SetEnabled(true)
	k.Delete.SetEnabled(on && st.line)
	k.Timeout.SetEnabled(on && st.viewer)
	k.Ban.SetEnabled(on && st.viewer)
	return k
}

func (k *KeyMap) all() []*key.Binding {
	return []*key.Binding{&k.Up, &k.Down, &k.Focus, &k.Pin, &k.Unpin, &k.PinNext, &k.Queue, &k.Unqueue,
		&k.QueueUp, &k.QueueDown, &k.Deal, &k.EndDeal, &k.Stock, &k.Price,
		&k.Auction, &k.CancelAuction, &k.Giveaway, &k.Draw, &k.Delete, &k.Timeout, &k.Ban,
		&k.SlowMode, &k.Blocked, &k.Bottom, &k.Chat, &k.Send, &k.Leave, &k.Submit, &k.Cancel, &k.Confirm,
		&k.Retry, &k.Help, &k.Quit}
}

// ShortHelp is the one-line help: the keys of the focused pane first, in
// words short enough for 80 columns; the full help says them in full. The
// keys of a running auction or giveaway come first, and when the line is
// too long for the screen the least needed go (see shortItem).
func (k KeyMap) ShortHelp() []key.Binding {
	switch k.state.mode {
	case modeTyping:
		return []key.Binding{k.Send, k.Leave, k.Quit}
	case modePrompt, modeConfirm:
		return []key.Binding{k.Confirm, k.Submit, k.Cancel, k.Quit}
	}
	sel := shortItem{pair(k.Up, "↑/↓", "select"), 0}
	running := []shortItem{{k.CancelAuction, 0}, {pair(k.Draw, "D", "draw"), 0}} // keys of the auction and giveaway running
	tail := []shortItem{{k.Retry, 1}, {pair(k.Help, "?", "more"), 0}, {k.Quit, 0}}
	var items []shortItem
	if k.state.focus == paneChat {
		items = append(append([]shortItem{sel}, running...), shortItem{k.Delete, 0}, shortItem{k.Timeout, 0}, shortItem{k.Ban, 0},
			shortItem{pair(k.SlowMode, "s", "slow"), 3}, shortItem{pair(k.Blocked, "w", "words"), 4},
			shortItem{pair(k.Focus, "tab", "catalog"), 2})
	} else {
		items = append(append([]shortItem{sel}, running...), shortItem{k.Pin, 0}, shortItem{k.Unpin, 4},
			shortItem{pair(k.PinNext, "n", "next"), 5}, shortItem{pair(k.Queue, "a", "queue"), 6},
			shortItem{pair(k.Deal, "f", "deal"), 3}, shortItem{k.Auction, 7}, shortItem{k.Giveaway, 8},
			shortItem{pair(k.Focus, "tab", "chat"), 2})
	}
	return fitShort(append(items, tail...), k.state.width)
}

// shortItem is a key of the short help and how readily it goes when the
// line is too long: 0 never, the highest first.
type shortItem struct {
	b    key.Binding
	drop int
}

// shortSeparator is what help.Model puts between short help items.
const shortSeparator = " • "

// fitShort drops the enabled items most ready to go until the line fits
// width cells (help.Model cuts the rest with "…"), and returns the keys.
func fitShort(items []shortItem, width int) []key.Binding {
	lineWidth := func() int {
		w, n := 0, 0
		for _, it := range items {
			if it.b.Enabled() {
				h := it.b.Help()
				w += cells(h.Key) + 1 + cells(h.Desc)
				n++
			}
		}
		return w + cells(shortSeparator)*max(0, n-1)
	}
	for width > 0 && lineWidth() > width {
		worst := -1
		for i, it := range items {
			if it.b.Enabled() && it.drop > 0 && (worst < 0 || it.drop > items[worst].drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		items = append(items[:worst:worst], items[worst+1:]...)
	}
	out := make([]key.Binding, 0, len(items))
	for _, it := range items {
		out = append(out, it.b)
	}
	return out
}

// pair is a help-only copy of b that stands for it and its twin.
func pair(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

// FullHelp is the help shown by '?', in four columns that fit 80 cells.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Focus, k.Chat, k.Retry, k.Help, k.Quit},
		{k.Pin, k.Unpin, k.PinNext, k.Queue, k.Unqueue, k.QueueUp, k.QueueDown},
		{k.Deal, k.EndDeal, k.Stock, k.Price, k.Auction, k.CancelAuction, k.Giveaway, k.Draw},
		{k.Delete, k.Timeout, k.Ban, k.SlowMode, k.Blocked, k.Bottom},
	}
}
