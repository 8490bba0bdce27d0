package live

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/livecart/livecart/client"
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

	// over is Down because the show has ended (Link.Over), as the header
	// tells it apart.
	over State = -1
)

// Link is the connection as the session last reported it.
type Link struct {
	State   State
	Attempt int       // the attempt in flight or scheduled
	RetryAt time.Time // when the next attempt starts, while Waiting
	Err     error     // why the link is down; nil while it is up
	// Over says the link is Down because the show has ended
	// (client.ErrShowEnded), not because it failed: nothing to retry, and
	// nothing went wrong.
	Over bool
	// On is the show URL of the last welcome: a show served at several
	// URLs may come back on another.
	On string
}

// Apply moves the link on by one session update and returns the state it
// was in before.
func (l *Link) Apply(u client.Update) State {
	was := l.State
	switch u.Kind {
	case client.UpdateConnecting:
		l.State, l.Attempt = Connecting, u.Attempt
	case client.UpdateSnapshot, client.UpdateResumed:
		l.State, l.Attempt, l.Err = Up, 0, nil
		if u.URL != "" {
			l.On = u.URL
		}
	case client.UpdateWaiting:
		l.State, l.Attempt, l.RetryAt, l.Err = Waiting, u.Attempt, u.RetryAt, u.Err
	case client.UpdateFailed:
		l.State, l.Err = Down, u.Err
		l.Over = errors.Is(u.Err, client.ErrShowEnded)
	}
	return was
}

// serverOf names the server of a show URL as a status line can say it:
// its host and port.
func serverOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// Countdown is the whole seconds from now until t, rounded up, at least 0:
// every countdown on screen (the next attempt, a deal) counts with it.
func Countdown(now, t time.Time) int {
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// Left is Countdown as m:ss.
func Left(now, t time.Time) string {
	secs := Countdown(now, t)
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}

// linkText is the connection state as a header shows it: connected,
// connecting or reconnecting (with the attempt, and the seconds to the next
// one while waiting), or offline. spinner is the spinner's current frame.
func linkText(s *theme.Styles, spinner string, st State, attempt, secsLeft int) string {
	switch st {
	case over:
		return s.Subtle.Render("■ the show has ended")
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

// retryText is linkText for a client that has never been connected: it is
// trying again, not reconnecting.
func retryText(s *theme.Styles, spinner string, st State, attempt, secsLeft int) string {
	switch st {
	case Connecting:
		return spinner + " " + s.Warn.Render(fmt.Sprintf("trying again · attempt %d", attempt))
	case Waiting:
		return s.Warn.Render(fmt.Sprintf("○ trying again · attempt %d in %ds", attempt, secsLeft))
	default:
		return linkText(s, spinner, st, attempt, secsLeft)
	}
}
