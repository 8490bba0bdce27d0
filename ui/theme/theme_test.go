package theme

import (
	"image/color"
	"math"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestThemeSetting(t *testing.T) {
	cases := []struct {
		setting       string
		follows, dark bool
	}{
		{"", true, true},
		{"auto", true, true},
		{"dark", false, true},
		{"light", false, false},
	}
	for _, c := range cases {
		if got := FollowsTerminal(c.setting); got != c.follows {
			t.Errorf("FollowsTerminal(%q) = %v", c.setting, got)
		}
		if got := StartsDark(c.setting); got != c.dark {
			t.Errorf("StartsDark(%q) = %v", c.setting, got)
		}
	}
}

func TestNameColourIsStable(t *testing.T) {
	s := New(true)
	if s.Name("u-ana").Render("x") != s.Name("u-ana").Render("x") {
		t.Fatal("the same author got two colours")
	}
	seen := map[string]bool{}
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		seen[s.Name(id).Render("x")] = true
	}
	if len(seen) < 3 {
		t.Fatalf("ten authors share %d colours", len(seen))
	}
}

// TestHelpContrast holds the help line and the subtle text to WCAG AA
// (4.5:1) against typical backgrounds: black and a dark grey for the dark
// palette, white and an off-white for the light one.
func TestHelpContrast(t *testing.T) {
	const aa = 4.5
	for _, c := range []struct {
		dark bool
		bgs  []string
	}{
		{true, []string{"#000000", "#1E1E1E"}},
		{false, []string{"#FFFFFF", "#F5F5F5"}},
	} {
		s := New(c.dark)
		styles := map[string]lipgloss.Style{
			"help key": s.Help.ShortKey, "help description": s.Help.ShortDesc, "help separator": s.Help.ShortSeparator,
			"help ellipsis": s.Help.Ellipsis, "full help key": s.Help.FullKey, "full help description": s.Help.FullDesc,
			"full help separator": s.Help.FullSeparator, "subtle": s.Subtle,
		}
		for name, st := range styles {
			fg := st.GetForeground()
			if _, none := fg.(lipgloss.NoColor); none || fg == nil {
				t.Errorf("dark=%v: %s has no colour of its own", c.dark, name)
				continue
			}
			for _, bg := range c.bgs {
				if r := contrast(fg, lipgloss.Color(bg)); r < aa {
					t.Errorf("dark=%v: %s on %s has contrast %.2f:1, want at least %.1f:1", c.dark, name, bg, r, aa)
				}
			}
		}
	}
}

func TestContrastFormula(t *testing.T) {
	if r := contrast(lipgloss.Color("#000000"), lipgloss.Color("#FFFFFF")); math.Abs(r-21) > 0.01 {
		t.Errorf("black on white = %.2f, want 21", r)
	}
	// The bubbles help default on a dark background, known to fail.
	if r := contrast(lipgloss.Color("#626262"), lipgloss.Color("#000000")); math.Abs(r-3.44) > 0.01 {
		t.Errorf("#626262 on black = %.2f, want 3.44", r)
	}
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is WCAG 2's relative luminance of an sRGB colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
