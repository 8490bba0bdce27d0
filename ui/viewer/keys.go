package viewer

import (
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"

	"github.com/livecart/livecart/ui/live"
)

// KeyMap declares every key the viewer answers to, once, with its help text.
// The help line and the full help are generated from these bindings.
type KeyMap struct {
	Add         key.Binding
	PrevVariant key.Binding
	NextVariant key.Binding
	Rail        key.Binding
	Cart        key.Binding
	Checkout    key.Binding
	QR          key.Binding // the checkout link as a QR code, to scan with a phone
	Copy        key.Binding // the checkout link to the clipboard (OSC 52)
	Chat        key.Binding
	Send        key.Binding
	Leave       key.Binding
	Up          key.Binding
	Down        key.Binding
	More        key.Binding
	Less        key.Binding
	Remove      key.Binding
	PageUp      key.Binding
	PageDown    key.Binding
	Bottom      key.Binding
	// The live formats (auction.go, giveaway.go, gifts.go).
	Bid      key.Binding // bid the next amount on the running auction
	MaxBid   key.Binding // set a secret maximum the show bids up to
	Enter    key.Binding // enter the running giveaway
	Gift     key.Binding // open the gift picker
	OpenLink key.Binding // open the link of an auction won, on top of the notices, in the browser
	PickPrev key.Binding // the gift picker's choice
	PickNext key.Binding
	PickNum  key.Binding
	live.Keys

	mode mode // set by forState: which keys the short help puts first
	link bool // set by forState: a checkout link is up, so its keys come first
}

// DefaultKeyMap returns the viewer's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Add:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add to cart")),
		PrevVariant: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous variant")),
		NextVariant: key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next variant")),
		Rail:        key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "add an earlier product")),
		Cart:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cart")),
		Checkout:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "check out")),
		QR:          key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "QR code")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy link")),
		Chat:        key.NewBinding(key.WithKeys("enter", "/"), key.WithHelp("enter, /", "chat")),
		Send:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
		Leave:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave chat")),
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "select up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "select down")),
		More:        key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "one more")),
		Less:        key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "one less")),
		Remove:      key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll chat back")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "scroll chat on")),
		Bottom:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "newest chat")),
		Bid:         key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "bid")),
		MaxBid:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "max bid")),
		Enter:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "enter giveaway")),
		Gift:        key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "send a gift")),
		OpenLink:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pay in browser")),
		PickPrev:    key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous gift")),
		PickNext:    key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next gift")),
		PickNum:     key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8"), key.WithHelp("1-8", "choose a gift")),
		Keys:        live.DefaultKeys(),
	}
}

// mode is what has the keyboard.
type mode int

const (
	modeShow   mode = iota // watching: show keys
	modeInput              // typing a chat line
	modeCart               // the cart panel is open
	modeQR                 // the checkout link is drawn as a QR code (qrview.go)
	modeMaxBid             // typing a secret maximum bid (auction.go)
	modeGift               // choosing a gift to send (gifts.go)
)

// forState enables only the bindings that apply in state s, so help never
// advertises a key that does nothing.
func (k KeyMap) forState(s keyState) KeyMap {
	all := []*key.Binding{&k.Add, &k.PrevVariant, &k.NextVariant, &k.Rail, &k.Cart, &k.Checkout, &k.QR, &k.Copy, &k.Chat, &k.Send, &k.Leave, &k.Up, &k.Down,
		&k.More, &k.Less, &k.Remove, &k.PageUp, &k.PageDown, &k.Bottom, &k.Bid, &k.MaxBid, &k.Enter, &k.Gift, &k.OpenLink,
		&k.PickPrev, &k.PickNext, &k.PickNum, &k.Retry, &k.Help, &k.Quit}
	for _, b := range all {
		b.SetEnabled(false)
	}
	k.mode, k.link = s.mode, s.link
	k.Enable(s.live, s.offline)
	if s.mode == modeQR {
		// Whatever the link's state: the code on screen is what the
		// viewer came for, and esc always takes it down.
		k.Retry.SetEnabled(false)
		k.Help.SetEnabled(false)
		k.QR.SetEnabled(true)
		k.QR.SetHelp("o/esc", "close")
		k.QR.SetKeys("o", "esc")
		k.Copy.SetEnabled(s.link)
		return k
	}
	if !s.live {
		return k
	}
	k.Copy.SetEnabled(s.link || s.verify)
	if !s.link && s.verify {
		k.Copy.SetHelp("y", "copy verify command")
	}
	k.QR.SetEnabled(!s.cartEmpty || s.link)
	k.OpenLink.SetEnabled(s.openable)
	switch s.mode {
	case modeInput:
		k.Send.SetEnabled(true)
		k.Leave.SetEnabled(true)
		k.Typing()
	case modeMaxBid:
		k.Copy.SetEnabled(false)
		k.QR.SetEnabled(false)
		k.OpenLink.SetEnabled(false)
		k.Send.SetEnabled(true)
		k.Send.SetHelp("enter", "set max")
		k.Leave.SetEnabled(true)
		k.Leave.SetHelp("esc", "cancel")
		k.Typing()
	case modeGift:
		k.Retry.SetEnabled(false)
		k.Help.SetEnabled(false) // the picker's own keys are all there is
		k.Copy.SetEnabled(false)
		k.QR.SetEnabled(false)
		k.OpenLink.SetEnabled(false)
		k.PickPrev.SetEnabled(s.gifts > 1)
		k.PickNext.SetEnabled(s.gifts > 1)
		k.PickNum.SetEnabled(s.gifts > 1)
		k.PickNum.SetKeys(numKeys(s.gifts)...)
		k.PickNum.SetHelp(fmt.Sprintf("1-%d", s.gifts), "choose")
		k.Send.SetEnabled(true)
		k.Send.SetHelp("enter", "ask to send it")
		k.Leave.SetEnabled(true)
		k.Leave.SetHelp("esc", "close")
	case modeCart:
		k.Retry.SetEnabled(false)
		k.Cart.SetEnabled(true)
		k.Cart.SetHelp("c/esc", "close")
		k.Cart.SetKeys("c", "esc")
		k.Checkout.SetEnabled(!s.cartEmpty)
		k.Up.SetEnabled(!s.cartEmpty)
		k.Down.SetEnabled(!s.cartEmpty)
		k.More.SetEnabled(!s.cartEmpty)
		k.Less.SetEnabled(!s.cartEmpty)
		k.Remove.SetEnabled(!s.cartEmpty)
		k.shopping(s)
		k.formats(s)
	default:
		k.shopping(s)
		k.formats(s)
		k.Cart.SetEnabled(true)
		k.Checkout.SetEnabled(!s.cartEmpty)
		k.Chat.SetEnabled(true)
		k.PageUp.SetEnabled(true)
		k.PageDown.SetEnabled(true)
		k.Bottom.SetEnabled(true)
	}
	return k
}

