package viewer

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/ui/theme"
)

// TestBlocksDrawWhatLipglossDraws: the joins over measured blocks give the
// bytes lipgloss gives for the same strings, with ragged heights, wide
// characters, styles and tabs.
func TestBlocksDrawWhatLipglossDraws(t *testing.T) {
	s := theme.New(true)
	parts := []string{
		"",
		" ",
		"plain",
		s.Accent.Render("styled") + " and 🍵 wide\nsecond row 日本",
		"a\tb\nccc\n\n" + s.Subtle.Render("dd"),
		s.Card.Width(20).Render("a card\nwith rows"),
		strings.Repeat("x", 150),
	}
	app := lineStyleOf(s.App)
	if !app.ok {
		t.Fatal("the App style is not colours only")
	}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				want := lipgloss.JoinHorizontal(lipgloss.Top, a, b, c)
				if got := compose(lineStyle{}, besides(newBlock(a), newBlock(b), newBlock(c))); got != want {
					t.Errorf("besides(%q, %q, %q) =\n%q\nJoinHorizontal:\n%q", a, b, c, got, want)
				}
				want = s.App.Render(lipgloss.JoinVertical(lipgloss.Left, a, b, c))
				if got := compose(app, newBlock(a), newBlock(b), newBlock(c)); got != want {
					t.Errorf("compose(%q, %q, %q) =\n%q\nApp.Render(JoinVertical):\n%q", a, b, c, got, want)
				}
				joined := a + "\n" + b + "\n" + c
				for _, h := range []int{1, 3, 20} {
					want = lipgloss.NewStyle().MaxHeight(h).Render(joined)
					if got := compose(lineStyle{}, stack(newBlock(a), newBlock(b), newBlock(c)).cut(h)); got != want {
						t.Errorf("stack(%q, %q, %q).cut(%d) =\n%q\nMaxHeight:\n%q", a, b, c, h, got, want)
					}
				}
			}
		}
	}
}

func TestLineStyleRefusesLayout(t *testing.T) {
	for _, st := range []lipgloss.Style{
		lipgloss.NewStyle().Width(10),
		lipgloss.NewStyle().Padding(0, 1),
		lipgloss.NewStyle().MarginLeft(2),
		lipgloss.NewStyle().Border(lipgloss.NormalBorder()),
	} {
		if lineStyleOf(st).ok {
			t.Errorf("%v: taken for a colour-only style", st)
		}
	}
}
