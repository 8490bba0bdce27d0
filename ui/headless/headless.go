// Package headless runs the viewer in a real bubbletea program with no
// terminal: no input, its output sent to a writer the caller counts, a
// fixed window size and a true-colour profile, so the renderer does the
// work it would do in a real terminal. Load tools (bench/tuistorm) start
// it, feed its session and read its counters; the program itself, the
// only part that needs bubbletea, stays in ui/.
package headless

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/viewer"
)

// Counters are what the program has done so far, read while it runs.
type Counters struct {
	Applied   atomic.Uint64 // show events the viewer applied
	ChatLines atomic.Int64  // lines its chat pane holds
	Updates   atomic.Int64  // messages through Update
	Views     atomic.Int64  // View calls
}

// Options say what to run and how.
type Options struct {
	Width, Height int
	Output        io.Writer // what the renderer writes; the caller counts it
	Viewer        viewer.Options
	Session       live.Session // the viewer's session, the caller's to close
	// LiveSeq is the seq of the welcome snapshot: Live is closed once the
	// viewer has applied it.
	LiveSeq uint64
	// Bare runs a program that draws one static screen instead of the
	// viewer: what an idle program costs before the viewer does anything.
	Bare bool
}

// Program is a running headless program.
type Program struct {
	Counters Counters

	p        *tea.Program
	live     chan struct{}
	liveOnce sync.Once
	done     chan struct{}
	final    tea.Model
	err      error
	stopOnce sync.Once
}

// Start runs the program in the background.
func Start(o Options) *Program {
	p := &Program{live: make(chan struct{}), done: make(chan struct{})}
	var model tea.Model = probe{m: viewer.New(o.Viewer, o.Session), p: p, liveSeq: o.LiveSeq}
	if o.Bare {
		row := strings.Repeat("x", o.Width)
		model = bare{p: p, screen: strings.Repeat(row+"\n", o.Height-1) + row}
	}
	p.p = tea.NewProgram(model,
		tea.WithInput(nil),
		tea.WithOutput(o.Output),
		tea.WithWindowSize(o.Width, o.Height),
		// A terminal that takes true colour, as the viewer's users have:
		// with no terminal the renderer would otherwise drop the colours.
		tea.WithEnvironment([]string{"TERM=xterm-256color", "COLORTERM=truecolor", "CLICOLOR_FORCE=1"}),
	)
	go func() {
		defer close(p.done)
		p.final, p.err = p.p.Run()
	}()
	return p
}

// Live is closed once the show is on screen: the snapshot applied.
func (p *Program) Live() <-chan struct{} { return p.live }

// Done is closed when the program has ended; Err then says why.
func (p *Program) Done() <-chan struct{} { return p.done }

// Err is why the program ended; call it after Done is closed.
func (p *Program) Err() error { return p.err }

// SendEvents hands show events to the program as a message of their own,
// not through the viewer's bridge: how a naive app would take each event.
func (p *Program) SendEvents(envs []protocol.Envelope) {
	p.p.Send(naiveMsg{Updates: []client.Update{{Kind: client.UpdateEvents, Events: envs}}, At: time.Now()})
}

// Stop ends the program, if it is still running, and releases the
// viewer's cart. It returns the program's error, if it failed rather than
// being stopped.
func (p *Program) Stop() error {
	p.stopOnce.Do(func() {
		p.p.Quit()
		<-p.done
		if fm, ok := p.final.(probe); ok {
			fm.m.Close()
		}
	})
	if p.err != nil && !errors.Is(p.err, tea.ErrProgramKilled) {
		return fmt.Errorf("program: %w", p.err)
	}
	return nil
}

// naiveMsg is one event as its own program message.
type naiveMsg live.UpdatesMsg

// probe is the real viewer, counted. It adds nothing to what the viewer
// does but for naive messages, where it stands in for a bridge that is not
// there: events arrive by Program.Send, so the bridge command the viewer
// arms after each message is dropped (the only command a chat or pin
// event returns) instead of being left to block on the session.
type probe struct {
	m       viewer.Model
	p       *Program
	liveSeq uint64
}

func (pr probe) Init() tea.Cmd { return pr.m.Init() }

func (pr probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var next tea.Model
	var cmd tea.Cmd
	if nm, ok := msg.(naiveMsg); ok {
		next, _ = pr.m.Update(live.UpdatesMsg(nm))
	} else {
		next, cmd = pr.m.Update(msg)
	}
	pr.m = next.(viewer.Model)
	st := pr.m.Stats()
	c := &pr.p.Counters
	c.Applied.Store(st.Applied)
	c.ChatLines.Store(int64(st.ChatLines))
	c.Updates.Add(1)
	if st.Seq >= pr.liveSeq {
		pr.p.liveOnce.Do(func() { close(pr.p.live) })
	}
	return pr, cmd
}

func (pr probe) View() tea.View {
	pr.p.Counters.Views.Add(1)
	return pr.m.View()
}

// bare is a program that draws one static screen.
type bare struct {
	p      *Program
	screen string
}

func (b bare) Init() tea.Cmd { return nil }

func (b bare) Update(tea.Msg) (tea.Model, tea.Cmd) {
	b.p.liveOnce.Do(func() { close(b.p.live) })
	return b, nil
}

func (b bare) View() tea.View {
	v := tea.NewView(b.screen)
	v.AltScreen = true
	return v
}
