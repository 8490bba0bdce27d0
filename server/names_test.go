package server

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/runenames"

	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

var numbered = regexp.MustCompile(`^viewer-\d{4}$`)

// lookAlikes are ways of writing a name so that it reads as another: each
// row passes for the host "Maya" (unless the way has no hold on Maya's
// letters) and for one of the reserved words.
var lookAlikes = []struct{ how, maya, word string }{
	// Reported.
	{"script capital", "ℳaya", "ℋost"},
	{"Roman numeral", "Ⅿaya", "ⅯOⅮ"},
	{"one small capital", "Mᴀya", "adᴍin"},
	{"Latin alpha", "Mɑya", "ɑdmin"},
	{"Cherokee", "Ꮇaya", "ᎻOᏚᎢ"},
	{"small capitals", "ᴍᴀʏᴀ", "ʜᴏsᴛ"},
	{"combining dots", "Mạyạ", "ḥọṣṭ"},
	{"superscript word", "Maya ᴴᴼˢᵀ", "Jo ᴹᴼᴰ"},
	{"small capital word", "Mᴀʏᴀ", "ᴍᴏᴅ"},
	{"mathematical bold", "𝐌𝐚𝐲𝐚", "𝐚𝐝𝐦𝐢𝐧"},
	{"Cyrillic і", "Маyа", "Lіvecart"},

	// Case, digits and letter pairs.
	{"capitals", "MAYA", "ADMIN"},
	{"mixed case", "mAyA", "LiveCart"},
	{"digit zero", "", "h0st"},
	{"digit one", "", "l1vecart support"},
	{"capital I for l", "", "IIVECART"},
	{"rn for m", "rnaya", "rnod"},
	{"rn inside", "Rnaya", "adrnin"},
	{"dotless i", "", "admın"},
	{"long s", "", "hoſt"},

	// Styled Latin.
	{"fullwidth", "Ｍａｙａ", "ｍｏｄ"},
	{"fullwidth word", "Ｍａｙａ", "ｈｏｓｔ"},
	{"mathematical italic", "𝑀𝑎𝑦𝑎", "𝑙𝑖𝑣𝑒𝑐𝑎𝑟𝑡"},
	{"mathematical bold italic", "𝑴𝒂𝒚𝒂", "𝒉𝒐𝒔𝒕"},
	{"mathematical script", "𝓜𝓪𝔂𝓪", "𝓪𝓭𝓶𝓲𝓷"},
	{"fraktur", "𝔐𝔞𝔶𝔞", "𝔪𝔬𝔡"},
	{"double-struck", "𝕄𝕒𝕪𝕒", "𝕙𝕠𝕤𝕥"},
	{"sans-serif bold", "𝗠𝗮𝘆𝗮", "𝗺𝗼𝗱"},
	{"monospace", "𝙼𝚊𝚢𝚊", "𝚊𝚍𝚖𝚒𝚗"},
	{"circled", "ⓜⓐⓨⓐ", "ⓗⓞⓢⓣ"},
	{"circled capitals", "ⓂⒶⓎⒶ", "ⓂⓄⒹ"},
	{"parenthesized", "⒨⒜⒴⒜", "⒣⒪⒮⒯"},
	{"squared", "🄼🄰🅈🄰", "🄼🄾🄳"},
	{"negative circled", "🅜🅐🅨🅐", "🅗🅞🅢🅣"},
	{"negative squared", "🅼🅰🆈🅰", "🅰🅳🅼🅸🅽"},
	{"regional indicators", "🇲 🇦 🇾 🇦", "🇲 🇴 🇩"},
	{"superscripts", "ᴹᵃʸᵃ", "ʰᵒˢᵗ"},
	{"modifier letters", "ᵐᵃʸᵃ", "ᵃᵈᵐⁱⁿ"},
	{"Roman numerals", "ⅯAYA", "ⅬⅠⅤECART"},
	{"small capital mixed", "Mᴀʏa", "ʟɪvecart"},

	// Other scripts.
	{"Cyrillic", "Маyа", "һоѕт"},
	{"Cyrillic capitals", "МАУА", "АDМІN"},
	{"Greek", "Μαyα", "Ηοst"},
	{"Greek capitals", "ΜΑΥΑ", "ΑDΜΙΝ"},
	{"Greek and Cyrillic", "ΜаУα", "ΗОЅΤ"},
	{"Cherokee capitals", "ᎷᎪᎩᎪ", "ᎻOᏚᎢ"},
	{"Armenian o", "", "һօst"},
	{"IPA turned w", "ʍaya", "ʍod"},

	// Accents and marks.
	{"combining acute", "Maya\u0301", "ho\u0301st"},
	{"precomposed accents", "Máyà", "Lívecart"},
	{"diaeresis", "Mäÿä", "mö̈d"},
	{"strikethrough", "M̶a̶y̶a̶", "m̶o̶d̶"},
	{"underline", "M̲a̲y̲a̲", "a̲d̲m̲i̲n̲"},

	// Invisible characters.
	{"zero-width joiners", "M\u200da\u200dy\u200da", "h\u200do\u200ds\u200dt"},
	{"zero-width space", "M\u200baya", "livecart\u200b team"},
	{"word joiner", "Ma\u2060ya", "ad\u2060min"},
	{"soft hyphen", "Ma\u00adya", "mo\u00add"},
	{"trailing joiners", "Maya\u200d\u200d\u200d", "host\u200d"},
	{"variation selector", "Ⓜ\ufe0faya", "ⓜ\ufe0fod"},
	{"Hangul filler", "Maya\u3164", "ho\u3164st"},

	// Spacing, punctuation and company.
	{"spaced out", "M a y a", "H O S T"},
	{"dotted", "M.a.y.a", "m.o.d"},
	{"dashed", "M-a-y-a", "a-d-m-i-n"},
	{"emoji", "maya 🎙", "🎙 host"},
	{"decorated", "~Maya~", "★MOD★"},
	{"in brackets", "(Maya)", "Maya (host)"},
	{"underscore", "_maya_", "maya_host"},
	{"before the name", "", "HOST Maya"},
	{"a bar", "Maya|", "Maya|HOST"},
	{"a bar for l", "", "|ivecart"},
	{"spaced word", "Ma ya", "Live Cart"},
	{"spaced small capitals", "ᴍ ᴀ ʏ ᴀ", "ᴀ ᴅ ᴍ ɪ ɴ"},

	// Mixed.
	{"mixed styles", "𝐌ａʏ𝕒", "Ｈ𝐨ѕ𝘁"},
	{"mixed scripts and marks", "Мạ\u200dуа", "ḿ\u200dо𝕕"},
	{"mixed boxes", "Ⓜ🅰🆈ⓐ", "🅼ⓞ🄳"},
}

