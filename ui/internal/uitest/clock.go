package uitest

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/ui/live"
)

// T0 is the fixed time the tests' updates are stamped with.
var T0 = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// NoTick replaces the clock: nothing scheduled ever fires on its own.
func NoTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// Ticker is a clock (Options.Tick) that records what was scheduled, for
// the test to fire at a time of its choosing. It returns no command, so
// nothing ever waits on a real clock.
type Ticker struct {
	Delays []time.Duration
	Fns    []func(time.Time) tea.Msg
}

// Tick records a timer.
func (tk *Ticker) Tick(d time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
	tk.Delays = append(tk.Delays, d)
	tk.Fns = append(tk.Fns, f)
	return nil
}

// Clocks returns the clock's ticks scheduled so far, to fire later.
func (tk *Ticker) Clocks() []func(time.Time) tea.Msg {
	var out []func(time.Time) tea.Msg
	for _, f := range tk.Fns {
		if _, ok := f(time.Time{}).(live.ClockMsg); ok {
			out = append(out, f)
		}
	}
	return out
}

// LastClockFunc is the newest tick of the clock, to fire later.
func (tk *Ticker) LastClockFunc(t testing.TB) func(time.Time) tea.Msg {
	t.Helper()
	cs := tk.Clocks()
	if len(cs) == 0 {
		t.Fatal("no clock tick was scheduled")
	}
	return cs[len(cs)-1]
}

// LastClock is the newest tick of the clock, fired at at.
func (tk *Ticker) LastClock(t testing.TB, at time.Time) tea.Msg {
	t.Helper()
	return tk.LastClockFunc(t)(at)
}
