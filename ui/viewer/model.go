// Package viewer is the viewer's screen. Its Model embeds the live core
// (ui/live: the link, the clock, the mirror of the show, the status line)
// and adds what only a viewer has: the pinned card and the rail of earlier
// products, the cart and its file, the checkout hand-off, chat lines kept
// while offline, the live formats (bids on an auction, a giveaway's entry,
// gifts and their animation), and the keys for them. The root Model routes messages and
// owns the layout; the chat pane (ui/chat), the pinned card and the cart
// panel each draw their own part. Update is a pure state transition: the
// network, the disk, the clock and the browser are reached only through
// commands.
package viewer

import (
	"log/slog"
	"net/url"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/live"
)

// CartStore opens the saved cart of a show; CartFiles is the real one.
type CartStore interface {
	Open(show string) (CartFile, error)
}

// CartFile is one show's saved cart, held open (and locked) for the session.
type CartFile interface {
	Load() (cart.Cart, error)
	Save(c cart.Cart) error
	Close() error
}

// CartFiles keeps carts in files through cart.Store, one locked file per
// show.
type CartFiles struct{ Store cart.Store }

// Open locks and opens the show's cart file.
func (f CartFiles) Open(show string) (CartFile, error) {
	h, err := f.Store.Open(show)
	if err != nil {
		return nil, err // a nil interface, not a nil *cart.Handle in one
	}
	return h, nil
}

// Options wire the viewer to the outside world.
type Options struct {
	URL         string
	Name        string
	Theme       string // "auto", "dark" or "light"
	OpenBrowser bool   // false: show the checkout link instead of opening it
	Opener      checkout.Opener
	Carts       CartStore
	Logger      *slog.Logger
	// ClientID names this viewer to the show across reconnects (see
	// client.Options.ClientID); empty lets the session make one up.
	ClientID string
	// URLs are the show's URLs in the order to try them, URL first (see
	// client.SessionOptions.URLs); empty means URL alone.
	URLs       []string
	Scrollback int // chat lines kept; 0 means chat.DefaultScrollback
	// Tick schedules a message after a delay (tea.Tick when nil). Tests
	// replace it, as the clock is not theirs to wait on.
	Tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// ReducedMotion turns the gift animation off: a gift is its chat line
	// alone. Set it for NO_COLOR too, whose frames would not fade.
	ReducedMotion bool
	// Location is where a time of day is told (a won item's hold); nil is
	// time.Local.
	Location *time.Location
}

// Placeholders of the chat input, idle and focused.
const (
	idlePlaceholder   = "press enter to chat"
	typingPlaceholder = "say something nice · enter sends · esc leaves"
)

// Model is the viewer: the live core (the link, the clock, the mirror of
// the show, the status line) and what only the viewer has.
type Model struct {
	live.Core
	opts  Options
	keys  KeyMap
	help  help.Model
	input textinput.Model
	chat  chat.Model

	pending  []string   // chat lines typed while offline, sent on reconnect
	inFlight []sentLine // chat lines sent and not yet back in the chat, oldest first
	nextLine time.Time  // in slow mode, the show's time from which the next line may go
	applied  uint64     // show events applied since the start, for Stats
	mode     mode
	pick     choice    // the variant a adds, chosen under the current pin
	slots    railSlots // the rail's numbers, fixed for the session
	pins     uint64    // products that have left the card, to order the rail's slots

	cart       cart.Cart
	checked    cart.Checked // the cart priced against the show (see check): what the panel, the totals and x use
	checkErr   error        // why checked must not be checked out: a total too large, mixed currencies
	bought     cart.Bought  // units bought at a running deal's price, for its per-buyer limit; not saved
	cartKey    string
	cartLoaded bool
	cartSel    int
	saving     bool   // changes are saved; false when locked elsewhere, or no store
	saveGen    uint64 // orders saves so an older cart never overwrites a newer one
	savedGen   uint64 // generation of the newest save whose result is shown
	unsaved    string // why the cart is not saved, shown until a save works; "" when it is
	saver      *saver

	cache *frameCache // memos of the screen's parts, shared by copies

	// The live formats (auction.go, giveaway.go, gifts.go, giftanim.go):
	// what this screen adds to the mirror's auction and giveaway, the gift
	// picker and the animation.
	auc      auctionUI
	give     giveawayUI
	gifts    giftUI
	anim     giftAnim
	maxInput textinput.Model // the secret maximum, typed in modeMaxBid
	ordered  bool            // an order of this viewer's was placed in this session (buyers-only giveaways)
	qrKey    string          // the notice whose link the QR code draws

	named    string               // the name the show gave, as last explained (noteRename)
	expected []protocol.OrderLine // lines of this viewer's orders whose purchase events have not come yet
	early    []protocol.Purchase  // this viewer's purchases that came before their order
}

