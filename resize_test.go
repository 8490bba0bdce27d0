package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestResizeStorm drags the viewer's terminal through a storm of sizes,
// from 1x1 to 300x100, a hundred of them 1-100 ms apart, ending at 120x40.
// Once it ends the screen must be whole (the header with the connection
// state on the first row, the card's top under it, nothing repeated or
// missing) and stay whole as chat arrives and keys are pressed.
//
// tmux resizes its screen at once but tells the program the new size at
// most every 250 ms, so the viewer keeps drawing for an old size for a
// while. The storm ends on that: a chat line is sent while the viewer
// still thinks the screen is shorter than it is. The show has no
// audience, so the chat moves only when the test says something (and now
// and then the host), and nothing but the viewer itself can put right
// what that line leaves behind.
func TestResizeStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	env := "env HOME=" + home + " XDG_CONFIG_HOME=" + home + "/config XDG_STATE_HOME=" + home + "/state" +
		" LIVECART_CONFIG= LIVECART_NAME= LIVECART_LOG_FILE= TERM=tmux-256color"
	s := startTmux(t, 120, 40, env+" "+bin+" demo --seed 7 --name tester --no-browser --audience 0; sleep 60")
	s.waitFor("the show", contains("connected"))
	s.waitWhole(20*time.Second, "at the start", "PINNED")

	// A few lines of chat, then one typed and ready: it is sent as the
	// storm ends.
	s.keys("Enter")
	for _, line := range []string{"hello", "anyone here?"} {
		s.keys("-l", line)
		s.keys("Enter")
		s.waitFor("the line said", contains("tester: "+line))
	}
	s.keys("-l", "what a storm")
	s.waitFor("the typed line", contains("› what a storm"))

	rng := rand.New(rand.NewPCG(15, 40))
	for _, sz := range [][2]int{{1, 1}, {20, 5}, {300, 100}} {
		s.resize(sz[0], sz[1])
		time.Sleep(time.Duration(1+rng.IntN(100)) * time.Millisecond) // the storm's pace
	}
	for range 100 {
		s.resize(1+rng.IntN(300), 1+rng.IntN(100))
		time.Sleep(time.Duration(1+rng.IntN(100)) * time.Millisecond) // the storm's pace
	}
	// The last steps: 120x30, which tmux passes on within 250 ms of the
	// size before and then waits 250 ms more; 120x35, which it passes on
	// at once as that wait is over; and 120x40, which it holds back for
	// 250 ms. The line is sent once the viewer has drawn at 35 rows, while
	// 40 is held back. Should 40 get through first, the steps are taken
	// again.
	for attempt := 1; ; attempt++ {
		s.resize(120, 30)
		time.Sleep(600 * time.Millisecond) // the storm's pace
		s.resize(120, 35)
		s.resize(120, 40)
		if s.drawnAt(35, 250*time.Millisecond) {
			s.keys("Enter")
			break
		}
		if attempt == 5 {
			t.Fatal("the viewer was never seen drawing at 35 rows while tmux held back 40")
		}
	}

	const settle = 3 * time.Second
	s.waitWhole(settle, "after the storm", "tester: what a storm")
	s.keys("-l", "still whole?")
	s.keys("Enter")
	s.waitWhole(settle, "after a new chat line", "tester: still whole?")
	s.keys("Escape")
	s.waitWhole(settle, "out of the chat input", "› press enter to chat")
	// The cart's line, not the "Added" toast: the host's bot may put its
	// own status (a new deal) over the toast at the same moment.
	s.keys("a")
	s.waitWhole(settle, "after a key press", "Cart · 1 item")
}

func (s *tmuxSession) resize(w, h int) {
	s.t.Helper()
	s.tmux("resize-window", "-t", "lc", "-x", itoa(w), "-y", itoa(h))
}

// drawnAt says whether the viewer is seen, within d, drawing at h rows
// (its help on row h) in a window of more rows.
func (s *tmuxSession) drawnAt(h int, d time.Duration) bool {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		rows := strings.Split(s.screen(), "\n")
		if len(rows) > h && strings.Contains(rows[h-1], "quit") && strings.HasPrefix(rows[h-3], "›") {
			return true
		}
		time.Sleep(5 * time.Millisecond) // poll interval, not a synchronisation
	}
	return false
}

// marginsProblem says whether the terminal's scrolling margins stop short
// of a screen h rows high: what the screen shows now may be right, but the
// next frame that scrolls will not be. Without the margins in its formats
// (tmux before 1.8), tmux tells nothing and neither does this.
func (s *tmuxSession) marginsProblem(h int) error {
	got := strings.TrimSpace(s.tmux("display", "-p", "-t", "lc", "#{scroll_region_upper} #{scroll_region_lower}"))
	if got == "" || got == "0 "+itoa(h-1) {
		return nil
	}
	return fmt.Errorf("the scrolling margins are rows %s (from 0), not the whole screen", got)
}

