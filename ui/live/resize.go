package live

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// SettleDelay is how long the terminal's size must hold before the screen
// is drawn again from scratch.
const SettleDelay = 150 * time.Millisecond

// resetMargins sets the terminal's scrolling margins (DECSTBM) to the
// whole screen, whatever its size: both parameters are left to their
// defaults, the first and the last row.
var resetMargins = ansi.SetTopBottomMargins(0, 0)

// Resize puts the screen back whole once the terminal has stopped changing
// size. The core holds one for both screens and routes it
// tea.WindowSizeMsg and SettledMsg.
//
// A terminal can change size before the program hears of it: tmux resizes
// its screen at once but tells the program at most every 250 ms. A frame
// drawn in between is drawn for the old height, and when the renderer
// scrolls part of it (a chat line arriving) it sets scrolling margins and
// then restores them to the old height, not to the whole screen. On a
// taller screen the margins now stop short of the bottom. The renderer's
// repaint for the new size does not touch them, and its later scrolls
// assume they span the screen: the header scrolls away, rows repeat or go
// blank, and it stays so until the next resize. So once the size has held
// for SettleDelay, the margins are reset and the whole screen is drawn
// again.
type Resize struct {
	gen int // counts the sizes seen; only the newest one's timer repaints
}

// SettledMsg says the size has held since the resize numbered gen.
type SettledMsg struct{ gen int }

// Resized counts a new size and returns the timer that ends the run of
// resizes it may be part of. tick schedules a message after a delay, as
// tea.Tick does.
func (r *Resize) Resized(tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd) tea.Cmd {
	r.gen++
	gen := r.gen
	return tick(SettleDelay, func(time.Time) tea.Msg { return SettledMsg{gen: gen} })
}

// Settled returns the repaint when msg is the newest resize's timer, and
// nil for an older one: the terminal changed size again since.
func (r Resize) Settled(msg SettledMsg) tea.Cmd {
	if msg.gen != r.gen {
		return nil
	}
	return Repaint()
}

// Repaint resets the scrolling margins, then has the renderer clear the
// screen and draw it whole. The reset moves the cursor home behind the
// renderer's back; the clear that follows starts from home, so the
// renderer's idea of the cursor is right again.
func Repaint() tea.Cmd {
	return tea.Sequence(tea.Raw(resetMargins), tea.ClearScreen)
}
