package live

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
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/theme"
)

// Phase is what a screen shows.
type Phase int

// Phases of a screen.
const (
	PhaseConnecting Phase = iota // nothing to show yet
	PhaseLive                    // the show is on screen (the link may be down: see Link)
	PhaseFailed                  // the show was never reached: the error screen, while it keeps trying
	PhaseHungUp                  // the screen hung up on the show (HangUp)
)

// Options wire the core to the outside world.
type Options struct {
	URL    string // the show's address, for Err
	Theme  string // "auto", "dark" or "light"
	Logger *slog.Logger
	// Tick schedules a message after a delay (tea.Tick when nil). Tests
	// replace it, as the clock is not theirs to wait on.
	Tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// CountsDown reports whether the screen draws a countdown of its own
	// (a deal's) at the show's time now; the clock ticks while one does,
	// or while the link waits for its next attempt.
	CountsDown func(s *show.State, now time.Time) bool
}

// Core is the live show a screen is built on, embedded by value in the
// screen's Model: the link, the clock, the mirror of the show, the status
// line, the spinner, the styles and the size. The screen reads its fields
// and changes them only through its methods, from Update; what is left to
// the screen is its keys, its panels and its reactions.
type Core struct {
	Styles        *theme.Styles
	Width, Height int
	Spin          spinner.Model // runs while something is in flight
	Phase         Phase
	Link          Link
	Show          show.State // the mirror: changed only by Apply and ApplyEvent
	Status        Status
	Notices       []Notice // up until dismissed, oldest first: changed only by Stick, Dismiss and Unstick

	opts   Options
	sess   Session // the runner's: started before the program, closed after it
	dark   bool    // the palette is for a dark background
	clock  clock
	resize Resize // repaints the screen whole once a run of resizes settles
}

// New builds the core of a screen around its session, which the caller has
// started and will close.
func New(opts Options, sess Session) Core {
	if opts.Tick == nil {
		opts.Tick = tea.Tick
	}
	dark := theme.StartsDark(opts.Theme)
	styles := theme.New(dark)
	return Core{
		Styles: styles,
		Width:  80,
		Height: 24,
		Spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(styles.Accent)),
		opts:   opts,
		sess:   sess,
		dark:   dark,
	}
}

// Session is the session the screen runs on, for its commands.
func (c Core) Session() Session { return c.sess }

