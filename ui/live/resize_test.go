package live

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// recordTick is a tick that records what was scheduled instead of waiting.
type recordTick struct{ fns []func(time.Time) tea.Msg }

func (r *recordTick) tick(_ time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
	r.fns = append(r.fns, f)
	return func() tea.Msg { return f(time.Time{}) }
}

// unpack runs cmd and the commands of the sequence it yields, in order.
func unpack(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	msg := cmd()
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return []tea.Msg{msg}
	}
	if _, batch := msg.(tea.BatchMsg); batch {
		t.Fatal("a batch, whose order is not kept: want a sequence")
	}
	var out []tea.Msg
	for i := range v.Len() {
		out = append(out, unpack(t, v.Index(i).Interface().(tea.Cmd))...)
	}
	return out
}

func TestResizeRepaintsOnceSettled(t *testing.T) {
	var r Resize
	tk := &recordTick{}
	for range 3 {
		if r.Resized(tk.tick) == nil {
			t.Fatal("a resize scheduled no timer")
		}
	}
	if len(tk.fns) != 3 {
		t.Fatalf("%d timers for 3 resizes", len(tk.fns))
	}
	for i, f := range tk.fns[:2] {
		if cmd := r.Settled(f(time.Time{}).(SettledMsg)); cmd != nil {
			t.Errorf("the timer of resize %d, not the newest, repaints", i+1)
		}
	}
	msgs := unpack(t, r.Settled(tk.fns[2](time.Time{}).(SettledMsg)))
	if len(msgs) != 2 {
		t.Fatalf("the newest timer gives %v, want the margins reset then a clear", msgs)
	}
	if raw, ok := msgs[0].(tea.RawMsg); !ok || raw.Msg != "\x1b[;r" {
		t.Errorf("first %#v, want the margins reset to the whole screen", msgs[0])
	}
	if reflect.TypeOf(msgs[1]) != reflect.TypeOf(tea.ClearScreen()) {
		t.Errorf("then %#v, want a clear screen", msgs[1])
	}
}

// The tests below run a real tea.Program, its output kept, to show what
// the renderer writes around a resize.

// output is the program's output, kept for the test to read.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits for the output from offset on to contain want, and returns
// the offset just past it.
func (o *output) waitFor(t *testing.T, from int, want, what string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := o.String()
		if i := strings.Index(s[from:], want); i >= 0 {
			return from + i + len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s (%q) in the output after offset %d:\n%q", what, want, from, s[from:])
		}
		time.Sleep(5 * time.Millisecond) // poll interval, not a synchronisation
	}
}

// lineMsg adds a line to the list.
type lineMsg struct{}

// list is a full-screen program: a header, a list of lines drawn from the
// bottom up, and a footer; a line arriving moves the list up, which the
// renderer does by scrolling the rows between header and footer.
type list struct {
	width, height int
	lines         int
	resize        *Resize // nil: no repaint once a resize settles
}

func (l list) Init() tea.Cmd { return nil }

func (l list) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		l.width, l.height = msg.Width, msg.Height
		if l.resize != nil {
			return l, l.resize.Resized(tea.Tick)
		}
	case SettledMsg:
		if l.resize != nil {
			return l, l.resize.Settled(msg)
		}
	case lineMsg:
		l.lines++
	}
	return l, nil
}

func (l list) View() tea.View {
	rows := make([]string, max(3, l.height))
	rows[0] = "HEADER"
	body := rows[1 : len(rows)-1]
	for i := range body {
		if n := l.lines - (len(body) - 1 - i); n > 0 {
			body[i] = fmt.Sprintf("line %d", n)
		}
	}
	rows[len(rows)-1] = fmt.Sprintf("FOOTER %d", l.height)
	v := tea.NewView(strings.Join(rows, "\n"))
	v.AltScreen = true
	return v
}

// runList runs l at 40x10 with its output kept, until the test ends.
func runList(t *testing.T, l list) (*tea.Program, *output) {
	t.Helper()
	out := &output{}
	p := tea.NewProgram(l,
		tea.WithInput(nil),
		tea.WithOutput(out),
		tea.WithWindowSize(40, 10),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}),
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := p.Run(); err != nil {
			t.Errorf("program: %v", err)
		}
	}()
	t.Cleanup(func() {
		p.Quit()
		<-done
	})
	return p, out
}

// TestRendererLeavesMarginsShort shows, from the bytes, what corrupts the
// screen after a resize storm in tmux. The renderer scrolls part of the
// screen inside scrolling margins and then sets them back to the height it
// knows (ESC[1;10r), not to the whole screen (ESC[;r); and a resize redraws
// the screen without setting them again. tmux resizes its screen before
// the program is told, so a line that arrives in between leaves margins of
// the old height on the new screen, and the redraw keeps them: later
// scrolls then move the wrong rows.
//
// Should this test fail, the renderer now leaves the terminal's margins
// right on its own, and Resize may no longer be needed.
func TestRendererLeavesMarginsShort(t *testing.T) {
	p, out := runList(t, list{lines: 3})
	at := out.waitFor(t, 0, "FOOTER 10", "the first frame")

	p.Send(lineMsg{})
	at = out.waitFor(t, at, "line 4", "the list moved up")
	scroll := out.String()[:at]
	if !strings.Contains(scroll, ansi.SetTopBottomMargins(1, 10)) {
		t.Errorf("the scroll did not set the margins back to the 10 rows the renderer knows: %q", scroll)
	}

	p.Send(tea.WindowSizeMsg{Width: 40, Height: 14})
	end := out.waitFor(t, at, "FOOTER 14", "the frame at 14 rows")
	redraw := out.String()[at:end]
	if !strings.Contains(redraw, ansi.EraseEntireScreen) {
		t.Errorf("the frame at the new size is not drawn from a clear screen: %q", redraw)
	}
	for _, reset := range []string{"\x1b[r", "\x1b[;r", ansi.SetTopBottomMargins(1, 14)} {
		if strings.Contains(redraw, reset) {
			t.Errorf("the renderer now resets the margins (%q) when the size changes: %q", reset, redraw)
		}
	}
}

// TestRepaintResetsMargins runs the same program with Resize: once the
// size has held, the margins are reset to the whole screen and then the
// screen is cleared and drawn again.
func TestRepaintResetsMargins(t *testing.T) {
	p, out := runList(t, list{lines: 3, resize: &Resize{}})
	at := out.waitFor(t, 0, "FOOTER 10", "the first frame")

	p.Send(tea.WindowSizeMsg{Width: 40, Height: 14})
	at = out.waitFor(t, at, "FOOTER 14", "the frame at 14 rows")
	at = out.waitFor(t, at, resetMargins, "the margins reset once the size held")
	at = out.waitFor(t, at, ansi.EraseEntireScreen, "a clear after the reset")
	out.waitFor(t, at, "FOOTER 14", "the screen drawn again")
}
