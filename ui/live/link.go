package live

import (
	"fmt"
	"time"

	"github.com/livecart/livecart/ui/theme"
)

// State is what the session last said about the connection.
type State int

// States of the connection.
const (
	Connecting State = iota // a dial is in flight
	Up                      // connected
	Waiting                 // down; the next attempt is scheduled
	Down                    // the session gave up
)

// Countdown is the whole seconds from now until t, rounded up, at least 0.
func Countdown(now, t time.Time) int {
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// Status is the connection state as a header shows it: connected,
// connecting or reconnecting (with the attempt, and the seconds to the next
// one while waiting), or offline. spinner is the spinner's current frame.
func Status(s *theme.Styles, spinner string, st State, attempt, secsLeft int) string {
	switch st {
	case Up:
		return s.Good.Render("● connected")
	case Connecting:
		if attempt > 1 {
			return spinner + " " + s.Warn.Render(fmt.Sprintf("reconnecting · attempt %d", attempt))
		}
		return spinner + " " + s.Warn.Render("connecting")
	case Waiting:
		return s.Warn.Render(fmt.Sprintf("○ reconnecting · attempt %d in %ds", attempt, secsLeft))
	default:
		return s.Error.Render("○ offline")
	}
}

// Retrying is Status for a client that has never been connected: it is
// trying again, not reconnecting.
func Retrying(s *theme.Styles, spinner string, st State, attempt, secsLeft int) string {
	switch st {
	case Connecting:
		return spinner + " " + s.Warn.Render(fmt.Sprintf("trying again · attempt %d", attempt))
	case Waiting:
		return s.Warn.Render(fmt.Sprintf("○ trying again · attempt %d in %ds", attempt, secsLeft))
	default:
		return Status(s, spinner, st, attempt, secsLeft)
	}
}
