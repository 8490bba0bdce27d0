package host

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// say delivers a chat line from a viewer.
func (h *harness) say(seq uint64, id, text string) {
	h.T.Helper()
	h.Events(h.env(protocol.TypeChat, seq, protocol.Chat{ID: id, Author: uitest.Dee, Text: text}))
}

func (h *harness) selectedLine() string {
	l, _ := h.M.chat.Selected()
	return l.ID
}

// The chat follows new lines, in either pane, unless the host has picked
// an older line (with the keys or the wheel); end follows again.
func TestChatFollowsNewLines(t *testing.T) {
	h := joined(t, 80, 24)
	h.say(101, "c11", "first new line")
	h.MustShow("first new line")

	// Tab selects the newest line, and the selection follows the chat.
	h.PressSettle("tab")
	h.say(102, "c12", "second new line")
	h.MustShow("second new line")
	h.MustNotShow("newer")
	if got := h.selectedLine(); got != "c12" {
		t.Errorf("selected %s, want the newest line c12", got)
	}

	// An older line holds the view.
	h.PressSettle("up")
	h.say(103, "c13", "third new line")
	h.MustNotShow("third new line")
	h.MustShow("↓ 1 newer · end returns to the newest")
	if got := h.selectedLine(); got != "c11" {
		t.Errorf("selected %s, want c11 still", got)
	}

	// End returns to the newest line and follows again.
	h.PressSettle("end")
	h.say(104, "c14", "fourth new line")
	h.MustShow("third new line", "fourth new line")
	h.MustNotShow("newer")
	if got := h.selectedLine(); got != "c14" {
		t.Errorf("selected %s after end, want c14", got)
	}

	// Scrolling back with the wheel holds it too, and down to the newest
	// follows.
	h.Send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	h.say(105, "c15", "fifth new line")
	h.MustNotShow("fifth new line")
	h.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.say(106, "c16", "sixth new line")
	h.MustShow("fifth new line", "sixth new line")
}

func TestGoldenChatFollowing(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := dashboard(t, width, height)
		h.PressSettle("tab")
		h.say(201, "c11", "is the scarf machine washable?")
		h.say(202, "c12", "just bought two!")
		h.golden(fmt.Sprintf("chat_following_%dx%d", width, height))
	})
}
