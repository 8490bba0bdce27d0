package uitest

import (
	"sync"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// Session is a live.Session the test feeds: updates it pushes, and a
// record of everything the screen asks of it.
type Session struct {
	updates chan client.Update

	mu      sync.Mutex
	sent    []Sent
	sendErr error
	retries int
	closes  int
	once    sync.Once
}

var _ live.Session = (*Session)(nil)

// Sent is a command the screen sent.
type Sent struct {
	Type protocol.Type
	Data any
}

// NewSession returns a session with room for more than one bridge
// message's worth of updates.
func NewSession() *Session {
	return &Session{updates: make(chan client.Update, 2*live.MaxBatch)}
}

// Push queues updates for the bridge to read.
func (s *Session) Push(ups ...client.Update) {
	for _, u := range ups {
		s.updates <- u
	}
}

// Updates is the stream the bridge reads.
func (s *Session) Updates() <-chan client.Update { return s.updates }

// Send records the command and fails with the error set by FailSends.
func (s *Session) Send(typ protocol.Type, data any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, Sent{typ, data})
	return s.sendErr
}

// Retry counts.
func (s *Session) Retry() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retries++
}

// Close counts, and closes the updates once, as the real session does when
// it ends.
func (s *Session) Close() {
	s.mu.Lock()
	s.closes++
	s.mu.Unlock()
	s.once.Do(func() { close(s.updates) })
}

// FailSends makes every Send from now on return err (nil: succeed).
func (s *Session) FailSends(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sendErr = err
}

// Sent returns the commands sent so far.
func (s *Session) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Forget clears the record of what was sent.
func (s *Session) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = nil
}

// Retries is how many times Retry was called.
func (s *Session) Retries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.retries
}

// Closes is how many times Close was called.
func (s *Session) Closes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closes
}

// Says returns the chat lines sent so far, in order.
func (s *Session) Says() []string {
	var out []string
	for _, c := range s.Sent() {
		if c.Type == protocol.TypeSay {
			out = append(out, c.Data.(protocol.Say).Text)
		}
	}
	return out
}
