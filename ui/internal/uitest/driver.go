package uitest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// Driver holds a screen's model and feeds it messages the way the program
// does, one at a time, running the commands it returns: a program loop
// without the program, so a test asserts on state between any two steps.
type Driver[M tea.Model] struct {
	T   *testing.T
	M   M
	Now time.Time // stamped on the updates it delivers

	check func(M) // the screen's own checks, after every Update
	w, h  int     // the window's size, as last sent
}

// NewDriver drives m in a window of w by h cells; check, when not nil,
// runs after every Update.
func NewDriver[M tea.Model](t *testing.T, m M, w, h int, check func(M)) *Driver[M] {
	d := &Driver[M]{T: t, M: m, Now: T0, check: check}
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// EachSize runs f as a subtest named WxH for each window size, in cells:
// {width, height}.
func EachSize(t *testing.T, sizes [][2]int, f func(t *testing.T, width, height int)) {
	t.Helper()
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) { f(t, sz[0], sz[1]) })
	}
}

// Update calls m.Update and asserts the model's type.
func Update[M tea.Model](t testing.TB, m M, msg tea.Msg) (M, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	nm, ok := next.(M)
	if !ok {
		t.Fatalf("Update returned %T, want %T", next, m)
	}
	return nm, cmd
}

// Send passes one message through Update and returns its command, not run.
func (d *Driver[M]) Send(msg tea.Msg) tea.Cmd {
	d.T.Helper()
	if size, ok := msg.(tea.WindowSizeMsg); ok {
		d.w, d.h = size.Width, size.Height
	}
	var cmd tea.Cmd
	d.M, cmd = Update(d.T, d.M, msg)
	if d.check != nil {
		d.check(d.M)
	}
	return cmd
}

// Settle runs cmd, feeds every message it yields back into the model and
// runs the commands those return, until nothing is left. The bridge's
// reads are collected, not run.
func (d *Driver[M]) Settle(cmd tea.Cmd) Ran {
	d.T.Helper()
	var all Ran
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 200 {
			d.T.Fatal("settle: the model keeps producing commands")
		}
		r := Run(d.T, queue[0])
		queue = queue[1:]
		all.add(r)
		for _, msg := range r.Msgs {
			if !IsQuit(msg) {
				queue = append(queue, d.Send(msg))
			}
		}
	}
	return all
}

// Start runs Init, as the program would.
func (d *Driver[M]) Start() Ran {
	d.T.Helper()
	return d.Settle(d.M.Init())
}

// Join runs Init and delivers a first connection with a snapshot of w at
// seq, and returns what the snapshot ran.
func (d *Driver[M]) Join(w protocol.Welcome, seq uint64) Ran {
	d.T.Helper()
	d.Start()
	return d.Updates(Connecting(1), Snapshot(w, seq, false))
}

// Press sends key presses, named as key.Binding names them, and returns
// what they asked for, not run.
func (d *Driver[M]) Press(keys ...string) tea.Cmd {
	d.T.Helper()
	var cmds []tea.Cmd
	for _, k := range keys {
		cmds = append(cmds, d.Send(KeyPress(d.T, k)))
	}
	return tea.Batch(cmds...)
}

// PressSettle presses keys and runs what each returns through the model.
func (d *Driver[M]) PressSettle(keys ...string) Ran {
	d.T.Helper()
	var all Ran
	for _, k := range keys {
		all.add(d.Settle(d.Send(KeyPress(d.T, k))))
	}
	return all
}

// TypeText types s into the focused input, one key per rune.
func (d *Driver[M]) TypeText(s string) {
	d.T.Helper()
	for _, r := range s {
		d.Settle(d.Send(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
}

// Updates delivers updates in one message, as the bridge would, stamped
// with Now, and runs what they return.
func (d *Driver[M]) Updates(ups ...client.Update) Ran {
	d.T.Helper()
	return d.Settle(d.Send(live.UpdatesMsg{Updates: ups, At: d.Now}))
}

// Events delivers show events in one update, as the session would.
func (d *Driver[M]) Events(envs ...protocol.Envelope) Ran {
	d.T.Helper()
	return d.Updates(EventsUpdate(envs...))
}

// Fits fails unless the screen fills the window exactly (CheckScreen).
func (d *Driver[M]) Fits() {
	d.T.Helper()
	CheckScreen(d.T, d.M.View().Content, d.w, d.h)
}

// FitsEverySize resizes the screen through StormSizes, in that order, and
// fails at the first frame taller or wider than the screen it is drawn for.
func (d *Driver[M]) FitsEverySize() {
	d.T.Helper()
	for _, sz := range StormSizes() {
		d.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		if err := Fits(d.M.View().Content, sz[0], sz[1]); err != nil {
			d.T.Fatalf("at %dx%d: %v:\n%s", sz[0], sz[1], err, d.View())
		}
	}
}

// Golden compares the screen with testdata/name.golden (see Golden) and
// returns it without colour.
func (d *Driver[M]) Golden(name string) string {
	d.T.Helper()
	return Golden(d.T, name, d.M.View().Content, d.w, d.h)
}

// View is the screen, without colour.
func (d *Driver[M]) View() string {
	d.T.Helper()
	return ansi.Strip(d.M.View().Content)
}

// MustShow fails unless the screen shows every part.
func (d *Driver[M]) MustShow(parts ...string) {
	d.T.Helper()
	v := d.View()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			d.T.Errorf("View lacks %q:\n%s", p, v)
		}
	}
}

// MustNotShow fails if the screen shows any part.
func (d *Driver[M]) MustNotShow(parts ...string) {
	d.T.Helper()
	v := d.View()
	for _, p := range parts {
		if strings.Contains(v, p) {
			d.T.Errorf("View shows %q:\n%s", p, v)
		}
	}
}