// Init starts the spinner, arms the bridge from the session and asks for
// the terminal's background colour when the theme follows it.
func (c Core) Init() tea.Cmd {
	cmds := []tea.Cmd{c.Spin.Tick, Wait(c.sess, time.Time{})}
	if theme.FollowsTerminal(c.opts.Theme) {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Err is why the show could not be reached: set while the screen shows the
// error screen, nil otherwise.
func (c Core) Err() error {
	if c.Phase == PhaseFailed && c.Link.Err != nil {
		return fmt.Errorf("could not reach the show at %s: %w", c.opts.URL, c.Link.Err)
	}
	return nil
}

// Frame puts the screen's content in the program's view: full screen, the
// mouse on, and a window title that names the show once it is on screen.
func (c Core) Frame(content, title string) tea.View {
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = title
	if c.Phase == PhaseLive && c.Show.Show.Title != "" {
		v.WindowTitle += " · " + c.Show.Show.Title
	}
	return v
}

// restyle rebuilds the styles for the terminal's background, unless the
// user chose a theme, and reports whether they changed.
func (c *Core) restyle(isDark bool) bool {
	if !theme.FollowsTerminal(c.opts.Theme) {
		return false // the user chose
	}
	c.Styles, c.dark = theme.New(isDark), isDark
	c.Spin.Style = c.Styles.Accent
	return true
}

// ChatInput is the line a screen types chat (and, on the dashboard,
// prompts) into.
func (c Core) ChatInput(placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = placeholder
	in.CharLimit = protocol.MaxChatRunes
	in.SetStyles(textinput.DefaultStyles(c.dark))
	return in
}

// Help is the help view in the screen's palette; a screen hands it
// Styles.Help again when the styles change.
func (c Core) Help() help.Model {
	h := help.New()
	h.Styles = c.Styles.Help
	return h
}

// LinkStatus is the connection's state as a screen says it: in the header
// once the show is on screen; before that, on the error screen, as trying
// again, since there is nothing yet to reconnect to.
func (c Core) LinkStatus() string {
	st := c.Link.State
	if c.Link.Over {
		st = over
	}
	if c.Phase == PhaseLive {
		return linkText(c.Styles, c.Spin.View(), st, c.Link.Attempt, c.RetryIn())
	}
	return retryText(c.Styles, c.Spin.View(), st, c.Link.Attempt, c.RetryIn())
}

// Update handles the messages every screen answers alike: the window's
// size, the terminal's background, the session's updates (each through
// apply, see receive) and its end, the clock, the status line's expiry and
// the spinner. A screen routes its own messages (keys, its commands'
// replies) and hands the rest here, with its apply and its layout, which
// is called when the size, the styles or the show changed; layout hands
// the parts that keep styles the core's current ones.
func (c *Core) Update(msg tea.Msg, apply func(client.Update) tea.Cmd, layout func()) tea.Cmd {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.Width, c.Height = msg.Width, msg.Height
		cmd = c.resize.Resized(c.opts.Tick)
	case tea.BackgroundColorMsg:
		if !c.restyle(msg.IsDark()) {
			return nil
		}
	case UpdatesMsg:
		cmd = c.receive(msg, apply)
	default:
		return c.update(msg)
	}
	layout()
	return cmd
}

func (c *Core) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case EndedMsg:
		c.Link.State = Down
	case ClockMsg:
		return c.tick(msg)
	case SettledMsg:
		return c.resize.Settled(msg)
	case StatusExpiredMsg:
		c.statusExpired(msg)
	case spinner.TickMsg:
		if c.Phase == PhaseLive && c.Link.State == Up || c.Phase == PhaseHungUp {
			return nil // stop ticking when nothing is in flight
		}
		var cmd tea.Cmd
		c.Spin, cmd = c.Spin.Update(msg)
		return cmd
	}
	return nil
}

// receive takes a message from the bridge: it applies the updates in
// order, each through apply (the screen's: it calls Apply and reacts to
// the outcome), then re-arms the bridge, once, and the clock if something
// now counts down.
func (c *Core) receive(msg UpdatesMsg, apply func(client.Update) tea.Cmd) tea.Cmd {
	c.clock.now = msg.At
	cmds := make([]tea.Cmd, 0, len(msg.Updates)+2)
	for _, u := range msg.Updates {
		if c.Phase == PhaseHungUp {
			break // the session is closing: nothing it says matters now
		}
		cmds = append(cmds, apply(u))
	}
	if c.Phase != PhaseHungUp {
		cmds = append(cmds, Wait(c.sess, msg.At))
	}
	cmds = append(cmds, c.ensureClock())
	return tea.Batch(cmds...)
}

// Happening is what a session update meant, for the screen to react to.
type Happening int

// What a session update can mean.
const (
	Nothing  Happening = iota // nothing for the screen: a dial started, a wait while the show is not on screen
	Joined                    // the session's first snapshot: the show is on screen, the mirror new
	Rejoined                  // a later snapshot, after a drop that could not be resumed
	Resumed                   // back after a drop, nothing missed
	Events                    // show events: the screen applies each with ApplyEvent
	Lost                      // the link dropped while the show was on screen; the session retries
	Ended                     // the session gave up while the show was on screen
)

// Outcome is what Apply did.
type Outcome struct {
	What  Happening
	Lines []show.Line // Joined, Rejoined: the snapshot's recent chat, oldest first
	Note  string      // a line for the chat, when the change is worth one
}

