package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// identify decides who a greeted client is; host says whether its token
// was the host's (see hostRole). A client that names itself with a client
// ID keeps one identity ID across its reconnects, so what the host does to
// that ID (a timeout, a ban) outlasts a dropped connection; without one,
// each connection is someone new. The role comes from the token only,
// never from the name; the host is shown under the show's host name.
// A viewer whose name could be read as the host's, or as the show's own
// voice, gets a plain numbered name instead: a suffix such as "(viewer)"
// is easily lost in a busy chat or cut off on a narrow screen.
func (s *Server) identify(h protocol.Hello, host bool) protocol.Identity {
	n := s.ids.Add(1)
	id := protocol.Identity{ID: "u" + strconv.FormatUint(n, 10), Role: protocol.RoleViewer}
	if h.ClientID != "" {
		id.ID = s.clientIdentity(h.ClientID)
	}
	if host {
		id.Role = protocol.RoleHost
	}
	name := sanitize.Truncate(sanitize.Line(h.Name), protocol.MaxNameRunes)
	switch {
	case id.Role == protocol.RoleHost:
		name = s.hostName
	case name == "" || impersonates(name, s.hostKeys):
		name = fmt.Sprintf("viewer-%04d", n%10000)
	}
	id.Name = name
	return id
}

// clientIdentity returns the identity ID of a client ID: a keyed hash, so
// the public ID that chat lines carry does not give away the client ID,
// which is what routes orders to a client. The "u-" prefix keeps these IDs
// apart from the numbered ones.
func (s *Server) clientIdentity(clientID string) string {
	h := sha256.New()
	h.Write(s.idSalt) // fixed length, so salt and ID cannot run into each other
	h.Write([]byte(clientID))
	return "u-" + hex.EncodeToString(h.Sum(nil)[:5])
}

// newSalt returns the secret that keys identity IDs. It lives as long as
// the server, as do bans and timeouts.
func newSalt() []byte {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails; it crashes the program instead
	return b
}

// reservedWords may not be a word of a viewer's name, in any spelling that
// reads the same: next to a name they read as the show or its staff
// speaking. They are kept as keys (see nameKey).
var reservedWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range []string{"host", "mod", "admin", "livecart"} {
		m[nameKey(w)] = true
	}
	return m
}()

// impersonates reports whether a viewer's (sanitized) name could pass for
// the host's or for the show's: read whole it looks like the host's name,
// whose keys hostKeys holds, or like a reserved word ("Live Cart"), or one
// of its words looks like a reserved word. Words, not substrings: "Hostel"
// and "Moderna" are names of their own.
func impersonates(name string, hostKeys []string) bool {
	for _, r := range readings(name) {
		if slices.Contains(hostKeys, r.whole) || reservedWords[r.whole] {
			return true
		}
		for _, w := range r.words {
			if reservedWords[w] {
				return true
			}
		}
	}
	return false
}

// hostKeys returns the keys a viewer's whole name may not have: those of
// the host's name, read every way it can be.
func hostKeys(hostName string) []string {
	var keys []string
	for _, r := range readings(hostName) {
		if r.whole != "" {
			keys = append(keys, r.whole)
		}
	}
	return keys
}

// reading is one way to read a name: the keys of its words, and the key of
// the whole name without what separates the words.
type reading struct {
	whole string
	words []string
}

// readings returns the ways a name can be read. A symbol that reads as a
// letter, such as "|" for "l", is tried both as a letter and as a space,
// so that neither "|ivecart" nor "Maya|HOST" gets through; a name without
// one has one reading.
func readings(name string) []reading {
	name = norm.NFKC.String(name)
	var rs []reading
	for _, symbolsAreLetters := range []bool{true, false} {
		words, ambiguous := nameWords(name, symbolsAreLetters)
		r := reading{words: make([]string, len(words))}
		for i, w := range words {
			r.words[i] = nameKey(w)
		}
		if len(words) == 1 {
			r.whole = r.words[0]
		} else {
			r.whole = nameKey(strings.Join(words, ""))
		}
		rs = append(rs, r)
		if !ambiguous {
			break
		}
	}
	return rs
}

// nameWords splits an NFKC-normalized name into its words: runs of
// letters and digits, with the marks and invisible characters among them.
// Everything else separates words: spaces, punctuation, emoji, and symbols
// that read as letters unless symbolsAreLetters. Runs of one-letter words
// are joined, so "H O S T" and "⒣⒪⒮⒯" (NFKC "(h)(o)(s)(t)") are the word
// "host". ambiguous reports whether the name holds a symbol that reads as
// a letter, that is whether the other choice of symbolsAreLetters would
// split it differently.
func nameWords(name string, symbolsAreLetters bool) (words []string, ambiguous bool) {
	var word, letters strings.Builder
	n := 0 // letters in word
	flush := func() {
		switch {
		case n == 1:
			letters.WriteString(word.String())
		case n > 1:
			if letters.Len() > 0 {
				words = append(words, letters.String())
				letters.Reset()
			}
			words = append(words, word.String())
		}
		word.Reset()
		n = 0
	}
	for _, r := range name {
		switch {
		case unicode.IsMark(r) || ignorable(r): // before letters: the Hangul fillers are both
			word.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			word.WriteRune(r)
			n++
		case readsAsLetter(r):
			ambiguous = true
			if symbolsAreLetters {
				word.WriteRune(r)
				n++
			} else {
				flush()
			}
		default:
			flush()
		}
	}
	flush()
	if letters.Len() > 0 {
		words = append(words, letters.String())
	}
	return words, ambiguous
}

