package uitest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/ui/live"
)

// Program runs a screen the way live.Run and tea.Program do, against a
// real session: every command in a goroutine of its own, every message
// back through Update one at a time. Messages are handled only while the
// test waits on a condition (Until) or calls Handle, so it can read the
// model between them.
type Program[M live.Screen] struct {
	M    M
	Msgs chan tea.Msg // what the commands returned, not yet handled

	t       *testing.T
	sess    live.Session
	pending sync.WaitGroup // commands still running
}

// Open starts app's session, as live.Run does, and runs its screen's Init.
func Open[M live.Screen](t *testing.T, app live.App) *Program[M] {
	t.Helper()
	s, sess := app.Open(context.Background())
	m, ok := s.(M)
	if !ok {
		sess.Close()
		t.Fatalf("the app built a %T", s)
	}
	p := &Program[M]{M: m, Msgs: make(chan tea.Msg, 4096), t: t, sess: sess}
	p.run(m.Init())
	return p
}

func (p *Program[M]) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	p.pending.Add(1)
	go func() {
		defer p.pending.Done()
		p.Msgs <- cmd()
	}()
}

// runInOrder runs cmds one after the other in one goroutine, as tea runs a
// sequence: each message is queued before the next command starts.
func (p *Program[M]) runInOrder(cmds []tea.Cmd) {
	p.pending.Add(1)
	go func() {
		defer p.pending.Done()
		for _, c := range cmds {
			if c != nil {
				p.Msgs <- c()
			}
		}
	}()
}

// Handle passes one message through Update and runs what it returns.
func (p *Program[M]) Handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			p.run(c)
		}
	default:
		if cmds, ok := Cmds(msg); ok {
			p.runInOrder(cmds)
			return
		}
		next, cmd := p.M.Update(msg)
		p.M = next.(M)
		p.run(cmd)
	}
}

// Key presses a key that types its rune.
func (p *Program[M]) Key(code rune) { p.Handle(tea.KeyPressMsg{Code: code, Text: string(code)}) }

// Enter presses enter.
func (p *Program[M]) Enter() { p.Handle(tea.KeyPressMsg{Code: tea.KeyEnter}) }

// Screen is the screen, without colour.
func (p *Program[M]) Screen() string { return ansi.Strip(p.M.View().Content) }

// Until handles messages until the screen shows want, and returns it. It
// waits on the condition, never on a sleep.
func (p *Program[M]) Until(want string) string {
	p.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if scr := p.Screen(); strings.Contains(scr, want) {
			return scr
		}
		select {
		case msg := <-p.Msgs:
			p.Handle(msg)
		case <-deadline:
			p.t.Fatalf("screen never showed %q:\n%s", want, p.Screen())
		}
	}
}

// Stop closes the screen and the session, as live.Run does, and waits for
// every command still running (the bridge returns once the session's
// updates are closed; saves finish), so nothing outlives the test.
func (p *Program[M]) Stop() {
	p.M.Close()
	p.sess.Close()
	done := make(chan struct{})
	go func() { p.pending.Wait(); close(done) }()
	for {
		select {
		case <-p.Msgs: // the bridge's last message, a spinner's tick
		case <-done:
			return
		}
	}
}
