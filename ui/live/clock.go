package live

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// clock is the show's clock as the screen knows it. Update never reads the
// wall clock: now moves with the messages that carry a time (the bridge's,
// the tick's), and skew is the show's clock minus ours, from the stamps on
// its events, so a countdown is right even when this machine's clock is
// off.
//
// It ticks once a second, and only while something on screen counts down:
// the next reconnect attempt, whatever the screen says counts
// (Options.CountsDown), or a wait the screen started (CountDownTo).
type clock struct {
	now     time.Time
	skew    time.Duration
	gen     int       // generation of the tick; older ticks are dropped
	ticking bool      // a tick of generation gen is scheduled
	until   time.Time // the show's time a screen's own wait ends (CountDownTo)
}

// ClockMsg moves the clock on.
type ClockMsg struct {
	gen int
	at  time.Time
}

// setShowTime takes the show's clock from a stamp that says what it was
// as of now: an event's, or the welcome's, so that a screen whose first
// event is the welcome counts a deal down by the show's clock too. A zero
// stamp (an unstamped message) or an unknown now changes nothing.
func (c *clock) setShowTime(at time.Time) {
	if !at.IsZero() && !c.now.IsZero() {
		c.skew = at.Sub(c.now)
	}
}

// ServerNow is the show's clock: ours as of the last message, corrected by
// the skew seen in the welcome's and events' stamps.
func (c Core) ServerNow() time.Time { return c.clock.now.Add(c.clock.skew) }

// RetryIn is the whole seconds to the next attempt while the link waits.
func (c Core) RetryIn() int { return Countdown(c.clock.now, c.Link.RetryAt) }

// needsClock reports whether something on screen counts down.
func (c Core) needsClock() bool {
	switch {
	case c.Phase == PhaseHungUp:
		return false
	case c.Link.State == Waiting, c.ServerNow().Before(c.clock.until):
		return true
	}
	return c.opts.CountsDown != nil && c.opts.CountsDown(&c.Show, c.ServerNow())
}

// CountDownTo keeps the clock ticking until the show's clock reaches
// until, for a wait the screen counts down on its own (a chat's slow
// mode), and starts it if it is not running.
func (c *Core) CountDownTo(until time.Time) tea.Cmd {
	if until.After(c.clock.until) {
		c.clock.until = until
	}
	return c.ensureClock()
}

// ensureClock starts the tick if something needs it and it is not
// already running.
func (c *Core) ensureClock() tea.Cmd {
	if c.clock.ticking || !c.needsClock() {
		return nil
	}
	c.clock.ticking = true
	c.clock.gen++
	return c.nextTick()
}

// nextTick asks for the tick a second from now.
func (c *Core) nextTick() tea.Cmd {
	gen := c.clock.gen
	return c.opts.Tick(time.Second, func(t time.Time) tea.Msg { return ClockMsg{gen: gen, at: t} })
}

func (c *Core) tick(msg ClockMsg) tea.Cmd {
	if msg.gen != c.clock.gen || !c.clock.ticking {
		return nil
	}
	c.clock.now = msg.at
	if !c.needsClock() {
		c.clock.ticking = false
		return nil
	}
	return c.nextTick()
}

// LocalTime is a time on the show's clock as this machine's clock has
// it, for a time of day to be told (a hold's end): the skew taken off.
func (c Core) LocalTime(show time.Time) time.Time { return show.Add(-c.clock.skew) }