// Apply applies one session update to the link, the mirror and the phase,
// and says what it meant. The command is the core's own (the spinner, the
// status line). Events are left to the screen, which applies each with
// ApplyEvent and routes its change.
func (c *Core) Apply(u client.Update) (Outcome, tea.Cmd) {
	back := "Reconnected"
	if on := c.Link.On; on != "" && u.URL != "" && u.URL != on {
		back += " to " + serverOf(u.URL) // another server of the show
	}
	was := c.Link.Apply(u)
	switch u.Kind {
	case client.UpdateConnecting:
		return Outcome{}, c.Spin.Tick
	case client.UpdateSnapshot:
		c.clock.setShowTime(u.ShowTime)
		st, lines := show.FromWelcome(u.Welcome, u.Seq)
		first := c.Phase != PhaseLive
		c.Show, c.Phase = st, PhaseLive
		if first {
			return Outcome{What: Joined, Lines: lines}, nil
		}
		o := Outcome{What: Rejoined, Lines: lines}
		if u.Missed {
			o.Note = "you were offline · some messages were missed"
		}
		return o, c.restored(was, back)
	case client.UpdateResumed:
		c.clock.setShowTime(u.ShowTime)
		c.Show.You, c.Show.Viewers = u.Welcome.You, u.Welcome.Viewers
		c.Show.You.Name = sanitize.Line(c.Show.You.Name)
		return Outcome{What: Resumed}, c.restored(was, back+" · nothing was missed")
	case client.UpdateEvents:
		return Outcome{What: Events}, nil
	case client.UpdateWaiting:
		c.clock.ticking = false // the countdown to the next attempt starts now
		if c.Phase == PhaseConnecting {
			c.Phase = PhaseFailed // show why, while it keeps trying
		}
		if was == Up && c.Phase == PhaseLive {
			return Outcome{What: Lost, Note: "offline · " + Reason(u.Err)}, nil
		}
	case client.UpdateFailed:
		if c.Phase != PhaseLive {
			c.Phase = PhaseFailed
			return Outcome{}, nil
		}
		if c.Link.Over {
			// Not a failure: the host ended the show. Nothing on screen
			// (a viewer's cart) goes with it.
			return Outcome{What: Ended, Note: "the show has ended · thanks for watching"},
				c.Notify(StatusInfo, "The show has ended · thanks for watching")
		}
		why := Reason(u.Err)
		return Outcome{What: Ended, Note: "disconnected for good · " + why}, c.Notify(StatusError, "Disconnected: "+why)
	}
	return Outcome{}, nil
}

// restored says the link is back, if it was down.
func (c *Core) restored(was State, text string) tea.Cmd {
	if was == Up {
		return nil
	}
	return c.Notify(StatusGood, text)
}

// ApplyEvent applies one show event to the mirror, setting the show's
// clock from its stamp. An invalid event is logged and refused: ok is
// false and the mirror is as it was.
func (c *Core) ApplyEvent(env protocol.Envelope) (ch show.Change, ok bool) {
	c.clock.setShowTime(env.TS)
	ch, err := c.Show.Apply(env)
	if err != nil {
		c.Logf("dropped invalid event", "type", string(env.Type), "err", err)
		return ch, false
	}
	return ch, true
}

// HangUp ends a session the screen has no use for (the dashboard's, when
// the token was refused) before the runner would: nothing it says is
// applied after, and the bridge is not armed again. Close waits for the
// session's goroutines, so it runs off the UI.
func (c *Core) HangUp() tea.Cmd {
	c.Phase, c.Link.State = PhaseHungUp, Down
	sess := c.sess
	return func() tea.Msg {
		sess.Close()
		return nil
	}
}

// Reconnect skips the wait before the next attempt, while there is one.
func (c *Core) Reconnect() tea.Cmd {
	if c.Link.State != Waiting {
		return nil
	}
	status := c.Notify(StatusInfo, "Reconnecting to "+c.opts.URL+"…")
	return tea.Batch(status, Retry(c.sess), c.Spin.Tick)
}

// Logf writes to the debug log, when there is one.
func (c Core) Logf(msg string, args ...any) {
	if c.opts.Logger != nil {
		c.opts.Logger.Debug(msg, args...)
	}
}

// Reason is an error's text, safe to draw.
func Reason(err error) string {
	if err == nil {
		return "connection lost"
	}
	return sanitize.Line(err.Error())
}