// honest are names that look like nothing but themselves: the demo's
// audience, and the names below.
var honest = append(demo.ViewerNames(),
	// Close to Maya, but not it.
	"Max", "Mayank", "Mayan", "Maria", "Maja", "Mayo", "Amaya", "Naya",
	"Kaya", "Mary", "Myra", "Mayu", "Maya K", "Maya Lin", "Mai", "Moya",
	// Reserved words inside longer words.
	"Hosting Tips", "Hostel", "ghost rider", "hostess", "Moderna", "Modesty",
	"Admiral", "Badminton", "Almond", "mods", "Livia", "Carter",
	// Short, and other scripts.
	"Jo", "M", "A", "Mo", "Ho", "Мария", "Дима", "Σοφία", "まや", "美亚",
	"مايا", "माया", "Nguyễn Thị Mai", "Øystein", "Łukasz", "Björn", "Zoë",
	"Siân", "🎙 fan",
)

// isImpersonation is impersonates for a show whose host is hostName, on a
// name as given and as identify passes it on.
func isImpersonation(t *testing.T, name, hostName string) bool {
	t.Helper()
	clean := sanitize.Line(name)
	got, gotClean := impersonates(name, hostKeys(hostName)), impersonates(clean, hostKeys(hostName))
	if got != gotClean {
		t.Errorf("%q impersonates %q: %v, sanitized %q: %v", name, hostName, got, clean, gotClean)
	}
	return got || gotClean
}

