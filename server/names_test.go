package server

import (
	"regexp"
	"testing"

	"github.com/livecart/livecart/protocol"
)

var numbered = regexp.MustCompile(`^viewer-\d{4}$`)

// Names a viewer might pick to pass for the host "Maya" or for the show.
var spoofs = []string{
	"Mаya",                   // Cyrillic а
	"Маyа",                   // Cyrillic М and а
	"MAYA",                   // case
	"M\u200baya",             // zero-width space
	"Maya\u0301",             // combining accent
	"Máyà",                   // precomposed accents
	"Ｍａｙａ",                   // fullwidth
	"𝐌𝐚𝐲𝐚",                   // mathematical bold
	"ⓜⓐⓨⓐ",                   // circled
	"Μαyα",                   // Greek Mu and alpha
	"M a y a",                // spaced out
	"maya 🎙",                 // an emoji
	"~Maya~",                 // punctuation
	"HOST Maya",              // the reserved word
	"Maya (host)",            // in brackets
	"maya_host",              // after an underscore
	"H O S T",                // spaced out
	"Ηοst",                   // Greek Eta and omicron
	"h0st",                   // digit zero
	"LiveCart",               // the show's own name
	"l1vecart support",       // digit one
	"livecart\u200b team",    // invisible character
	"ｈｏｓｔ",                   // fullwidth
	"Maya\u200d\u200d\u200d", // joiners
}

// Names that look like nothing but themselves.
var honest = []string{"Mia", "Ana", "Mayan", "Maria", "ghost rider", "hostess", "Noor", "kofi_m", "Lena B.", "tomás", "milo.jpg", "Chloé"}

func TestSkeleton(t *testing.T) {
	host := skeleton("Maya")
	for _, name := range []string{"Mаya", "MAYA", "Maya\u0301", "Ｍａｙａ", "maya 🎙", "M a y a", "𝐌𝐚𝐲𝐚", "Μαyα", "M-a-y-a"} {
		if got := skeleton(name); got != host {
			t.Errorf("skeleton(%q) = %q, want %q", name, got, host)
		}
	}
	same := [][2]string{
		{"rn", "m"},
		{"vv", "w"},
		{"MIA", "Mia"},
		{"Mla", "Mia"},
		{"M|a", "Mia"},
		{"M1a", "Mia"},
		{"B0B", "bob"},
		{"Нанна", "hahha"},
	}
	for _, p := range same {
		if a, b := skeleton(p[0]), skeleton(p[1]); a != b {
			t.Errorf("skeleton(%q) = %q, skeleton(%q) = %q: want the same", p[0], a, p[1], b)
		}
	}
	for _, p := range [][2]string{{"Mia", "Maya"}, {"Ana", "Anna"}, {"Maya", "Mayan"}} {
		if a, b := skeleton(p[0]), skeleton(p[1]); a == b {
			t.Errorf("skeleton(%q) = skeleton(%q) = %q: want them apart", p[0], p[1], a)
		}
	}
}

func TestSkeletonWords(t *testing.T) {
	cases := map[string]string{
		"HOST Maya":   "host maya",
		"H O S T":     "host",
		"a b cd e f":  "ab cd ef",
		"maya_h0st!":  "maya host",
		"ho\u0301st":  "host",
		"🎙🎙":          "",
		"Ghost-Rider": "ghost rlder",
	}
	for name, want := range cases {
		got := ""
		for i, w := range skeletonWords(name) {
			if i > 0 {
				got += " "
			}
			got += w
		}
		if got != want {
			t.Errorf("skeletonWords(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestViewersCannotPassForTheHost(t *testing.T) {
	_, ts := startServer(t)
	host := dial(t, ts.URL, "anything", testToken)
	if host.welcome.You.Name != "Maya" {
		t.Fatalf("host is called %q", host.welcome.You.Name)
	}
	for _, name := range spoofs {
		you := dial(t, ts.URL, name, "").welcome.You
		if !numbered.MatchString(you.Name) || you.Role != protocol.RoleViewer {
			t.Errorf("asked %q, got %+v: want viewer-NNNN", name, you)
		}
	}
	for _, name := range honest {
		if you := dial(t, ts.URL, name, "").welcome.You; you.Name != name {
			t.Errorf("asked %q, got %q", name, you.Name)
		}
	}
}
