// Package sanitize makes text from the network safe to draw in a terminal.
// Every string that reaches the screen (chat, names, product fields, error
// messages) goes through Line, so a chat message can never move the cursor,
// retitle the window, write the clipboard or reorder what is around it.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxCombining is how many combining marks may follow one base character.
// Real scripts need one or two; "zalgo" text stacks dozens to paint over the
// lines above and below.
const maxCombining = 2

// Line returns s as a single line of plain, printable text:
//   - escape sequences of every kind (CSI, OSC even when unterminated, DCS,
//     SOS, PM, APC, and two-byte ESC sequences), in their 7-bit and 8-bit
//     (C1) forms, are removed whole;
//   - other C0 and C1 controls and DEL are removed; tabs, newlines and other
//     line breaks become a space;
//   - bidi overrides, isolates and marks, zero-width and other invisible
//     characters are removed;
//   - runs of combining marks are cut to maxCombining;
//   - invalid UTF-8 becomes U+FFFD;
//   - runs of spaces collapse to one, and the ends are trimmed.
func Line(s string) string {
	if isPlain(s) {
		return s
	}
	return line(s, true)
}

// line is Line past its first check. asciiFast takes printable ASCII
// straight through, as the general case would but without its lookups:
// most of any chat line is ASCII even when an emoji makes it not plain.
// The tests run it both ways and compare.
func line(s string, asciiFast bool) string {
	var b strings.Builder
	b.Grow(len(s))
	combining := 0
	space := false // a space is pending, written before the next visible rune
	for i := 0; i < len(s); {
		if c := s[i]; asciiFast && c > ' ' && c < 0x7f {
			writeByte(&b, c, &space)
			combining = 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// A lone byte of 0x80-0x9F is an 8-bit C1 control in terminals
			// that still honour them; treat it like its UTF-8 twin.
			if c := s[i]; c >= 0x80 && c <= 0x9f {
				i += skipC1(s, i+1, rune(c))
				continue
			}
			i++
			writeRune(&b, utf8.RuneError, &space)
			combining = 0
			continue
		}
		switch {
		case r == 0x1b: // ESC
			i += 1 + skipEscape(s, i+1)
			continue
		case r >= 0x80 && r <= 0x9f: // C1 in UTF-8 form
			i += size
			i += skipC1(s, i, r) - 1
			continue
		case isBreak(r):
			space = b.Len() > 0
			combining = 0
		case r < 0x20 || r == 0x7f || invisible(r):
			// dropped
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			if combining < maxCombining && b.Len() > 0 && !space {
				b.WriteRune(r)
				combining++
			}
		case unicode.IsSpace(r):
			space = b.Len() > 0
			combining = 0
		default:
			writeRune(&b, r, &space)
			combining = 0
		}
		i += size
	}
	return b.String()
}

// Truncate cuts s to at most n runes, ending in "…" when it had to cut.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimRightFunc(string(runes[:n-1]), unicode.IsSpace) + "…"
}

func writeByte(b *strings.Builder, c byte, space *bool) {
	if *space {
		b.WriteByte(' ')
		*space = false
	}
	b.WriteByte(c)
}

func writeRune(b *strings.Builder, r rune, space *bool) {
	if *space {
		b.WriteByte(' ')
		*space = false
	}
	b.WriteRune(r)
}

// isPlain reports whether s is printable ASCII with single inner spaces, the
// common case, so Line can return it without copying.
func isPlain(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
		if c == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

func isBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\t', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// invisible reports characters that draw nothing but change how the text
// around them is shown or read: bidi controls, zero-width characters,
// fillers, tags and other format characters.
func invisible(r rune) bool {
	switch {
	case r == 0x00ad, // soft hyphen
		r == 0x034f,              // combining grapheme joiner
		r == 0x061c,              // arabic letter mark
		r == 0x115f, r == 0x1160, // hangul fillers
		r == 0x17b4, r == 0x17b5, // khmer invisible vowels
		r == 0x180e,                  // mongolian vowel separator
		r >= 0x200b && r <= 0x200f,   // zero-width space/joiners, LRM, RLM
		r >= 0x202a && r <= 0x202e,   // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x206f,   // word joiner, invisible operators, isolates
		r == 0x3164,                  // hangul filler
		r >= 0xfe00 && r <= 0xfe0f,   // variation selectors
		r == 0xfeff,                  // BOM / zero-width no-break space
		r == 0xffa0,                  // halfwidth hangul filler
		r >= 0xfff0 && r <= 0xfffb,   // specials, interlinear annotation
		r >= 0x1d173 && r <= 0x1d17a, // musical format characters
		r >= 0xe0000 && r <= 0xe0fff: // tags and variation selectors supplement
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r)
}

// skipEscape returns how many bytes after an ESC belong to its sequence.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	switch s[i] {
	case '[': // CSI
		return 1 + skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: until ST or BEL
		return 1 + skipString(s, i+1)
	}
	// Intermediate bytes then one final byte (e.g. ESC ( B, ESC 7, ESC c).
	n := 0
	for i+n < len(s) && s[i+n] >= 0x20 && s[i+n] <= 0x2f {
		n++
	}
	if i+n < len(s) && s[i+n] >= 0x30 && s[i+n] <= 0x7e {
		n++
	}
	return n
}

// skipC1 returns how many bytes from i belong to a sequence introduced by the
// C1 control c (already consumed), counting the control's own byte as 1 so
// callers can add it to their index.
func skipC1(s string, i int, c rune) int {
	switch c {
	case 0x9b: // CSI
		return 1 + skipCSI(s, i)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return 1 + skipString(s, i)
	}
	return 1
}

// skipCSI skips parameter and intermediate bytes and the final byte. A
// sequence cut short by the end of the string is dropped whole.
func skipCSI(s string, i int) int {
	n := 0
	for i+n < len(s) {
		c := s[i+n]
		n++
		if c >= 0x40 && c <= 0x7e {
			return n
		}
		if c < 0x20 || c >= 0x7f {
			// Not part of a CSI: stop before it so it is judged on its own.
			return n - 1
		}
	}
	return n
}

// skipString skips a control string up to and including its terminator: BEL,
// ESC \, or the 8-bit ST (0x9c in either encoding). An unterminated string
// runs to the end of s: a terminal would swallow the rest too.
func skipString(s string, i int) int {
	for j := i; j < len(s); j++ {
		switch s[j] {
		case 0x07:
			return j - i + 1
		case 0x1b:
			if j+1 < len(s) && s[j+1] == '\\' {
				return j - i + 2
			}
			return j - i // a new ESC ends the string; judge it on its own
		case 0x9c:
			return j - i + 1
		case 0xc2:
			if j+1 < len(s) && s[j+1] == 0x9c {
				return j - i + 2
			}
		}
	}
	return len(s) - i
}
