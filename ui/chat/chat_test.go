package chat_test

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/theme"
)

func line(i int, text string) show.Line {
	return show.Line{
		ID:     fmt.Sprintf("c%d", i),
		Author: protocol.Identity{ID: fmt.Sprintf("u%d", i%3), Name: fmt.Sprintf("user%d", i%3), Role: protocol.RoleViewer},
		Text:   text,
	}
}

func newPane(t *testing.T, scrollback, w, h int) chat.Model {
	t.Helper()
	m := chat.New(theme.New(true), scrollback)
	m.SetSize(w, h)
	return m
}

// rows returns the pane's plain rows.
func rows(m chat.Model) []string {
	return strings.Split(ansi.Strip(m.View()), "\n")
}

// checkSize fails unless the pane fills exactly w by h cells.
func checkSize(t *testing.T, m chat.Model, w, h int) {
	t.Helper()
	v := m.View()
	if got := lipgloss.Height(v); got != h {
		t.Errorf("View is %d rows, want %d:\n%s", got, h, ansi.Strip(v))
	}
	// Exactly w: a parent joining the pane with a column beside it relies
	// on every row being as wide as the pane.
	for i, r := range strings.Split(v, "\n") {
		if lipgloss.Width(r) != w {
			t.Errorf("row %d is %d cells, want %d: %q", i, lipgloss.Width(r), w, ansi.Strip(r))
		}
	}
}

func TestWrapsAtWidth(t *testing.T) {
	const w, h = 24, 10
	m := newPane(t, 0, w, h)
	text := "the quick brown fox jumps over the lazy dog and keeps on running"
	m.Add(line(0, text))
	checkSize(t, m, w, h)

	var got []string
	for _, r := range rows(m) {
		if r = strings.TrimSpace(r); r != "" {
			got = append(got, r)
		}
	}
	if len(got) < 3 {
		t.Fatalf("a %d-cell line at width %d took %d rows: %q", len(text)+7, w, len(got), got)
	}
	if !strings.HasPrefix(got[0], "user0: the") {
		t.Errorf("first row = %q", got[0])
	}
	// Every word arrives, none cut in half.
	if joined := strings.Join(got, " "); !strings.Contains(joined, text) {
		t.Errorf("wrapped rows %q lost part of %q", got, text)
	}

	// A narrower pane rewraps what it already holds.
	m.SetSize(12, h)
	checkSize(t, m, 12, h)
	if n := len(strings.Fields(strings.Join(rows(m), "\n"))); n != len(strings.Fields("user0: "+text)) {
		t.Errorf("after rewrap %d words are visible", n)
	}
}

func TestScrollbackCapped(t *testing.T) {
	const capacity = 8
	m := newPane(t, capacity, 40, 30)
	for i := range 2 * capacity {
		m.Add(line(i, fmt.Sprintf("message %02d", i)))
	}
	if m.Len() != capacity {
		t.Fatalf("Len = %d after %d lines, want the capacity %d", m.Len(), 2*capacity, capacity)
	}
	v := ansi.Strip(m.View())
	for i := range 2 * capacity {
		kept := strings.Contains(v, fmt.Sprintf("message %02d", i))
		if want := i >= capacity; kept != want {
			t.Errorf("message %02d visible = %v, want %v", i, kept, want)
		}
	}
	checkSize(t, m, 40, 30)

	// The default applies when no size is given.
	if d := chat.New(theme.New(true), 0); d.Len() != 0 {
		t.Errorf("new pane holds %d lines", d.Len())
	}
}

func TestScrolledBackHoldsStill(t *testing.T) {
	const w, h = 30, 6
	m := newPane(t, 0, w, h)
	for i := range 20 {
		m.Add(line(i, fmt.Sprintf("message %02d", i)))
	}
	m.ScrollUp(4)
	if m.Following() {
		t.Fatal("still following after ScrollUp")
	}
	before := rows(m)
	if !strings.Contains(before[h-1], "scrolled back") {
		t.Errorf("indicator row = %q", before[h-1])
	}

	m.Add(line(20, "a new one"))
	after := rows(m)
	if strings.Join(after[:h-1], "\n") != strings.Join(before[:h-1], "\n") {
		t.Errorf("rows moved under the reader:\nbefore %q\nafter  %q", before, after)
	}
	if !strings.Contains(after[h-1], "1 new message ") {
		t.Errorf("indicator = %q, want 1 new message", after[h-1])
	}
	// A line that wraps to several rows holds the view just as still.
	m.Add(line(21, strings.Repeat("long words here ", 6)))
	again := rows(m)
	if strings.Join(again[:h-1], "\n") != strings.Join(before[:h-1], "\n") {
		t.Errorf("a wrapped line moved the rows:\nbefore %q\nafter  %q", before, again)
	}
	if !strings.Contains(again[h-1], "2 new messages") {
		t.Errorf("indicator = %q, want 2 new messages", again[h-1])
	}
	checkSize(t, m, w, h)

	m.GotoBottom()
	if !m.Following() {
		t.Error("not following after GotoBottom")
	}
	m.Add(line(22, "newest"))
	bottom := rows(m)
	if got := bottom[h-1]; !strings.Contains(got, "newest") {
		t.Errorf("last row after GotoBottom = %q, want the newest line", got)
	}
	if v := strings.Join(bottom, "\n"); strings.Contains(v, "new message") || strings.Contains(v, "scrolled back") {
		t.Errorf("indicator still shown at the bottom:\n%s", v)
	}
}

