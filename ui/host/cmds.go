package host

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// Messages the dashboard's commands send back.
type (
	// sentMsg says whether a command reached the session's send queue.
	sentMsg struct {
		op  int
		err error
	}
	// statusExpiredMsg clears the status line, unless a newer one replaced
	// it.
	statusExpiredMsg struct{ id int }
	// clockMsg moves the clock on, once a second, for the deal and
	// reconnect countdowns.
	clockMsg struct {
		id int
		at time.Time
	}
)

// sendCmd queues a command on the session; Send never blocks.
func sendCmd(sess live.Session, op int, typ protocol.Type, data any) tea.Cmd {
	return func() tea.Msg { return sentMsg{op: op, err: sess.Send(typ, data)} }
}

// closeSession ends a session that is of no use (the token was refused)
// before the runner would. Close waits for the session's goroutines, so it
// runs off the UI.
func closeSession(sess live.Session) tea.Cmd {
	return func() tea.Msg {
		sess.Close()
		return nil
	}
}
