// Package host is the host's dashboard: the catalog with stock, deals and
// the up-next list, the live chat with moderation, and the show's metrics,
// over the same self-healing client.Session a viewer uses, with the host
// token in its hello. The root Model routes messages and owns the layout;
// the chat pane, the catalog and the metrics each draw their own part.
// Update is a pure state transition: the network and the clock are reached
// only through commands.
package host

import (
	"fmt"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// Options wire the dashboard to the outside world.
type Options struct {
	URL   string
	Token string // the host token; sent in the hello, never drawn or logged
	Name  string // the name asked for; the server shows the host by the show's host name
	Theme string // "auto", "dark" or "light"
	// Tick schedules a message after a delay (tea.Tick when nil). Tests
	// replace it, as the clock is not theirs to wait on.
	Tick   func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	Logger *slog.Logger
	// WatchHint is the command a viewer runs to watch this show, shown in
	// the header and the help; empty shows nothing.
	WatchHint string
}

// phase is what the screen shows.
type phase int

const (
	phaseConnecting phase = iota // nothing to show yet
	phaseLive                    // the dashboard (the link may be down: see link)
	phaseFailed                  // never reached the show
	phaseRejected                // reached it, but the token did not make us the host
)

// pane is which pane has the arrow keys.
type pane int

const (
	paneCatalog pane = iota
	paneChat
)

// mode is what has the keyboard.
type mode int

const (
	modeNormal  mode = iota // dashboard keys
	modeTyping              // writing a chat line
	modePrompt              // answering a prompt (deal, stock, price…)
	modeConfirm             // confirming a ban
)

// sampleCount is how many metrics samples the sparklines keep: three
// minutes at one a second.
const sampleCount = 180

// Model is the host dashboard.
type Model struct {
	opts   Options
	styles *theme.Styles
	keys   KeyMap
	help   help.Model
	spin   spinner.Model
	input  textinput.Model // the chat line and every prompt

	width, height int

	phase   phase
	sess    live.Session // the runner's: started before the program, closed after it
	link    live.State
	attempt int
	retryAt time.Time
	err     error
	clockID int

	// now is our clock as of the last message that carried it; skew is the
	// server's clock minus ours, from the newest event's timestamp. Deal
	// countdowns are in server time: now+skew.
	now  time.Time
	skew time.Duration

	show  show.State
	chat  chatPane
	sel   int // selected product, an index into the catalog
	focus pane
	mode  mode

	prompt prompt // the open prompt, in modePrompt and modeConfirm

	metrics     protocol.Metrics // the newest, sanitized
	haveMetrics bool
	metricsSeen int // metrics events received, to age pending commands
	viewersHist series
	chatHist    series
	revenueHist series
	sales       []sale // newest last, at most maxSales

	ops    []op // commands sent and not yet answered, oldest first
	nextOp int

	status     string
	statusKind statusKind
	statusID   int
}

// App is the dashboard as live.Run runs it: its session, as the host, and
// the screen built around it.
func App(opts Options) live.App {
	opts = opts.withDefaults()
	return live.App{
		Session: client.SessionOptions{Options: client.Options{
			URL: opts.URL, Name: opts.Name, Token: opts.Token, Logger: opts.Logger,
		}},
		Screen: func(sess live.Session) live.Screen { return New(opts, sess) },
	}
}

func (o Options) withDefaults() Options {
	if o.Tick == nil {
		o.Tick = tea.Tick
	}
	if o.Name == "" {
		o.Name = "host"
	}
	return o
}

// New builds the dashboard around its session, which the caller has
// started and will close. Nothing happens until the program runs Init.
func New(opts Options, sess live.Session) Model {
	opts = opts.withDefaults()
	isDark := theme.StartsDark(opts.Theme)
	styles := theme.New(isDark)
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = idlePlaceholder
	in.CharLimit = protocol.MaxChatRunes
	in.SetStyles(textinput.DefaultStyles(isDark))
	h := help.New()
	h.Styles = help.DefaultStyles(isDark)
	h.FullSeparator = "   "
	m := Model{
		opts:   opts,
		styles: styles,
		keys:   DefaultKeyMap(),
		help:   h,
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(styles.Accent)),
		input:  in,
		sess:   sess,
		chat:   newChatPane(styles, 0),
		width:  80,
		height: 24,
	}
	m.relayout()
	return m
}

// Init starts the spinner and the clock, asks for the background colour
// and arms the bridge from the session.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.spin.Tick, live.Wait(m.sess, time.Time{}), m.clockTick()}
	if theme.FollowsTerminal(m.opts.Theme) {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Close releases what the dashboard holds of its own: nothing, as the
// session is the runner's.
func (m Model) Close() {}

// Err says why the dashboard could not be used: the show was never reached,
// or it did not accept the token. Nil otherwise.
func (m Model) Err() error {
	switch {
	case m.phase == phaseRejected:
		return fmt.Errorf("the show at %s did not accept this host token", m.opts.URL)
	case m.phase == phaseFailed && m.err != nil:
		return fmt.Errorf("could not reach the show at %s: %s", m.opts.URL, m.scrub(m.err.Error()))
	}
	return nil
}

func (o Options) logf(msg string, args ...any) {
	if o.Logger != nil {
		o.Logger.Debug(msg, args...)
	}
}
