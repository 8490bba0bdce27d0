package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/live"
)

// metricsGrace is how many metrics events (one a second) after a command
// was sent it counts as done when nothing else answered it. The server
// answers commands in order and only failures get a reply of their own, so
// a command no error came back for by then went through; some (a timeout,
// a ban) show nowhere else.
const metricsGrace = 2

// op is a command sent to the server and not yet answered. The status line
// shows "sending…" while one has waited longer than slowAnswer.
type op struct {
	id   int
	what string // for the status line, already sanitized
	typ  protocol.Type
	key  string // what the answering event names: a product, a chat line
	// product: a product event for key answers it.
	product bool
	// done, when set, says whether a metrics event shows the command
	// took effect (the up-next list, the blocked words).
	done func(protocol.Metrics) bool
	// list is the whole list a queue or blocked-words command asks for.
	list []string
	// names are IDs the command carries that the host knows by other
	// words (a viewer's name, what a line said), in pairs: ID, words.
	names []string
	sent  bool // the session took it
	at    int  // metricsSeen when the session took it
	slow  bool // it has waited slowAnswer
}

// do sends a command and tracks it until the server answers.
func (m *Model) do(o op, data any) tea.Cmd {
	if m.Session() == nil || m.Link.State != live.Up {
		return m.Notify(live.StatusError, "Not sent: "+o.what+" · not connected to the show")
	}
	m.nextOp++
	o.id = m.nextOp
	m.ops = append(m.ops, o)
	// An older answer would read as this command's: the line stays empty
	// until this one is answered, saying "sending…" if that takes long.
	m.ClearStatus()
	return tea.Batch(sendCmd(m.Session(), o.id, o.typ, data), slowAfter(m.opts.Tick, o.id))
}

// send is do for handlers that return the model: the command is taken
// before the model is returned, as Go leaves the order of the two open.
func (m Model) send(o op, data any) (Model, tea.Cmd) {
	cmd := m.do(o, data)
	return m, cmd
}

// notify is Notify for handlers that return the model.
func (m Model) notify(kind live.StatusKind, text string) (Model, tea.Cmd) {
	cmd := m.Notify(kind, text)
	return m, cmd
}

// handleSent notes that the session took a command, or reports that it
// could not.
func (m Model) handleSent(msg sentMsg) (Model, tea.Cmd) {
	i := m.opIndex(msg.op)
	if i < 0 {
		return m, nil // already answered
	}
	if msg.err != nil {
		what := m.ops[i].what
		m.ops = append(m.ops[:i:i], m.ops[i+1:]...)
		why := live.Reason(msg.err)
		if errors.Is(msg.err, client.ErrOffline) {
			why = "not connected to the show"
		}
		return m.notify(live.StatusError, "Not sent: "+what+" · "+why)
	}
	m.ops[i].sent, m.ops[i].at = true, m.metricsSeen
	return m, nil
}

func (m Model) opIndex(id int) int {
	for i, o := range m.ops {
		if o.id == id {
			return i
		}
	}
	return -1
}

// confirm answers the oldest sent command the event shows went through.
// The server handles a connection's commands in order and says only when
// one fails, so every command sent before it went through too.
func (m *Model) confirm(match func(op) bool) tea.Cmd {
	for i, o := range m.ops {
		if o.sent && match(o) {
			m.answered(i)
			return m.Notify(live.StatusGood, "✓ "+o.what)
		}
	}
	return nil
}

// answered drops the sent commands up to and including index i.
func (m *Model) answered(i int) {
	kept := m.ops[:0:0]
	for j, o := range m.ops {
		if j > i || !o.sent {
			kept = append(kept, o)
		}
	}
	m.ops = kept
}

