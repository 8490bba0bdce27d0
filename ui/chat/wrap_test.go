package chat

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/theme"
)

// TestWrapFastPathMatchesLipgloss: a line that fits skips lipgloss.Wrap;
// the rows must be exactly those Wrap would have made, at every width.
func TestWrapFastPathMatchesLipgloss(t *testing.T) {
	texts := []string{
		"lol", "a", "that blue is gorgeous", "🍵🍵🍵 tea time", "@me did you get the green one?",
		"well-made - and cheap", "trailing hyphen-", "日本語のテキストも大丈夫", "e\u0301 combining",
		"x y  z", "word1,word2;word3", "https://example.com/a-b-c?d=e",
	}
	who := []protocol.Identity{
		{ID: "u1", Name: "ana", Role: protocol.RoleViewer},
		{ID: "maya", Name: "Maya", Role: protocol.RoleHost},
		{ID: "u2", Name: "me_too", Role: protocol.RoleViewer},
	}
	m := New(theme.New(true), 0)
	m.SetMention("me")
	for _, text := range texts {
		for _, a := range who {
			styled := m.format(show.Line{ID: "x", Author: a, Text: text})
			for width := 1; width <= 60; width++ {
				got := wrap(styled, width)
				want := strings.Split(lipgloss.Wrap(styled, width, " -"), "\n")
				if len(got) != len(want) {
					t.Fatalf("%q at %d: %d rows, lipgloss %d", styled, width, len(got), len(want))
				}
				for i, w := range want {
					if pad := padRow(w, width); got[i] != pad {
						t.Errorf("%q at %d, row %d = %q (%d cells), lipgloss %q (%d)", styled, width, i, got[i].Text, got[i].Width, pad.Text, pad.Width)
					}
				}
			}
		}
	}
}

// TestStyledPartsFollowThePalette: the pieces styled once are styled again
// when the palette changes, and the names kept stay bounded.
func TestStyledPartsFollowThePalette(t *testing.T) {
	dark, light := theme.New(true), theme.New(false)
	m := New(dark, 0)
	l := show.Line{ID: "x", Author: protocol.Identity{ID: "u1", Name: "ana", Role: protocol.RoleViewer}, Text: "hi"}
	want := dark.Name("u1").Render("ana") + dark.Subtle.Render(":") + " hi"
	if got := m.format(l); got != want {
		t.Fatalf("dark line = %q, want %q", got, want)
	}
	m.SetStyles(light)
	want = light.Name("u1").Render("ana") + light.Subtle.Render(":") + " hi"
	if got := m.format(l); got != want {
		t.Errorf("light line = %q, want %q", got, want)
	}
	for i := range 3 * maxNames {
		l.Author.ID = "u" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		m.format(l)
	}
	if n := len(m.parts.names); n > maxNames {
		t.Errorf("%d styled names kept, more than %d", n, maxNames)
	}
}
