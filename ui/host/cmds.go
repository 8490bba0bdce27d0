package host

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// Messages the dashboard's commands send back.
type (
	// sessionMsg hands over the session once it has started.
	sessionMsg struct{ sess Session }
	// updatesMsg carries every update that was waiting, stamped with the
	// time it was read so Update never has to ask the clock.
	updatesMsg struct {
		updates []client.Update
		at      time.Time
	}
	// sessionEndedMsg says the session's update stream is closed.
	sessionEndedMsg struct{}
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

// maxUpdatesPerMsg bounds how many queued updates one message carries: a
// burst becomes one Update call and one frame.
const maxUpdatesPerMsg = 512

// startSession starts the session in the background, as the host.
func (m Model) startSession() tea.Cmd {
	start := m.opts.Start
	opts := client.SessionOptions{Options: client.Options{
		URL: m.opts.URL, Name: m.opts.Name, Token: m.opts.Token, Logger: m.opts.Logger,
	}}
	return func() tea.Msg {
		return sessionMsg{sess: start(context.Background(), opts)}
	}
}

// waitForUpdates is the one bridge from the session into the program: it
// blocks for the next update, takes whatever else is already queued, and is
// re-armed once per message.
func waitForUpdates(sess Session) tea.Cmd {
	return func() tea.Msg {
		first, ok := <-sess.Updates()
		if !ok {
			return sessionEndedMsg{}
		}
		ups := []client.Update{first}
		for len(ups) < maxUpdatesPerMsg {
			select {
			case u, ok := <-sess.Updates():
				if !ok {
					return updatesMsg{updates: ups, at: time.Now()}
				}
				ups = append(ups, u)
			default:
				return updatesMsg{updates: ups, at: time.Now()}
			}
		}
		return updatesMsg{updates: ups, at: time.Now()}
	}
}

// sendCmd queues a command on the session; Send never blocks.
func sendCmd(sess Session, op int, typ protocol.Type, data any) tea.Cmd {
	return func() tea.Msg { return sentMsg{op: op, err: sess.Send(typ, data)} }
}

func retry(sess Session) tea.Cmd {
	return func() tea.Msg {
		sess.Retry()
		return nil
	}
}

// closeSession ends a session that is of no use (the token was refused).
// Close waits for the session's goroutines, so it runs off the UI.
func closeSession(sess Session) tea.Cmd {
	return func() tea.Msg {
		sess.Close()
		return nil
	}
}
