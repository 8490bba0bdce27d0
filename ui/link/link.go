// Package link bridges a show session into a bubbletea program. The viewer
// and the host dashboard are both driven by a client.Session through the
// same interface, the same one bridge command and the same messages, so
// the two cannot drift apart.
package link

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// Session is a self-healing connection to a show; *client.Session is the
// real one. It reconnects on its own and reports what it is doing as
// updates.
type Session interface {
	Updates() <-chan client.Update
	Send(typ protocol.Type, data any) error
	Retry()
	Close()
}

// StartFunc starts a session.
type StartFunc func(ctx context.Context, opts client.SessionOptions) Session

// StartClient is the real StartFunc.
func StartClient(ctx context.Context, opts client.SessionOptions) Session {
	return client.StartSession(ctx, opts)
}

// StartedMsg hands the program its session once it has started.
type StartedMsg struct{ Session Session }

// UpdatesMsg carries every update that was waiting, stamped with the time
// it was read, so Update never has to ask the clock.
type UpdatesMsg struct {
	Updates []client.Update
	At      time.Time
}

// EndedMsg says the session's update stream is closed.
type EndedMsg struct{}

// MaxUpdatesPerMsg bounds how many queued updates one message carries: a
// burst becomes one Update call and one frame, not hundreds.
const MaxUpdatesPerMsg = 512

// Start starts a session in the background and hands it over as a
// StartedMsg.
func Start(start StartFunc, opts client.SessionOptions) tea.Cmd {
	return func() tea.Msg {
		return StartedMsg{Session: start(context.Background(), opts)}
	}
}

// Wait is the one bridge from the session into the program: it blocks for
// the next update, takes whatever else is already queued, and must be
// re-armed exactly once per UpdatesMsg.
func Wait(sess Session) tea.Cmd {
	return func() tea.Msg {
		first, ok := <-sess.Updates()
		if !ok {
			return EndedMsg{}
		}
		ups := []client.Update{first}
		for len(ups) < MaxUpdatesPerMsg {
			select {
			case u, ok := <-sess.Updates():
				if !ok {
					return UpdatesMsg{Updates: ups, At: time.Now()}
				}
				ups = append(ups, u)
			default:
				return UpdatesMsg{Updates: ups, At: time.Now()}
			}
		}
		return UpdatesMsg{Updates: ups, At: time.Now()}
	}
}

// Retry asks the session to skip its wait and dial now.
func Retry(sess Session) tea.Cmd {
	return func() tea.Msg {
		sess.Retry()
		return nil
	}
}