// shopping enables the keys that fill the cart from the card, which work
// whether the cart is open or not.
func (k *KeyMap) shopping(s keyState) {
	k.Add.SetEnabled(s.canAdd)
	k.PrevVariant.SetEnabled(s.canPick)
	k.NextVariant.SetEnabled(s.canPick)
	k.Rail.SetEnabled(s.hasRail)
}

// formats enables the keys of the live formats, which work whether the
// cart is open or not: m while an auction takes bids, and b too unless
// the viewer leads (the show takes no plain bid from the leader), e while a
// giveaway takes entries and the viewer is not in it, g when the show has
// gifts. b's help says what it bids.
func (k *KeyMap) formats(s keyState) {
	k.Bid.SetEnabled(s.bidNext != "")
	if s.bidNext != "" {
		k.Bid.SetHelp("b", "bid "+s.bidNext)
	}
	k.MaxBid.SetEnabled(s.canMax)
	k.Enter.SetEnabled(s.canEnter)
	k.Gift.SetEnabled(s.gifts > 0)
}

// numKeys are the number keys 1 to n.
func numKeys(n int) []string {
	out := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// pickKeys names the keys that choose a variant, as help shows them.
func (k KeyMap) pickKeys() string {
	return k.PrevVariant.Help().Key + "/" + k.NextVariant.Help().Key
}

// ShortHelp is the one-line help. Pairs of keys (up/down, +/-) are shown
// as one entry so the line fits 80 columns; the full help lists each.
func (k KeyMap) ShortHelp() []key.Binding {
	// With a checkout link up, what can be done with it comes first; o
	// is otherwise left to the full help, so that the line still fits.
	var link []key.Binding
	if k.link {
		link = []key.Binding{k.OpenLink, k.Copy, k.QR}
	}
	switch k.mode {
	case modeQR:
		return []key.Binding{k.QR, k.Copy, k.Quit}
	case modeMaxBid:
		return []key.Binding{k.Send, k.Leave, k.Quit}
	case modeGift:
		return []key.Binding{pair(k.PickPrev, "←/→", "choose"), k.PickNum, k.Send, k.Leave, k.Quit}
	case modeCart:
		// The cart's own keys first; a stays in the full help.
		return append(link, k.Cart, k.Checkout, pair(k.Up, "↑/↓", "select"), pair(k.More, "+/-", "qty"), k.Remove, k.Help, k.Quit)
	}
	// With variants to choose from, a's help is cut short so that the
	// line still fits 80 columns.
	add, pick := k.Add, pair(k.PrevVariant, k.pickKeys(), "variant")
	if pick.Enabled() {
		add = pair(k.Add, "a", "add")
	}
	// What runs out first comes first: a bid, an entry.
	formats := []key.Binding{k.Bid, k.MaxBid, k.Enter}
	if !k.link {
		formats = append(formats, k.Copy) // enabled without a link: the draw's verify command
	}
	return append(append(link, formats...), add, pick, k.Cart, k.Checkout, k.Gift, k.Chat, k.Send, k.Leave, k.Retry, k.Help, k.Quit)
}

// pair is a help-only copy of b that stands for it and its twin.
func pair(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

// FullHelp is the help shown by '?'.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Add, k.PrevVariant, k.NextVariant, k.Rail, k.Cart, k.Checkout, k.QR, k.Copy, k.Retry},
		{k.Bid, k.MaxBid, k.Enter, k.Gift, k.OpenLink, k.PickPrev, k.PickNext, k.PickNum},
		{k.Chat, k.Send, k.Leave, k.PageUp, k.PageDown, k.Bottom},
		{k.Up, k.Down, k.More, k.Less, k.Remove},
		{k.Help, k.Quit},
	}
}