func TestLookAlikesOfTheHost(t *testing.T) {
	for _, tc := range lookAlikes {
		if tc.maya == "" {
			continue
		}
		if !isImpersonation(t, tc.maya, "Maya") {
			t.Errorf("%s: %q (%+q) passes for a viewer next to the host Maya", tc.how, tc.maya, tc.maya)
		}
	}
}

func TestLookAlikesOfReservedWords(t *testing.T) {
	for _, tc := range lookAlikes {
		if !isImpersonation(t, tc.word, "Quinn") {
			t.Errorf("%s: %q (%+q) passes for a viewer", tc.how, tc.word, tc.word)
		}
	}
}

func TestHonestNamesPass(t *testing.T) {
	for _, host := range []string{"Maya", "host"} {
		for _, name := range honest {
			if isImpersonation(t, name, host) {
				t.Errorf("%q is taken for the host %q or the show", name, host)
			}
		}
	}
}

// A host whose name is a few words, or holds a letter symbol, is matched
// the same way as a viewer.
func TestLookAlikesOfLongerHostNames(t *testing.T) {
	cases := []struct {
		host  string
		spoof []string
		pass  []string
	}{
		{"Maya Lin", []string{"MayaLin", "ᴍᴀʏᴀ ʟɪɴ", "Maya.Lin", "M a y a L i n"}, []string{"Maya", "Lin", "Maya Lind"}},
		{"DJ |ane", []string{"DJ lane", "DJ ane", "dj-Iane"}, []string{"DJ Jane"}},
		{"Wendy", []string{"VVendy", "ᴡᴇɴᴅʏ", "wendy"}, []string{"Wend", "Wendell"}},
	}
	for _, tc := range cases {
		for _, name := range tc.spoof {
			if !isImpersonation(t, name, tc.host) {
				t.Errorf("%q passes next to the host %q", name, tc.host)
			}
		}
		for _, name := range tc.pass {
			if isImpersonation(t, name, tc.host) {
				t.Errorf("%q is taken for the host %q", name, tc.host)
			}
		}
	}
}

func TestNameKey(t *testing.T) {
	same := [][2]string{
		{"rn", "m"},
		{"vv", "w"},
		{"MIA", "Mia"},
		{"Mla", "Mia"},
		{"M|a", "Mia"},
		{"M1a", "Mia"},
		{"B0B", "bob"},
		{"Нанна", "hahha"},    // Cyrillic н is a small capital H
		{"ᏗᎪ", "ꮧꭺ"},          // Cherokee capitals and small letters
		{"ᴍ", "м"},            // small capital M, Cyrillic em
		{"Straße", "STRASSE"}, // full case folding
		{"ﬁnn", "finn"},       // ligature
	}
	for _, p := range same {
		if a, b := nameKey(p[0]), nameKey(p[1]); a != b {
			t.Errorf("nameKey(%q) = %+q, nameKey(%q) = %+q: want the same", p[0], a, p[1], b)
		}
	}
	apart := [][2]string{{"Mia", "Maya"}, {"Ana", "Anna"}, {"Maya", "Mayan"}, {"Maja", "Maya"}, {"mod", "mud"}, {"host", "most"}}
	for _, p := range apart {
		if a, b := nameKey(p[0]), nameKey(p[1]); a == b {
			t.Errorf("nameKey(%q) = nameKey(%q) = %+q: want them apart", p[0], p[1], a)
		}
	}
}