// asciiLetterSymbols are the printable ASCII symbols that read as a
// letter ("|" as "l"), worked out once: most names are ASCII.
var asciiLetterSymbols = func() (t [128]bool) {
	for r := rune(' '); r < 0x7f; r++ {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			t[r] = isWordKey(nameKey(string(r)))
		}
	}
	return t
}()

// readsAsLetter reports whether a symbol (not a letter, digit or mark)
// has a key made of letters and digits, such as "|", "∣" or "🅜".
func readsAsLetter(r rune) bool {
	if r < 0x80 {
		return asciiLetterSymbols[r]
	}
	return isWordKey(nameKey(string(r)))
}

func isWordKey(k string) bool {
	for _, r := range k {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return k != ""
}

// nameKey reduces text to what a reader sees in it, so that two strings
// with the same key cannot be told apart at a glance, whatever their case.
// Both sides of every comparison go through it.
//
// One round is: NFKC, which turns fullwidth, mathematical, circled,
// parenthesized and superscript letters and Roman numerals into plain
// ones; the confusables skeleton of Unicode TS #39 (NFD, each character
// to its prototype, NFD again), which maps look-alikes from other scripts
// ("М", "ᴍ", "Ꮇ", "ℳ") and digits ("0", "1") to one prototype and reads
// "m" as "rn"; case folding; then dropping combining marks and invisible
// characters, and the few look-alikes the data leaves out (readAs). The
// skeleton is case-sensitive and folding can turn one prototype into a
// letter with a prototype of its own ("M" into "m", then "rn"), so rounds
// repeat until the text stops changing.
func nameKey(s string) string {
	for range maxKeyRounds {
		next := keyRound(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// maxKeyRounds bounds nameKey's rounds. Three settle any name seen so far
// (a capital M takes: "M", "m", "rn"); the tests check that keys are
// stable.
const maxKeyRounds = 6

func keyRound(s string) string {
	s = confusables.Skeleton(norm.NFKC.String(s))
	s = cases.Fold().String(s) // a Caser holds state: one per call
	s = strings.Map(readAs, s)
	return lookAlikePairs.Replace(s)
}

// readAs finishes a folded skeleton, one rune at a time: it drops marks
// and invisible characters, and maps what the confusables data leaves out.
func readAs(r rune) rune {
	switch {
	case r < 0x80:
		if r == 'i' {
			// The data reads capital I as l, and folding reads it as i:
			// i and l must be one letter for "MIA", "Mia" and "MlA" to
			// match, and "l1vecart" to be "livecart".
			return 'l'
		}
		return r
	case unicode.IsMark(r) || ignorable(r):
		return -1
	case unicode.Is(unicode.Cherokee, r):
		// Cherokee small letters fold to their capitals (CaseFolding.txt);
		// x/text's Fold swaps the two cases instead, so a second round
		// would undo the first.
		return unicode.ToUpper(r)
	case r >= 0x1f150 && r <= 0x1f169: // negative circled capitals 🅐
		return 'a' + r - 0x1f150
	case r >= 0x1f170 && r <= 0x1f189: // negative squared capitals 🅰
		return 'a' + r - 0x1f170
	case r >= 0x1f1e6 && r <= 0x1f1ff: // regional indicators 🇦, a letter unless paired into a flag
		return 'a' + r - 0x1f1e6
	}
	if l, ok := smallCapitalPrototypes[r]; ok {
		return l
	}
	return r
}

// ignorable reports whether r draws nothing: format characters such as
// the zero-width joiner, and the default-ignorable fillers and selectors.
func ignorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// smallCapitals are the Latin small capitals. The confusables data maps
// them, and letters from other scripts that look like them (Cyrillic "м"
// and "н", Cherokee "ꮇ"), to prototypes of their own ("ᴍ" to "ʍ"), not
// to Latin: TS #39 tells "MAYA" from "maya" and so "ᴍᴀʏᴀ" from both. Read
// case-insensitively a small capital is its letter, so each one's
// prototype is mapped to that letter. x has none.
var smallCapitals = map[rune]rune{
	'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ɢ': 'g',
	'ʜ': 'h', 'ɪ': 'i', 'ᴊ': 'j', 'ᴋ': 'k', 'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n',
	'ᴏ': 'o', 'ᴘ': 'p', 'ꞯ': 'q', 'ʀ': 'r', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u',
	'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
}

// smallCapitalPrototypes maps each small capital's prototype, its folded
// skeleton, to the letter. Those that the data already maps to a Latin
// letter ("ᴏ" to "o") need nothing.
var smallCapitalPrototypes = func() map[rune]rune {
	m := make(map[rune]rune)
	for small, letter := range smallCapitals {
		p := []rune(cases.Fold().String(confusables.Skeleton(string(small))))
		if len(p) == 1 && p[0] >= 0x80 {
			m[p[0]] = letter
		}
	}
	return m
}()

// lookAlikePairs are letter pairs that read as one letter. The data reads
// "m" as "rn" but has nothing for "w"; in most terminal fonts "vv" is as
// close.
var lookAlikePairs = strings.NewReplacer("vv", "w")
