package chat_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/theme"
)

func selectable(t *testing.T, w, h int, lines ...show.Line) chat.Model {
	t.Helper()
	m := chat.New(theme.New(true), 0, chat.Selectable())
	m.SetSize(w, h)
	for _, l := range lines {
		m.Add(l)
	}
	return m
}

func selectedID(m chat.Model) string {
	l, _ := m.Selected()
	return l.ID
}

// Without the option nothing can be selected: the viewer scrolls instead.
func TestSelectionIsAnOption(t *testing.T) {
	m := newPane(t, 0, 40, 5)
	m.Add(line(1, "hi"))
	m.SelectNewest()
	m.Move(-1)
	if _, ok := m.Selected(); ok {
		t.Error("a pane without Selectable has a selection")
	}
}

func TestSelectionSkipsLivecartsOwnLines(t *testing.T) {
	m := selectable(t, 40, 8, line(1, "one"), line(2, "two"))
	m.AddSystem("offline · reset")
	m.Add(line(3, "three"))
	m.AddSystem("you were offline")
	m.SelectNewest()
	if got := selectedID(m); got != "c3" {
		t.Fatalf("newest selected %q, want c3 (the newest chat line)", got)
	}
	m.Move(-1)
	if got := selectedID(m); got != "c2" {
		t.Errorf("up from c3 selected %q, want c2", got)
	}
	m.Move(-5)
	if got := selectedID(m); got != "c1" {
		t.Errorf("far up selected %q, want c1", got)
	}
	m.ClearSelection()
	if _, ok := m.Selected(); ok {
		t.Error("a cleared selection still selects")
	}
}

// A selected line that is removed passes the selection to the next line,
// or to the one before when it was the newest.
func TestRemovedSelectionMovesOn(t *testing.T) {
	m := selectable(t, 40, 8, line(1, "one"), line(2, "two"), line(3, "three"))
	m.SelectNewest()
	m.Move(-1)
	m.Remove("c2")
	if got := selectedID(m); got != "c3" {
		t.Errorf("after removing the selected c2, %q is selected, want c3", got)
	}
	m.Remove("c3")
	if got := selectedID(m); got != "c1" {
		t.Errorf("after removing the newest, %q is selected, want c1", got)
	}
	m.Remove("c1")
	if _, ok := m.Selected(); ok || m.Has("c1") {
		t.Error("an empty pane keeps a selection")
	}
}

// With an older line selected the view holds still: new lines wait below
// a marker that counts them, until the selection is cleared.
func TestSelectionHoldsTheView(t *testing.T) {
	m := selectable(t, 40, 4, line(1, "one"), line(2, "two"), line(3, "three"), line(4, "four"))
	m.SelectNewest()
	m.Move(-1)
	m.Add(line(5, "five"))
	m.Add(line(6, "six"))
	got := rows(m)
	if !strings.HasPrefix(strings.TrimSpace(got[3]), "↓ 2 newer") || slices.ContainsFunc(got, func(r string) bool { return strings.Contains(r, "five") }) {
		t.Errorf("held view = %q, want the selection in place and 2 newer below", got)
	}
	if !strings.Contains(got[1], "▌ user0: three") {
		t.Errorf("the selected line is not marked: %q", got)
	}
	checkSize(t, m, 40, 4)
	m.ClearSelection()
	if got := rows(m); !strings.Contains(got[3], "user0: six") {
		t.Errorf("cleared, the view is %q, want the newest line at the bottom", got)
	}
}

// A selection on the newest line follows the chat: each new line shows
// and is selected in turn, livecart's own lines show without taking the
// selection, and moving back down to the newest line follows again.
func TestSelectionOnTheNewestFollows(t *testing.T) {
	m := selectable(t, 40, 4, line(1, "one"), line(2, "two"), line(3, "three"))
	m.SelectNewest()
	m.Add(line(4, "four"))
	m.AddSystem("you were offline")
	got := rows(m)
	if selectedID(m) != "c4" || !strings.Contains(got[2], "▌ user1: four") || !strings.Contains(got[3], "you were offline") {
		t.Errorf("selected %s, view %q: want c4 selected and the newest lines shown", selectedID(m), got)
	}
	m.Move(-1)
	m.Add(line(5, "five"))
	if selectedID(m) != "c3" || strings.Contains(strings.Join(rows(m), "\n"), "five") {
		t.Errorf("an older line selected: %s selected, view %q; want c3 held", selectedID(m), rows(m))
	}
	m.Move(2)
	m.Add(line(6, "six"))
	if got := rows(m); selectedID(m) != "c6" || !strings.Contains(got[3], "▌ user0: six") {
		t.Errorf("back at the newest: %s selected, view %q; want c6 at the bottom", selectedID(m), got)
	}
	checkSize(t, m, 40, 4)
}

// After a reconnect the pane takes the snapshot's recent chat: lines it
// no longer holds were deleted meanwhile, lines it lacks are added.
func TestReconcile(t *testing.T) {
	m := newPane(t, 0, 40, 8)
	for i := 1; i <= 4; i++ {
		m.Add(line(i, fmt.Sprintf("hi %d", i)))
	}
	m.AddSystem("offline")
	m.Reconcile([]show.Line{line(2, "hi 2"), line(4, "hi 4"), line(5, "new")})
	if !m.Has("c1") || m.Has("c3") || !m.Has("c5") {
		t.Errorf("after reconciling: c1 %v (older than the snapshot: kept), c3 %v (deleted), c5 %v (new)",
			m.Has("c1"), m.Has("c3"), m.Has("c5"))
	}
	if v := ansi.Strip(m.View()); strings.Count(v, "hi 4") != 1 {
		t.Errorf("a line held was added again:\n%s", v)
	}
}

// A new palette restyles the lines already held, not only later ones.
func TestRestyleKeepsEveryLine(t *testing.T) {
	dark, light := theme.New(true), theme.New(false)
	m := chat.New(dark, 0)
	m.SetSize(40, 4)
	m.Add(line(1, "hi"))
	before := m.View()
	m.SetStyles(light)
	fresh := chat.New(light, 0)
	fresh.SetSize(40, 4)
	fresh.Add(line(1, "hi"))
	if got := m.View(); got != fresh.View() || got == before {
		t.Errorf("restyled pane draws %q, a fresh light one %q", got, fresh.View())
	}
}