// waitWhole waits up to d for the viewer's screen at 120x40 to be whole
// and to show want, failing with what is wrong and the screen.
func (s *tmuxSession) waitWhole(d time.Duration, when, want string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := s.screen()
		err := screenProblem(scr, 120, 40)
		if err == nil && !strings.Contains(scr, want) {
			err = fmt.Errorf("no %q on screen", want)
		}
		if err == nil {
			err = s.marginsProblem(40)
		}
		if err == nil {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen is not whole %s: %v; screen:\n%s", when, err, scr)
		}
		time.Sleep(50 * time.Millisecond) // poll interval, not a synchronisation
	}
}

// Side column rows, by the last character of the row: the card's and the
// cart's boxes end at the screen's right edge.
const (
	sideNone   = '.'
	sideTop    = 'T'
	sideMiddle = 'M'
	sideBottom = 'B'
)

// sideOf classes a body row by what the side column draws in it.
func sideOf(row string) byte {
	switch {
	case strings.HasSuffix(row, "╮"):
		return sideTop
	case strings.HasSuffix(row, "│"):
		return sideMiddle
	case strings.HasSuffix(row, "╯"):
		return sideBottom
	}
	return sideNone
}

// chatPart is the chat's share of a body row: the row up to the side
// column's box, if any.
func chatPart(row string) string {
	if i := strings.IndexAny(row, "╭│╰"); i >= 0 {
		row = row[:i]
	}
	return strings.TrimSpace(row)
}

// sidePart is the side column's share of a body row.
func sidePart(row string) string {
	if i := strings.IndexAny(row, "╭│╰"); i >= 0 {
		return row[i:]
	}
	return ""
}

// chatText is the chat pane's text, for telling when a line arrives.
func chatText(scr string) string {
	rows := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	var b strings.Builder
	for _, r := range rows[1:max(1, len(rows)-3)] {
		b.WriteString(chatPart(r))
		b.WriteByte('\n')
	}
	return b.String()
}

// screenProblem says what is wrong with a capture of the viewer's wide
// layout at w by h: the header with the connection state on the first row;
// under it the card's box, then the cart's, down the right side, and
// nothing else there; the chat drawn from the bottom up with no gap; the
// input line and the help at the bottom.
func screenProblem(scr string, w, h int) error {
	rows := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	for len(rows) < h {
		rows = append(rows, "")
	}
	if len(rows) != h {
		return fmt.Errorf("%d rows, want %d", len(rows), h)
	}
	for i := range rows {
		rows[i] = strings.TrimRight(rows[i], " ")
	}
	if !strings.Contains(rows[0], "LIVE") || !strings.Contains(rows[0], "connected") {
		return fmt.Errorf("row 1 is not the header with the connection state: %q", rows[0])
	}
	if !strings.Contains(rows[1], "╭") || !strings.Contains(rows[2], "PINNED") {
		return fmt.Errorf("the card's top is not on rows 2-3: %q, %q", rows[1], rows[2])
	}
	body := rows[1 : h-3]
	var sides strings.Builder
	seen := map[string]int{}
	chatStarted := false
	for i, r := range body {
		side := sideOf(r)
		sides.WriteByte(side)
		if side == sideMiddle {
			// The boxes' borders repeat; what is inside them does not.
			box := sidePart(r)
			if j, dup := seen[box]; dup {
				return fmt.Errorf("rows %d and %d of the side column are the same: %q", j+2, i+2, box)
			}
			seen[box] = i
		}
		if chatPart(r) != "" {
			chatStarted = true
		} else if chatStarted {
			return fmt.Errorf("row %d is a gap in the chat", i+2)
		}
	}
	if !sideShape(sides.String()) {
		return fmt.Errorf("the side column is not a card then a cart (rows from 2: %s)", sides.String())
	}
	if !strings.HasPrefix(rows[h-3], "›") {
		return fmt.Errorf("row %d is not the input line: %q", h-2, rows[h-3])
	}
	if !strings.Contains(rows[h-1], "quit") {
		return fmt.Errorf("row %d is not the help: %q", h, rows[h-1])
	}
	for i, r := range rows {
		if n := len([]rune(r)); n > w {
			return fmt.Errorf("row %d is %d characters, wider than %d", i+1, n, w)
		}
	}
	return nil
}

// sideShape holds for one box and then another (a top, one middle row or
// more, a bottom, each), then nothing.
func sideShape(s string) bool {
	for range 2 {
		var ok bool
		if s, ok = strings.CutPrefix(s, string(sideTop)); !ok {
			return false
		}
		n := len(s)
		s = strings.TrimLeft(s, string(sideMiddle))
		if n == len(s) {
			return false
		}
		if s, ok = strings.CutPrefix(s, string(sideBottom)); !ok {
			return false
		}
	}
	return strings.Trim(s, string(sideNone)) == ""
}
