package viewer

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestHelpFitsAfterResize: with the full help open, a change of width
// changes the help's height, and the chat is sized for the new one.
func TestHelpFitsAfterResize(t *testing.T) {
	h := joined(t, 80, 24)
	h.Press("?")
	h.Send(tea.WindowSizeMsg{Width: 39, Height: 23})
	h.Fits()
}
