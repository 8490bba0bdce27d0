package theme

import "testing"

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
