package viewer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
)

// A chat line the show refuses (slow mode, a blocked word, a timeout) is
// answered with an error event that does not say which command it answers.
// The viewer keeps the lines it has sent until each comes back in the
// chat, and takes a refusal of the kind a line gets as the answer to the
// newest of them: errors come back at once, while accepted lines wait for
// the show's next batch, so the newest is the one still unanswered.

// sentLine is a chat line sent and not yet back in the chat.
type sentLine struct {
	text string    // as the show echoes it
	prev time.Time // nextLine before it was sent, for when it is refused
}

// maxInFlight bounds the lines kept waiting for their echo; one the show
// dropped without a word would otherwise stay for good.
const maxInFlight = 8

// chatRefusal reports whether an error is of a kind the show refuses a
// chat line with: too fast (slow mode), a blocked word, a timeout.
func chatRefusal(e protocol.Error) bool {
	switch e.Code {
	case protocol.ErrCodeRateLimited, protocol.ErrCodeBadRequest, protocol.ErrCodeForbidden:
		return true
	}
	return false
}

// sendLine sends the line in the input, or keeps it there while slow mode
// says the next line must wait: sent now, it would only be refused.
func (m Model) sendLine() (Model, tea.Cmd) {
	text := strings.TrimSpace(m.input.Value())
	if text == "" {
		return m, nil
	}
	if secs := m.slowSecs(); secs > 0 {
		return m.notify(live.StatusInfo, "Slow mode: your line waits in the input")
	}
	m.input.Reset()
	m.chat.GotoBottom()
	if m.Link.State != live.Up {
		return m.queue(text)
	}
	wait := m.noteSent(text)
	return m, tea.Batch(say(m.Session(), text), wait)
}

// noteSent keeps a line as in flight and, in slow mode, starts the wait
// for the next one.
func (m *Model) noteSent(text string) tea.Cmd {
	line := sentLine{text: sanitize.Truncate(sanitize.Line(text), protocol.MaxChatRunes), prev: m.nextLine}
	m.inFlight = append(slices.Clone(m.inFlight), line)
	if len(m.inFlight) > maxInFlight {
		m.inFlight = m.inFlight[len(m.inFlight)-maxInFlight:]
	}
	return m.startSlowWait()
}

// startSlowWait starts the wait for the next line from the show's time
// now, when slow mode is on.
func (m *Model) startSlowWait() tea.Cmd {
	if m.Show.SlowMode <= 0 {
		return nil
	}
	m.nextLine = m.ServerNow().Add(time.Duration(m.Show.SlowMode) * time.Second)
	return m.CountDownTo(m.nextLine)
}

// ownLine notes that a line of this viewer's is in the chat: no longer in
// flight, and in slow mode the wait for the next is counted from its
// stamp, which is the show's own clock.
func (m *Model) ownLine(l show.Line) tea.Cmd {
	if l.Author.ID != m.Show.You.ID {
		return nil
	}
	if i := slices.IndexFunc(m.inFlight, func(s sentLine) bool { return s.text == l.Text }); i >= 0 {
		m.inFlight = slices.Delete(slices.Clone(m.inFlight), i, i+1)
	}
	return m.startSlowWait()
}

// lineRefused takes a refusal as the answer to the newest line in flight:
// the line goes back into the input to be edited and sent again. ok is
// false when the error is not a chat line's.
func (m *Model) lineRefused(e protocol.Error) (cmd tea.Cmd, ok bool) {
	if !chatRefusal(e) || len(m.inFlight) == 0 {
		return nil, false
	}
	line := m.inFlight[len(m.inFlight)-1]
	m.inFlight = slices.Clone(m.inFlight[:len(m.inFlight)-1])
	m.nextLine = line.prev
	var wait tea.Cmd
	if e.Code == protocol.ErrCodeRateLimited && m.Show.SlowMode > 0 && m.slowSecs() == 0 {
		// The show counts from a line this screen did not see go (sent
		// before a reconnect): wait the whole interval.
		wait = m.startSlowWait()
	}
	what := "Not sent: "
	if m.input.Value() == "" {
		m.input.SetValue(line.text)
		m.input.CursorEnd()
		what = "Not sent, back in the input: "
	} else {
		m.chat.AddSystem("not sent: " + line.text)
	}
	return tea.Batch(wait, m.Notify(live.StatusError, what+serverText(e))), true
}

// slowSecs is the whole seconds until slow mode lets the next line go; 0
// when it may go now.
func (m Model) slowSecs() int {
	if m.Show.SlowMode <= 0 {
		return 0
	}
	return live.Countdown(m.ServerNow(), m.nextLine)
}

// waitText says a wait of secs seconds: "7s", or "1:30" from a minute.
func waitText(secs int) string {
	if secs < 60 {
		return fmt.Sprintf("%ds", secs)
	}
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}

// inputView is the chat input as drawn now: while slow mode makes the
// next line wait, it says for how long, in the placeholder or, over a line
// kept there, in the prompt.
func (m Model) inputView() string {
	switch m.mode {
	case modeMaxBid:
		return m.maxInput.View()
	case modeGift:
		return m.pickerView()
	}
	secs := m.slowSecs()
	in := m.input
	if secs == 0 {
		if m.Show.SlowMode > 0 && in.Value() == "" && lipgloss.Width(in.Placeholder) > in.Width() {
			// Too narrow for the whole placeholder: the rule is the part
			// that must not be cut.
			in.Placeholder = slowModeRule(m.Show.SlowMode)
		}
		return in.View()
	}
	wait := "slow mode · next line in " + waitText(secs)
	if in.Value() == "" {
		in.Placeholder = wait
		return in.View()
	}
	in.Prompt = wait + " › "
	in.SetWidth(max(1, m.Width-2-lipgloss.Width(in.Prompt)))
	return in.View()
}
