package live

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
)

// Batching: how a burst travels from the socket to a frame. The bridge
// decides it, here; the layers below only pass things on.
//
//  1. The server sends show events in batches, several to a WebSocket
//     frame (server/hub.go).
//  2. client.Conn's read loop decodes each frame and queues its events.
//  3. client.Session takes the frames already queued, drops what it has
//     seen, and hands them on as one client.UpdateEvents of at most
//     MaxBatch events (SessionOptions.MaxBatch, which Open sets). A few
//     updates may wait for the program; past them the session stops
//     reading the socket rather than drop anything.
//  4. The bridge (Wait) takes the updates already waiting until it holds
//     MaxBatch events, at most once a frame (frameInterval after the
//     previous message), as one UpdatesMsg stamped with the time it was
//     read.
//  5. The screen's Update applies them in order, and the program draws one
//     frame: however fast a chat flood comes, Update and View run at most
//     once a frame, each on everything that arrived since.
//
// One Update call thus applies about MaxBatch events at most (less than
// twice that: the update that reaches the bound comes whole), and the
// screen takes in that much a frame: far more than a show sends (its chat
// cap is tens of lines a second), so the bound only keeps one Update short
// under a flood.

// MaxBatch bounds the events one message carries from the session to the
// screen: one update from the session, or one message from the bridge (an
// update without events counts as one).
const MaxBatch = 1024

// frameInterval is the least time between two messages from the bridge: a
// frame at the renderer's 60 frames a second.
const frameInterval = time.Second / 60

// UpdatesMsg carries every update that was waiting, stamped with the time
// it was read, so Update never has to ask the clock.
type UpdatesMsg struct {
	Updates []client.Update
	At      time.Time
}

// EndedMsg says the session's update stream is closed.
type EndedMsg struct{}

// Wait is the one bridge from the session into the program. It reads the
// next updates (see Batching above); when the previous message, read at
// last, is less than a frame old, it first lets the rest of the frame's
// updates gather. last is zero for the first read. It must be re-armed
// exactly once per UpdatesMsg, with that message's At.
func Wait(sess Session, last time.Time) tea.Cmd {
	if last.IsZero() {
		return func() tea.Msg { return read(sess) }
	}
	due := last.Add(frameInterval)
	return func() tea.Msg {
		// At most one frame, whatever the clocks say: last may come from
		// a test's fixed clock or a clock that jumped.
		if d := min(time.Until(due), frameInterval); d > 0 {
			time.Sleep(d)
		}
		return read(sess)
	}
}

// read blocks for the next update and takes whatever else is already
// queued, until it holds MaxBatch events.
func read(sess Session) tea.Msg {
	first, ok := <-sess.Updates()
	if !ok {
		return EndedMsg{}
	}
	ups := []client.Update{first}
	n := weight(first)
	for n < MaxBatch {
		select {
		case u, ok := <-sess.Updates():
			if !ok {
				return UpdatesMsg{Updates: ups, At: time.Now()}
			}
			ups = append(ups, u)
			n += weight(u)
		default:
			return UpdatesMsg{Updates: ups, At: time.Now()}
		}
	}
	return UpdatesMsg{Updates: ups, At: time.Now()}
}

// weight is what an update counts towards MaxBatch.
func weight(u client.Update) int { return max(1, len(u.Events)) }

// Retry asks the session to skip its wait and dial now.
func Retry(sess Session) tea.Cmd {
	return func() tea.Msg {
		sess.Retry()
		return nil
	}
}
