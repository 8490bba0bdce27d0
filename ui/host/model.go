// Package host is the host's dashboard: the catalog with stock, deals and
// the up-next list, the live chat with moderation, and the show's metrics,
// over the same self-healing client.Session a viewer uses, with the host
// token in its hello. Its Model embeds the live core (ui/live: the link,
// the clock, the mirror of the show, the status line) and adds the
// commands it sends and tracks until the server answers, the prompts, the
// metrics and the keys for them. The root Model routes messages and owns
// the layout; the chat pane (ui/chat, with selection), the catalog and the
// metrics each draw their own part. Update is a pure state transition: the
// network and the clock are reached only through commands.
package host

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/live"
)

// Options wire the dashboard to the outside world.
type Options struct {
	URL   string
	Token string // the host token; sent in the hello, never drawn or logged
	Name  string // the name asked for; the server shows the host by the show's host name
	Theme string // "auto", "dark" or "light"
	// URLs are the show's URLs in the order to try them, URL first (see
	// client.SessionOptions.URLs); empty means URL alone.
	URLs []string
	// Tick schedules a message after a delay (tea.Tick when nil). Tests
	// replace it, as the clock is not theirs to wait on.
	Tick   func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	Logger *slog.Logger
	// WatchHint is the command a viewer runs to watch this show, shown in
	// the header and the help; empty shows nothing.
	WatchHint string
}

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

// Model is the host dashboard: the live core (the link, the clock, the
// mirror of the show, the status line) and what only the dashboard has.
type Model struct {
	live.Core
	opts  Options
	keys  KeyMap
	help  help.Model
	input textinput.Model // the chat line and every prompt

	chat  chat.Model // selectable, for moderation
	sel   int        // selected product, an index into the catalog
	focus pane
	mode  mode

	prompt    prompt // the open prompt, in modePrompt and modeConfirm
	prefilled bool   // the input holds the prompt's value untouched: typing replaces it

	metrics     protocol.Metrics // the newest, sanitized
	haveMetrics bool
	metricsSeen int // metrics events received, to age pending commands
	viewersHist series
	chatHist    series
	revenueHist series
	sales       []sale // newest last, at most maxSales

	ops    []op // commands sent and not yet answered, oldest first
	nextOp int
}

// App is the dashboard as live.Run runs it: its session, as the host, and
// the screen built around it.
func App(opts Options) live.App {
	opts = opts.withDefaults()
	return live.App{
		Session: client.SessionOptions{
			Options: client.Options{URL: opts.URL, Name: opts.Name, Token: opts.Token, Logger: opts.Logger},
			URLs:    opts.URLs,
		},
		Screen: func(sess live.Session) live.Screen { return New(opts, sess) },
	}
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "host"
	}
	if o.Tick == nil {
		o.Tick = tea.Tick
	}
	return o
}

// New builds the dashboard around its session, which the caller has
// started and will close. Nothing happens until the program runs Init.
func New(opts Options, sess live.Session) Model {
	opts = opts.withDefaults()
	core := live.New(live.Options{
		URL: opts.URL, Theme: opts.Theme, Logger: opts.Logger, Tick: opts.Tick, CountsDown: countsDown,
	}, sess)
	h := core.Help()
	h.FullSeparator = "   "
	m := Model{
		Core:  core,
		opts:  opts,
		keys:  DefaultKeyMap(),
		help:  h,
		input: core.ChatInput(idlePlaceholder),
		chat:  chat.New(core.Styles, 0, chat.Selectable()),
	}
	m.relayout()
	return m
}

// Close releases what the dashboard holds of its own: nothing, as the
// session is the runner's.
func (m Model) Close() {}

// Err says why the dashboard could not be used: the show was never reached,
// or it did not accept the token. Nil otherwise.
func (m Model) Err() error {
	if m.Phase == live.PhaseHungUp {
		return fmt.Errorf("the show at %s did not accept this host token", m.opts.URL)
	}
	if err := m.Core.Err(); err != nil {
		return errors.New(m.scrub(err.Error()))
	}
	return nil
}