// refused reports an error from the server. Errors come back in the order
// the commands were sent, and successes are not acknowledged, so it belongs
// to the oldest command still waiting.
func (m *Model) refused(e protocol.Error) tea.Cmd {
	msg := e.Message
	if msg == "" {
		msg = e.Code
	}
	label := errorLabel(e.Code)
	for i, o := range m.ops {
		if o.sent {
			m.ops = append(m.ops[:i:i], m.ops[i+1:]...)
			// The command's name, which the server puts first, is said
			// better by what.
			msg = m.inWords(strings.TrimPrefix(msg, string(o.typ)+": "), o.names)
			return m.Notify(live.StatusError, fmt.Sprintf("✗ %s: %s (%s)", o.what, msg, label))
		}
	}
	return m.Notify(live.StatusError, fmt.Sprintf("Server: %s (%s)", m.inWords(msg, nil), label))
}

// inWords puts the names the host knows in place of the IDs a server's
// message quotes: a product's name for "mug", the product's and the
// variant's for "mug-blue", and those of names (pairs: ID, words).
func (m Model) inWords(msg string, names []string) string {
	// The auction's and the giveaway's IDs, quoted or not: the server
	// writes "auction e1-a3 is still running".
	var formats []string
	if a := m.Show.Auction; a != nil {
		name := m.itemName(a.ProductID, a.VariantID)
		formats = append(formats, strconv.Quote(a.ID), name, a.ID, name)
	}
	if g := m.Show.Giveaway; g != nil {
		name := m.itemName(g.ProductID, g.VariantID)
		formats = append(formats, strconv.Quote(g.ID), name, g.ID, name)
	}
	if len(formats) > 0 {
		msg = strings.NewReplacer(formats...).Replace(msg)
	}
	if !strings.Contains(msg, `"`) {
		return msg
	}
	var pairs []string
	for i := 0; i+1 < len(names); i += 2 {
		pairs = append(pairs, strconv.Quote(names[i]), names[i+1])
	}
	for _, p := range m.Show.Catalog() {
		pairs = append(pairs, strconv.Quote(p.ID), p.Name)
		for _, v := range p.Variants {
			pairs = append(pairs, strconv.Quote(v.ID), p.Name+" ("+v.Name+")")
		}
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// errorLabel says an error code in words.
func errorLabel(code string) string {
	switch code {
	case protocol.ErrCodeForbidden:
		return "forbidden"
	case protocol.ErrCodeNotFound:
		return "not found"
	case protocol.ErrCodeRateLimited:
		return "rate limited: slow down"
	case protocol.ErrCodeBadRequest:
		return "bad request"
	case protocol.ErrCodeOutOfStock:
		return "out of stock"
	case protocol.ErrCodeUnknownType:
		return "not supported by this server"
	case protocol.ErrCodeLimit:
		return "limit reached"
	case protocol.ErrCodeInternal:
		return "server error: try again"
	}
	return sanitize.Line(code)
}

// confirmByMetrics answers the commands a metrics event shows went
// through, and those that have waited long enough with no error.
func (m *Model) confirmByMetrics() tea.Cmd {
	last := -1
	for i, o := range m.ops {
		if o.sent && (o.done != nil && o.done(m.metrics) || m.metricsSeen-o.at >= metricsGrace) {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	what := m.ops[last].what
	m.answered(last)
	return m.Notify(live.StatusGood, "✓ "+what)
}

// failOps forgets every unanswered command.
func (m *Model) failOps() { m.ops = nil }

// slowOps is how many commands have waited longer than slowAnswer, and
// the newest of them.
func (m Model) slowOps() (n int, newest op) {
	for _, o := range m.ops {
		if o.slow {
			n, newest = n+1, o
		}
	}
	return n, newest
}

// pendingText is what the status line says about commands that are slow to
// be answered; nothing about those answered in a blink.
func (m Model) pendingText() string {
	n, o := m.slowOps()
	if n == 0 {
		return ""
	}
	s := "sending " + o.what + "…"
	if n > 1 {
		s += fmt.Sprintf(" (+%d)", n-1)
	}
	return s
}
