// Package ui is the viewer's terminal interface. The root Model routes
// messages, owns the layout and the connection's lifecycle; the chat pane,
// the pinned card and the cart panel each draw their own part. Update is a
// pure state transition: the network, the disk, the clock and the browser
// are reached only through commands.
package ui

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/theme"
)

// CartStore loads and saves a cart per show. cart.Store implements it.
type CartStore interface {
	Load(show string) (cart.Cart, error)
	Save(show string, c cart.Cart) error
}

// Conn is a live connection to a show; *client.Conn is the real one.
type Conn interface {
	Welcome() (protocol.Welcome, uint64)
	Events() <-chan []protocol.Envelope
	Send(typ protocol.Type, data any) error
	Err() error
	Close() error
}

// DialFunc opens a connection to a show.
type DialFunc func(ctx context.Context, opts client.Options) (Conn, error)

// dialClient is the real DialFunc. It returns a nil interface, not a nil
// *client.Conn inside one, when the dial fails.
func dialClient(ctx context.Context, opts client.Options) (Conn, error) {
	c, err := client.Dial(ctx, opts)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Options wire the viewer to the outside world.
type Options struct {
	URL         string
	Name        string
	Theme       string // "auto", "dark" or "light"
	OpenBrowser bool   // false: show the checkout link instead of opening it
	Opener      checkout.Opener
	Carts       CartStore
	Dial        DialFunc
	Logger      *slog.Logger
	Scrollback  int // chat lines kept; 0 means chat.DefaultScrollback
	// Tick schedules a message after a delay (tea.Tick when nil). Tests
	// replace it, as the clock is not theirs to wait on.
	Tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// phase is where the connection stands.
type phase int

const (
	phaseConnecting phase = iota // first attempt in flight, nothing to show yet
	phaseLive                    // a show is on screen (the link may be down: see offline)
	phaseFailed                  // the first attempt failed: the error screen
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

	phase      phase
	conn       Conn
	gen        int  // connection generation; messages of older ones are dropped
	connecting bool // a dial is in flight
	offline    bool // was live, link lost
	err        error

	show show.State
	mode mode

	cart       cart.Cart
	cartKey    string
	cartLoaded bool
	cartSel    int
	saveGen    uint64 // orders saves so an older cart never overwrites a newer one
	saver      *saver

	toast     string
	toastKind toastKind
	toastID   int
	link      string // checkout link shown for copying when no browser opened
}

// New builds the viewer. Nothing happens until the program runs Init.
func New(opts Options) Model {
	if opts.Dial == nil {
		opts.Dial = dialClient
	}
	if opts.Tick == nil {
		opts.Tick = tea.Tick
	}
	if opts.Opener == nil {
		opts.Opener = checkout.Browser()
	}
	isDark := opts.Theme != "light"
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
		saver:  &saver{store: opts.Carts},
		width:  80,
		height: 24,
	}
}

// Init starts the spinner, asks for the background colour and dials.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.spin.Tick, m.dial()}
	if m.opts.Theme == "" || m.opts.Theme == "auto" {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Close ends the connection, if any. Call it after the program has exited.
func (m Model) Close() {
	if m.conn != nil {
		m.conn.Close()
	}
}

// Cart returns the viewer's cart.
func (m Model) Cart() cart.Cart { return m.cart }

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
	if m.phase == phaseFailed {
		return m.err
	}
	return nil
}
