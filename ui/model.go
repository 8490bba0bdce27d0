// Package ui is the viewer's terminal interface. The root Model routes
// messages, owns the layout and the connection's lifecycle; the chat pane,
// the pinned card and the cart panel each draw their own part. Update is a
// pure state transition: the network, the disk, the clock and the browser
// are reached only through commands.
package ui

import (
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/link"
	"github.com/livecart/livecart/ui/theme"
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

// Session is a self-healing connection to a show; see link.Session.
type Session = link.Session

// StartFunc starts a session; see link.StartFunc.
type StartFunc = link.StartFunc

// Options wire the viewer to the outside world.
type Options struct {
	URL         string
	Name        string
	Theme       string // "auto", "dark" or "light"
	OpenBrowser bool   // false: show the checkout link instead of opening it
	Opener      checkout.Opener
	Carts       CartStore
	Start       StartFunc
	Logger      *slog.Logger
	Scrollback  int // chat lines kept; 0 means chat.DefaultScrollback
	// Tick schedules a message after a delay (tea.Tick when nil). Tests
	// replace it, as the clock is not theirs to wait on.
	Tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// phase is what the screen shows.
type phase int

const (
	phaseConnecting phase = iota // nothing to show yet
	phaseLive                    // a show is on screen (the link may be down: see link)
	phaseFailed                  // never reached the show: the error screen
)

// toastKind picks the status line's colour.
type toastKind int

const (
	toastInfo toastKind = iota
	toastGood
	toastError
)

// Placeholders of the chat input, idle and focused.
const (
	idlePlaceholder   = "press enter to chat"
	typingPlaceholder = "say something nice · enter sends · esc leaves"
)

// maxRail is how many earlier products the rail offers (keys 1-9).
const maxRail = 9

// toastTTL is how long a status message stays up.
const toastTTL = 4 * time.Second

// Model is the viewer.
type Model struct {
	opts   Options
	styles *theme.Styles
	keys   KeyMap
	help   help.Model
	spin   spinner.Model
	input  textinput.Model
	chat   chat.Model

	width, height int

	phase   phase
	sess    Session
	link    link.State
	attempt int           // number of the attempt in flight or scheduled
	retryAt time.Time     // when the next attempt starts, while link.Waiting
	now     time.Time     // the clock as of the last message that carried it
	clockID int           // generation of the countdown tick; older ticks are dropped
	skew    time.Duration // the show's clock minus ours, from event stamps
	ticking bool          // a clock tick is scheduled
	err     error         // why the link is down
	pending []string      // chat lines typed while offline, sent on reconnect

	show    show.State
	applied uint64 // show events applied since the start, for Stats
	mode    mode
	earlier []protocol.Pin // products pinned before the current one, newest first

	cart       cart.Cart
	cartKey    string
	cartLoaded bool
	cartSel    int
	saving     bool   // changes are saved; false when locked elsewhere, or no store
	saveGen    uint64 // orders saves so an older cart never overwrites a newer one
	savedGen   uint64 // generation of the newest save whose result is shown
	unsaved    string // why the cart is not saved, shown until a save works; "" when it is
	saver      *saver

	cache *frameCache // memos of the screen's parts, shared by copies

	toast     string
	toastKind toastKind
	toastID   int
	linkURL   string // checkout link shown for copying when no browser opened
}

// New builds the viewer. Nothing happens until the program runs Init.
func New(opts Options) Model {
	if opts.Start == nil {
		opts.Start = link.StartClient
	}
	if opts.Tick == nil {
		opts.Tick = tea.Tick
	}
	if opts.Opener == nil {
		opts.Opener = checkout.Browser()
	}
	isDark := theme.StartsDark(opts.Theme)
	styles := theme.New(isDark)
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = idlePlaceholder
	in.CharLimit = protocol.MaxChatRunes
	in.SetStyles(textinput.DefaultStyles(isDark))
	h := help.New()
	h.Styles = help.DefaultStyles(isDark)
	return Model{
		opts:   opts,
		styles: styles,
		keys:   DefaultKeyMap(),
		help:   h,
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(styles.Accent)),
		input:  in,
		chat:   chat.New(styles, opts.Scrollback),
		saver:  &saver{},
		cache:  newFrameCache(),
		width:  80,
		height: 24,
	}
}

// Init starts the spinner, asks for the background colour and starts the
// session.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.spin.Tick, m.startSession()}
	if theme.FollowsTerminal(m.opts.Theme) {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Close ends the session, saves the cart if its last save has not run, and
// releases the cart file. Call it after the program has exited.
func (m Model) Close() {
	if m.sess != nil {
		m.sess.Close()
	}
	if m.saver == nil {
		return
	}
	gen := m.saveGen
	if !m.saving {
		gen = 0
	}
	if err := m.saver.close(gen, m.cart); err != nil {
		m.opts.logf("cart not saved at exit", "err", err)
	}
}

// Cart returns the viewer's cart.
func (m Model) Cart() cart.Cart { return m.cart }

// Stats is what the viewer has taken in so far, for load tests
// (ui/tuistorm) to check that nothing offered was lost.
type Stats struct {
	Applied   uint64 // show events applied; refused ones are not counted
	Seq       uint64 // seq of the last show event applied
	ChatLines int    // lines the chat pane holds, at most its scrollback
}

// Stats returns what the viewer has taken in so far.
func (m Model) Stats() Stats {
	return Stats{Applied: m.applied, Seq: m.show.Seq, ChatLines: m.chat.Len()}
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

func (o Options) logf(msg string, args ...any) {
	if o.Logger != nil {
		o.Logger.Debug(msg, args...)
	}
}

// Err is why the viewer could not show anything: set when the program ended
// while the first connection had failed, nil otherwise.
func (m Model) Err() error {
	if m.phase == phaseFailed && m.err != nil {
		return fmt.Errorf("could not reach the show at %s: %w", m.opts.URL, m.err)
	}
	return nil
}

// serverNow is the show's clock: ours as of the last message, corrected by
// the skew seen in event stamps, so a countdown is right even when this
// machine's clock is off.
func (m Model) serverNow() time.Time { return m.now.Add(m.skew) }

// rail lists the earlier products still in the catalog, not counting the
// one pinned now, numbered from 1.
func (m Model) rail() []railItem {
	current, _, _ := m.show.Pinned()
	items := make([]railItem, 0, len(m.earlier))
	for _, pin := range m.earlier {
		p, ok := m.show.Product(pin.ProductID)
		if !ok || p.ID == current.ID {
			continue
		}
		items = append(items, railItem{key: len(items) + 1, pin: pin, name: p.Name, price: p.PriceAt(m.serverNow())})
	}
	return items
}