// Every key is a fixed point: nameKey stops because nothing changes, not
// because it ran out of rounds.
func TestNameKeysAreStable(t *testing.T) {
	check := func(s string) {
		if k := nameKey(s); keyRound(k) != k {
			t.Errorf("nameKey(%+q) = %+q, which another round changes to %+q", s, k, keyRound(k))
		}
	}
	for _, tc := range lookAlikes {
		check(tc.maya) // "" too
		check(tc.word)
	}
	for _, name := range honest {
		check(name)
	}
	if testing.Short() {
		return
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S) {
			check(string(r))
		}
	}
}

// The small capitals table holds every Latin small capital of a single
// letter that Unicode has.
func TestSmallCapitals(t *testing.T) {
	found := 0
	for r := rune(0); r <= 0x1ffff; r++ {
		name := runenames.Name(r)
		letter, ok := strings.CutPrefix(name, "LATIN LETTER SMALL CAPITAL ")
		if !ok || len(letter) != 1 {
			continue
		}
		found++
		want := strings.ToLower(letter)
		if got := nameKey(string(r)); got != nameKey(want) {
			t.Errorf("%U %s: nameKey = %+q, want %+q, the key of %q", r, name, got, nameKey(want), want)
		}
	}
	if found < len(smallCapitals) {
		t.Errorf("found %d small capitals, want at least %d", found, len(smallCapitals))
	}
}

func TestNameWords(t *testing.T) {
	cases := []struct {
		name              string
		symbolsAreLetters bool
		want              string
		ambiguous         bool
	}{
		{"HOST Maya", true, "HOST Maya", false},
		{"H O S T", true, "HOST", false},
		{"a b cd e f", true, "ab cd ef", false},
		{"maya_h0st!", true, "maya h0st", false},
		{"ho\u0301st", true, "ho\u0301st", false},
		{"(h)(o)(s)(t)", true, "host", false},
		{"🎙🎙", true, "", false},
		{"Ghost-Rider", true, "Ghost Rider", false},
		{"Maya|HOST", true, "Maya|HOST", true},
		{"Maya|HOST", false, "Maya HOST", true},
		{"h\u200do\u200ds\u200dt", true, "h\u200do\u200ds\u200dt", false},
	}
	for _, tc := range cases {
		words, ambiguous := nameWords(tc.name, tc.symbolsAreLetters)
		if got := strings.Join(words, " "); got != tc.want || ambiguous != tc.ambiguous {
			t.Errorf("nameWords(%q, %v) = %q, %v; want %q, %v", tc.name, tc.symbolsAreLetters, got, ambiguous, tc.want, tc.ambiguous)
		}
	}
}

// The server renames look-alikes on the hello, over a real connection.
func TestViewersCannotPassForTheHost(t *testing.T) {
	_, ts := startServer(t, func(c *Config) { c.MaxConnsPerIP = -1 })
	host := dial(t, ts.URL, "anything", testToken)
	if host.welcome.You.Name != "Maya" {
		t.Fatalf("host is called %q", host.welcome.You.Name)
	}
	var spoofs []string
	for _, tc := range lookAlikes[:11] { // the reported ones
		spoofs = append(spoofs, tc.maya, tc.word)
	}
	spoofs = append(spoofs, "Mаya", "M\u200baya", "l1vecart support", "Maya|HOST")
	for _, name := range spoofs {
		you := dial(t, ts.URL, name, "").welcome.You
		if !numbered.MatchString(you.Name) || you.Role != protocol.RoleViewer {
			t.Errorf("asked %q, got %+v: want viewer-NNNN", name, you)
		}
	}
	for _, name := range []string{"Mia", "Mayank", "Hosting Tips", "Moderna", "Chloé", "Мария"} {
		if you := dial(t, ts.URL, name, "").welcome.You; you.Name != name {
			t.Errorf("asked %q, got %q", name, you.Name)
		}
	}
}

func BenchmarkImpersonates(b *testing.B) {
	keys := hostKeys("Maya")
	for _, name := range []string{"Mia", "kofi_m", "Lena B.", "Nguyễn Thị Mai", "Maya ᴴᴼˢᵀ", "𝐚𝐝𝐦𝐢𝐧 team 🎙"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				impersonates(name, keys)
			}
		})
	}
}
