package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain", "love this mug", "love this mug"},
		{"empty", "", ""},
		{"unicode kept", "café ☕ 日本", "café ☕ 日本"},
		{"csi colour", "\x1b[31mred\x1b[0m", "red"},
		{"csi cursor move", "a\x1b[2J\x1b[Hb", "ab"},
		{"csi cut short", "hi\x1b[31", "hi"},
		{"osc title bel", "\x1b]0;pwned\x07ok", "ok"},
		{"osc clipboard st", "\x1b]52;c;ZXZpbA==\x1b\\ok", "ok"},
		{"osc unterminated", "ok\x1b]8;;http://evil", "ok"},
		{"dcs", "\x1bPq#0;2;0;0;0\x1b\\ok", "ok"},
		{"apc", "\x1b_Gf=100;AAAA\x1b\\ok", "ok"},
		{"two-byte esc", "\x1bcreset\x1b7x", "resetx"},
		{"c1 csi utf8", "a\u009b31mb", "ab"},
		{"c1 osc utf8", "a\u009d0;t\u009cb", "ab"},
		{"c1 csi raw byte", "a\x9b31mb", "ab"},
		{"c0 controls", "a\x00b\x07c\x08d\x7fe", "abcde"},
		{"newlines", "one\ntwo\r\nthree", "one two three"},
		{"tabs and runs of space", "  a \t\t b  ", "a b"},
		{"bidi override", "abc\u202edcba\u202c", "abcdcba"},
		{"bidi isolate", "\u2067x\u2069", "x"},
		{"zero width", "ho\u200bst", "host"},
		{"bom and word joiner", "\ufeffa\u2060b", "ab"},
		{"hangul filler name", "\u3164", ""},
		{"tags", "a\U000E0041\U000E0042b", "ab"},
		{"zalgo", "e\u0301\u0302\u0303\u0304\u0305", "e\u0301\u0302"},
		{"leading combining", "\u0301a", "a"},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
		{"line separator", "a\u2028b", "a b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.in); got != c.want {
				t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("hello world", 5); got != "hell…" {
		t.Errorf("got %q", got)
	}
	if got := Truncate("hi", 5); got != "hi" {
		t.Errorf("got %q", got)
	}
	if got := Truncate("日本語テキスト", 3); got != "日本…" {
		t.Errorf("got %q", got)
	}
	if got := Truncate("abc", 0); got != "" {
		t.Errorf("got %q", got)
	}
}

// checkSafe is the property every output of Line must have: valid UTF-8,
// one line, nothing a terminal would act on, nothing invisible that changes
// how its neighbours are drawn.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Line(%q) = %q: invalid UTF-8", in, out)
	}
	if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
		t.Fatalf("Line(%q) = %q: untrimmed or doubled space", in, out)
	}
	combining := 0
	for _, r := range out {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			t.Fatalf("Line(%q) = %q: control %U", in, out, r)
		}
		if invisible(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("Line(%q) = %q: invisible %U", in, out, r)
		}
		if r != ' ' && unicode.IsSpace(r) {
			t.Fatalf("Line(%q) = %q: space %U", in, out, r)
		}
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			combining++
			if combining > maxCombining {
				t.Fatalf("Line(%q) = %q: %d combining marks in a row", in, out, combining)
			}
		} else {
			combining = 0
		}
	}
	if again := Line(out); again != out {
		t.Fatalf("Line is not idempotent: %q -> %q -> %q", in, out, again)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{
		"hello", "\x1b[31mred", "\x1b]0;t\x07", "\x1b]52;c;AAAA", "\x1bP\x1b\\",
		"\u009b2J", "\x9b2J", "\u202eabc", "e\u0301\u0301\u0301", "a\nb", "\xff\xfe",
		"\x1b[\u00e9", "\u200b\u200d", "\U000E0001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafe(t, s, Line(s))
		if fast, slow := line(s, true), line(s, false); fast != slow {
			t.Errorf("line(%q) = %q with the ASCII fast path, %q without", s, fast, slow)
		}
	})
}

// TestASCIIFastPathSameResult: taking printable ASCII straight through
// changes nothing, next to every kind of character Line treats specially.
func TestASCIIFastPathSameResult(t *testing.T) {
	var specials []string
	for r := rune(0); r < 0x3000; r++ {
		specials = append(specials, string(r))
	}
	specials = append(specials, "\x1b[31m", "\x1b]0;t\x07", "\x9b", "\xff", "\u202e", "\u0301\u0301\u0301", "🍵", "\U000E0041")
	for _, sp := range specials {
		for _, s := range []string{sp, "a" + sp, sp + "b", "a " + sp + " b", "x" + sp + sp + "y", "  " + sp + "z  "} {
			if fast, slow := line(s, true), line(s, false); fast != slow {
				t.Errorf("line(%q) = %q with the ASCII fast path, %q without", s, fast, slow)
			}
		}
	}
}