func TestScrollDownResumesFollowing(t *testing.T) {
	m := newPane(t, 0, 30, 5)
	for i := range 10 {
		m.Add(line(i, fmt.Sprintf("message %02d", i)))
	}
	m.ScrollUp(2)
	m.Add(line(10, "while away"))
	m.ScrollDown(1)
	if m.Following() {
		t.Fatal("following after scrolling down only part of the way")
	}
	m.ScrollDown(100)
	if !m.Following() {
		t.Fatal("not following after scrolling down to the bottom")
	}
	if r := rows(m); !strings.Contains(r[len(r)-1], "while away") {
		t.Errorf("last row = %q", r[len(r)-1])
	}
}

func TestScrollUpStopsAtOldest(t *testing.T) {
	const h = 5
	m := newPane(t, 0, 30, h)
	for i := range 10 {
		m.Add(line(i, fmt.Sprintf("message %02d", i)))
	}
	m.ScrollUp(1000)
	r := rows(m)
	if !strings.Contains(r[0], "message 00") {
		t.Errorf("top row at the top of the scrollback = %q, want the oldest line", r[0])
	}
	checkSize(t, m, 30, h)
	if m.PageSize() != h-1 {
		t.Errorf("PageSize = %d", m.PageSize())
	}
}

func TestViewHeight(t *testing.T) {
	sizes := []struct{ w, h int }{{20, 1}, {20, 2}, {40, 7}, {80, 20}}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := newPane(t, 16, sz.w, sz.h)
			checkSize(t, m, sz.w, sz.h) // empty
			m.AddSystem("connected")
			checkSize(t, m, sz.w, sz.h) // one line
			for i := range 40 {
				m.Add(line(i, strings.Repeat("wrap me ", i%5+1)))
				checkSize(t, m, sz.w, sz.h)
			}
			m.ScrollUp(3)
			checkSize(t, m, sz.w, sz.h) // scrolled, with the indicator
			m.ScrollUp(1000)
			checkSize(t, m, sz.w, sz.h)
		})
	}
}

func TestHostAndSystemLines(t *testing.T) {
	m := newPane(t, 0, 60, 4)
	m.Add(show.Line{ID: "h", Author: protocol.Identity{ID: "maya", Name: "Maya", Role: protocol.RoleHost}, Text: "welcome in"})
	m.AddSystem("reconnected")
	r := rows(m)
	if got := strings.TrimSpace(r[2]); got != "HOST  Maya: welcome in" {
		t.Errorf("host row = %q", got)
	}
	if got := strings.TrimSpace(r[3]); got != "— reconnected —" {
		t.Errorf("system row = %q", got)
	}
}

func TestHasFollowsScrollback(t *testing.T) {
	m := newPane(t, 3, 40, 5)
	if m.Has("") || m.Has("c0") {
		t.Fatal("an empty pane holds lines")
	}
	m.Add(line(0, "zero"))
	m.Add(line(1, "one"))
	m.Add(line(0, "zero again")) // the same ID twice
	m.AddSystem("a system line has no ID")
	// The ring holds c1, c0 (again) and the system line: the first c0 left,
	// the second keeps the ID held.
	if !m.Has("c0") || !m.Has("c1") {
		t.Errorf("Has(c0)=%v Has(c1)=%v, want both held", m.Has("c0"), m.Has("c1"))
	}
	if m.Has("") {
		t.Error("Has(\"\") is true: system lines must not count")
	}
	m.Add(line(2, "two"))
	m.Add(line(3, "three"))
	if m.Has("c0") || m.Has("c1") {
		t.Errorf("evicted IDs still held: c0=%v c1=%v", m.Has("c0"), m.Has("c1"))
	}
	if !m.Has("c2") || !m.Has("c3") || m.Len() != 3 {
		t.Errorf("Has(c2)=%v Has(c3)=%v Len=%d", m.Has("c2"), m.Has("c3"), m.Len())
	}
}

func TestSystemLinesSanitized(t *testing.T) {
	m := newPane(t, 0, 60, 3)
	m.AddSystem("waiting to send: hi\x1b]0;pwn\x07 \x1b[2Jthere\u202e\nnext")
	v := m.View()
	for _, bad := range []string{"]0;pwn", "\x07", "[2J", "\u202e", "\x1b]"} {
		if strings.Contains(v, bad) {
			t.Errorf("View holds %q: %q", bad, v)
		}
	}
	if got := strings.TrimSpace(rows(m)[2]); got != "— waiting to send: hi there next —" {
		t.Errorf("system row = %q", got)
	}
}

// A line the screen draws itself is drawn in the pane's palette, again
// when it changes, wraps like any other, and cannot be selected.
func TestStyledLines(t *testing.T) {
	m := chat.New(theme.New(true), 0, chat.Selectable())
	m.SetSize(20, 4)
	var drawnDark []bool
	m.AddStyled(func(s *theme.Styles) string {
		drawnDark = append(drawnDark, s.IsDark)
		return s.Deal.Render("★ ana sent a rose, thank you")
	})
	m.SetStyles(theme.New(false))
	if fmt.Sprint(drawnDark) != "[true false]" {
		t.Errorf("drawn with dark palettes %v, want once in each", drawnDark)
	}
	got := strings.Join(rows(m), "|")
	if !strings.Contains(got, "★ ana sent a rose,") || !strings.Contains(got, "thank you") {
		t.Errorf("rows %q lack the wrapped line", got)
	}
	m.SelectNewest()
	if l, ok := m.Selected(); ok {
		t.Errorf("selected %+v, a line the screen drew", l)
	}
}
