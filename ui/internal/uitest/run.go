package uitest

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Ran is what running a command produced.
type Ran struct {
	Msgs  []tea.Msg
	Waits []tea.Cmd // the bridge's reads (live.Wait), armed but not run
}

func (r *Ran) add(o Ran) {
	r.Msgs = append(r.Msgs, o.Msgs...)
	r.Waits = append(r.Waits, o.Waits...)
}

// Count is how many messages match.
func (r Ran) Count(match func(tea.Msg) bool) int {
	n := 0
	for _, m := range r.Msgs {
		if match(m) {
			n++
		}
	}
	return n
}

// Has reports whether a message matches.
func (r Ran) Has(match func(tea.Msg) bool) bool { return r.Count(match) > 0 }

// IsQuit matches tea.QuitMsg.
func IsQuit(m tea.Msg) bool { _, ok := m.(tea.QuitMsg); return ok }

// Wait runs the single bridge read in r, as the program would.
func (r Ran) Wait(t testing.TB) tea.Msg {
	t.Helper()
	if len(r.Waits) != 1 {
		t.Fatalf("%d waits armed, want 1", len(r.Waits))
	}
	return r.Waits[0]()
}

var cmdType = reflect.TypeFor[tea.Cmd]()

// funcName names the function behind a command.
func funcName(cmd tea.Cmd) string {
	return runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
}

// Run executes cmd and every command in the batches and sequences it
// yields, and returns the messages. Commands that wait are not run: the
// spinner's and the cursor's (they sleep) and the bridge's read (it
// blocks on the session), which is returned in Waits for the test to run
// when it has queued an update. A batch promises no order, so its commands
// run last first: a test cannot pass by relying on one. A sequence runs in
// order.
func Run(t testing.TB, cmd tea.Cmd) Ran {
	t.Helper()
	var out Ran
	if cmd == nil {
		return out
	}
	// Closure names depend on inlining ("live.(*Core).receive.Wait.
	// func2"), so they are matched on a part that stays.
	name := funcName(cmd)
	switch {
	case strings.Contains(name, "live.Wait.func"), strings.Contains(name, ".Wait.func"):
		out.Waits = append(out.Waits, cmd)
		return out
	case strings.HasPrefix(name, "charm.land/bubbles/v2/"):
		// The spinner's tick and the cursor's blink: timers, never run.
		return out
	case strings.HasPrefix(name, "github.com/livecart/livecart/ui/"),
		strings.HasPrefix(name, "charm.land/bubbletea/v2."):
	default:
		// Anything else might block: say so rather than hang.
		t.Fatalf("run: unknown command %s", name)
	}
	msg := cmd()
	if msg == nil {
		return out
	}
	// tea.BatchMsg, and tea's unexported sequenceMsg: both are []tea.Cmd.
	if cmds, ok := Cmds(msg); ok {
		_, batch := msg.(tea.BatchMsg)
		for i := range cmds {
			j := i
			if batch {
				j = len(cmds) - 1 - i
			}
			out.add(Run(t, cmds[j]))
		}
		return out
	}
	out.Msgs = append(out.Msgs, msg)
	return out
}

// Cmds unpacks a tea.BatchMsg or tea's unexported sequenceMsg: both are
// []tea.Cmd.
func Cmds(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}

// KeyPress builds the key press whose String() is name.
func KeyPress(t testing.TB, name string) tea.KeyPressMsg {
	t.Helper()
	var k tea.KeyPressMsg
	switch name {
	case "enter":
		k = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		k = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		k = tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		k = tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		k = tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		k = tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgup":
		k = tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "end":
		k = tea.KeyPressMsg{Code: tea.KeyEnd}
	case "space":
		k = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c":
		k = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	default:
		r := []rune(name)
		if len(r) != 1 {
			t.Fatalf("KeyPress: no key named %q", name)
		}
		k = tea.KeyPressMsg{Code: r[0], Text: name}
	}
	if k.String() != name {
		t.Fatalf("KeyPress(%q).String() = %q", name, k.String())
	}
	return k
}
