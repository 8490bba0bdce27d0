package live_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// A notice stays while toasts come and go; one with the same key takes
// its place; Dismiss takes down the newest.
func TestNoticesStayUntilDismissed(t *testing.T) {
	tk := &uitest.Ticker{}
	c := live.New(live.Options{Theme: "dark", Tick: tk.Tick}, uitest.NewSession())
	c.Stick(live.Notice{Key: "a", Kind: live.StatusError, Text: "first\x1b]0;title\x07 notice"})
	c.Stick(live.Notice{Key: "b", Kind: live.StatusGood, Text: "second"})
	c.Notify(live.StatusInfo, "a toast")
	for _, f := range tk.Fns {
		c.Update(f(time.Time{}), nil, nil)
	}
	if c.Status.Text != "" {
		t.Errorf("the toast outlived its time: %q", c.Status.Text)
	}
	if len(c.Notices) != 2 || c.Notices[0].Text != "first notice" {
		t.Fatalf("notices = %+v, want both, sanitized", c.Notices)
	}
	before := c.Notices
	c.Stick(live.Notice{Key: "a", Kind: live.StatusError, Text: "first, again"})
	if got := []string{c.Notices[0].Text, c.Notices[1].Text}; got[0] != "second" || got[1] != "first, again" {
		t.Errorf("after a notice of the same key: %q, want it to replace the old one, as the newest", got)
	}
	if before[0].Text != "first notice" {
		t.Error("Stick changed a copy's notices")
	}
	if n, ok := c.Notice("b"); !ok || n.Text != "second" {
		t.Errorf("Notice(b) = %+v, %v", n, ok)
	}
	if !c.Dismiss() || len(c.Notices) != 1 || c.Notices[0].Key != "b" {
		t.Errorf("Dismiss left %+v, want the older one", c.Notices)
	}
	c.Unstick("b")
	if c.Dismiss() || len(c.Notices) != 0 {
		t.Errorf("notices left: %+v", c.Notices)
	}
}

// A notice is drawn whole at any width: its words wrap, a word longer
// than a row is broken, and a link is shown in full, each of its rows an
// OSC 8 hyperlink to all of it.
func TestNoticeIsNeverCut(t *testing.T) {
	st := theme.New(true)
	path := "/home/someone/.local/share/livecart/carts/cosy-corner-127-0-0-1.json.damaged-1796619414"
	url := "http://127.0.0.1:7420/cart/mug-blue:2,scarf-red:1?ref=k-c1e43013b7e0dfd3"
	n := live.Notice{Kind: live.StatusError, Text: "Your saved cart was damaged; the file was kept at " + path, Link: url}
	for _, width := range []int{20, 50, 80, 160} {
		raw := n.Render(st, width)
		plain := ansi.Strip(raw)
		for i, row := range strings.Split(plain, "\n") {
			if w := ansi.StringWidth(row); w > width {
				t.Errorf("width %d: row %d is %d cells: %q", width, i, w, row)
			}
		}
		flat := strings.Join(strings.Fields(plain), "")
		for _, want := range []string{"!", "Yoursavedcartwasdamaged", path, url} {
			if !strings.Contains(flat, want) {
				t.Errorf("width %d: %q is not whole in\n%s", width, want, plain)
			}
		}
		rows := strings.Split(raw, "\n")
		linkRows := 0
		for _, r := range rows {
			if strings.Contains(r, "\x1b]8;") {
				linkRows++
				if !strings.Contains(r, ";"+url+"\x07") || !strings.HasSuffix(r, ansi.ResetHyperlink()) {
					t.Errorf("width %d: link row %q is not a hyperlink to the whole link", width, r)
				}
			}
		}
		if want := (len(url) + width - 1) / width; linkRows != want {
			t.Errorf("width %d: %d rows are hyperlinks, want %d", width, linkRows, want)
		}
	}
}

// A screen's own countdown keeps the clock ticking until it ends, and no
// longer.
func TestCountDownTo(t *testing.T) {
	tk := &uitest.Ticker{}
	c := live.New(live.Options{Theme: "dark", Tick: tk.Tick}, uitest.NewSession())
	c.Update(live.UpdatesMsg{At: uitest.T0, Updates: []client.Update{uitest.Snapshot(protocol.Welcome{Version: protocol.Version, Show: protocol.ShowInfo{ID: "cosy", Title: "Cosy"}}, 1, false)}},
		func(u client.Update) tea.Cmd { _, cmd := c.Apply(u); return cmd }, func() {})
	c.CountDownTo(uitest.T0.Add(3 * time.Second))
	if len(tk.Clocks()) != 1 {
		t.Fatalf("%d ticks scheduled, want 1", len(tk.Clocks()))
	}
	c.Update(tk.LastClock(t, uitest.T0.Add(2*time.Second)), nil, nil)
	if len(tk.Clocks()) != 2 {
		t.Fatalf("the clock stopped before the countdown ended")
	}
	c.Update(tk.LastClock(t, uitest.T0.Add(3*time.Second)), nil, nil)
	if len(tk.Clocks()) != 2 {
		t.Errorf("the clock ticks on after the countdown ended")
	}
}

// Words wrap at spaces only: a name with a hyphen stays on one row where
// it fits.
func TestNoticeWrapsAtSpaces(t *testing.T) {
	n := live.Notice{Kind: live.StatusInfo, Text: "The name Maya is taken by the host or looks like it (or like the show's staff); you are viewer-0042 in this show"}
	plain := ansi.Strip(n.Render(theme.New(true), 50))
	if !strings.Contains(plain, "viewer-0042") {
		t.Errorf("a name was broken at its hyphen:\n%s", plain)
	}
	for _, row := range strings.Split(plain, "\n") {
		if strings.HasSuffix(row, " ") || ansi.StringWidth(row) > 50 {
			t.Errorf("row %q", row)
		}
	}
}
