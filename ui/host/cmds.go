package host

import (
	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// sentMsg says whether a command reached the session's send queue.
type sentMsg struct {
	op  int
	err error
}

// sendCmd queues a command on the session; Send never blocks.
func sendCmd(sess live.Session, op int, typ protocol.Type, data any) tea.Cmd {
	return func() tea.Msg { return sentMsg{op: op, err: sess.Send(typ, data)} }
}
