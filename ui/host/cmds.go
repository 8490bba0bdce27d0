package host

import (
	"time"

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

// slowAnswer is how long a command waits for its answer before the status
// line says it is still sending: most are answered sooner, and a word that
// flashes on every command is noise.
const slowAnswer = 300 * time.Millisecond

// slowMsg says that command op has waited slowAnswer. The op's ID is its
// generation: once the command is answered the message finds nothing.
type slowMsg struct{ op int }

// slowAfter schedules the slowMsg for op.
func slowAfter(tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd, op int) tea.Cmd {
	return tick(slowAnswer, func(time.Time) tea.Msg { return slowMsg{op: op} })
}