// App is the viewer as live.Run runs it: its session, and the screen
// built around it.
func App(opts Options) live.App {
	return live.App{
		Session: client.SessionOptions{
			Options: client.Options{URL: opts.URL, Name: opts.Name, Logger: opts.Logger, ClientID: opts.ClientID},
			URLs:    opts.URLs,
		},
		Screen: func(sess live.Session) live.Screen { return New(opts, sess) },
	}
}

// New builds the viewer around its session, which the caller has started
// and will close. Nothing happens until the program runs Init.
func New(opts Options, sess live.Session) Model {
	if opts.Opener == nil {
		opts.Opener = checkout.Browser()
	}
	if opts.Tick == nil {
		opts.Tick = tea.Tick
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	core := live.New(live.Options{
		URL: opts.URL, Theme: opts.Theme, Logger: opts.Logger, Tick: opts.Tick, CountsDown: countsDown,
	}, sess)
	maxInput := core.ChatInput("")
	maxInput.CharLimit = maxBidRunes
	return Model{
		Core:     core,
		opts:     opts,
		keys:     DefaultKeyMap(),
		help:     core.Help(),
		input:    core.ChatInput(idlePlaceholder),
		maxInput: maxInput,
		chat:     chat.New(core.Styles, opts.Scrollback),
		saver:    &saver{},
		cache:    newFrameCache(),
	}
}

// countsDown is what counts down on the viewer's screen besides the next
// attempt: a deal on the pinned product, an auction taking bids, a
// giveaway taking entries. (What lingers after an auction or a giveaway
// ends, or flashes, asks the clock itself: CountDownTo.)
func countsDown(s *show.State, now time.Time) bool {
	p, _, ok := s.Pinned()
	switch {
	case ok && p.Deal.Active(now):
		return true
	case s.Auction != nil && !s.Auction.Ended():
		return true
	}
	return s.Giveaway != nil && s.Giveaway.State == protocol.GiveawayOpen
}

// Close saves the cart if its last save has not run, and releases the cart
// file. Call it after the program has exited.
func (m Model) Close() {
	if m.saver == nil {
		return
	}
	gen := m.saveGen
	if !m.saving {
		gen = 0
	}
	if err := m.saver.close(gen, m.cart); err != nil {
		m.Logf("cart not saved at exit", "err", err)
	}
}

// Cart returns the viewer's cart.
func (m Model) Cart() cart.Cart { return m.cart }

// Stats is what the viewer has taken in so far, for load tests
// (bench/tuistorm) to check that nothing offered was lost.
type Stats struct {
	Applied   uint64 // show events applied; refused ones are not counted
	Seq       uint64 // seq of the last show event applied
	ChatLines int    // lines the chat pane holds, at most its scrollback
}

// Stats returns what the viewer has taken in so far.
func (m Model) Stats() Stats {
	return Stats{Applied: m.applied, Seq: m.Show.Seq, ChatLines: m.chat.Len()}
}

// cartKeyFor names the cart file of a show: the show's ID on this host. The
// port is left out so the demo, which picks a free port each run, keeps its
// cart from one run to the next.
func cartKeyFor(rawURL, showID string) string {
	host := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return showID + "@" + host
}
