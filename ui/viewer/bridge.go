package viewer

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/ui/link"
)

// frameInterval is the least time between two messages from the bridge: a
// frame at the renderer's 60 frames a second. However fast a chat flood
// arrives, Update and View then run at most once a frame, each time on
// everything that arrived since, instead of once per network frame (the
// session hands over whatever is queued, which in a flood can be a single
// event at a time).
const frameInterval = time.Second / 60

// bridge is the viewer's one bridge from its session into the program:
// link.Wait, paced to a frame.
type bridge struct {
	sess Session
	last time.Time // when the previous message was read; zero: none yet
}

// Wait returns the command that reads the next updates. When the previous
// message is less than a frame old, it first lets the rest of the frame's
// updates gather. It must be re-armed exactly once per link.UpdatesMsg.
func (b bridge) Wait() tea.Cmd {
	wait := link.Wait(b.sess)
	if b.last.IsZero() {
		return wait
	}
	due := b.last.Add(frameInterval)
	return func() tea.Msg {
		// At most one frame, whatever the clocks say: last may come from
		// a test's fixed clock or a clock that jumped.
		if d := min(time.Until(due), frameInterval); d > 0 {
			time.Sleep(d)
		}
		return wait()
	}
}
