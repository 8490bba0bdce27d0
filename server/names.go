package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// reservedWords may not be a word of a viewer's name: "host" or
// "livecart" next to a name reads as the show speaking.
var reservedWords = []string{skeleton("host"), skeleton("livecart")}

// identify decides who a greeted client is. A client that names itself with
// a client ID keeps one identity ID across its reconnects, so what the host
// does to that ID (a timeout, a ban) outlasts a dropped connection; without
// one, each connection is someone new. The role comes from the token
// only, never from the name; the host is shown under the show's host name.
// A viewer whose name could be read as the host's, or as the show's own
// voice, gets a plain numbered name instead: a suffix such as "(viewer)"
// is easily lost in a busy chat or cut off on a narrow screen.
func (s *Server) identify(h protocol.Hello) protocol.Identity {
	n := s.ids.Add(1)
	id := protocol.Identity{ID: "u" + strconv.FormatUint(n, 10), Role: protocol.RoleViewer}
	if h.ClientID != "" {
		id.ID = s.clientIdentity(h.ClientID)
	}
	if len(s.hostToken) > 0 && subtle.ConstantTimeCompare([]byte(h.Token), s.hostToken) == 1 {
		id.Role = protocol.RoleHost
	}
	name := sanitize.Truncate(sanitize.Line(h.Name), protocol.MaxNameRunes)
	switch {
	case id.Role == protocol.RoleHost:
		name = s.hostName
	case name == "" || s.impersonates(name):
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

// impersonates reports whether a viewer's (sanitized) name could pass for
// the host's or for the show's: the same skeleton as the host's name, or a
// reserved word among its words.
func (s *Server) impersonates(name string) bool {
	if skeleton(name) == s.hostSkel {
		return true
	}
	for _, w := range skeletonWords(name) {
		for _, r := range reservedWords {
			if w == r {
				return true
			}
		}
	}
	return false
}

// skeleton reduces a name to what a reader sees in it: case folded,
// look-alike letters of other scripts and styles mapped to Latin, accents,
// invisible characters, spaces, punctuation and symbols dropped. Two names
// with the same skeleton cannot be told apart at a glance.
func skeleton(name string) string {
	var b strings.Builder
	for _, r := range name {
		if f := fold(r); f != 0 {
			b.WriteRune(f)
		}
	}
	return lookAlikePairs.Replace(b.String())
}

// skeletonWords returns the skeletons of name's words. Runs of one-letter
// words are joined, so "H O S T" is the word "host".
func skeletonWords(name string) []string {
	var words []string
	var cur, letters strings.Builder
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		if w := cur.String(); len([]rune(w)) == 1 {
			letters.WriteString(w)
		} else {
			if letters.Len() > 0 {
				words = append(words, lookAlikePairs.Replace(letters.String()))
				letters.Reset()
			}
			words = append(words, lookAlikePairs.Replace(w))
		}
		cur.Reset()
	}
	for _, r := range name {
		switch f := fold(r); {
		case f != 0:
			cur.WriteRune(f)
		case unicode.In(r, unicode.M, unicode.Cf):
			// Marks and invisible characters sit inside a word.
		default:
			flush()
		}
	}
	flush()
	if letters.Len() > 0 {
		words = append(words, lookAlikePairs.Replace(letters.String()))
	}
	return words
}

// lookAlikePairs are letter pairs that read as one letter.
var lookAlikePairs = strings.NewReplacer("rn", "m", "vv", "w")

// fold maps one rune to the lower-case Latin letter or digit it looks like,
// or 0 when it draws nothing a reader would take for a letter.
func fold(r rune) rune {
	switch {
	case r >= 0xff01 && r <= 0xff5e: // fullwidth ASCII
		r -= 0xfee0
	case r >= 0x1d400 && r <= 0x1d6a3: // mathematical bold, italic, script…
		if off := (r - 0x1d400) % 52; off < 26 {
			r = 'a' + off
		} else {
			r = 'a' + off - 26
		}
	case r >= 0x1d7ce && r <= 0x1d7ff: // mathematical digits
		r = '0' + (r-0x1d7ce)%10
	case r >= 0x24b6 && r <= 0x24cf: // circled capitals
		r = 'a' + r - 0x24b6
	case r >= 0x24d0 && r <= 0x24e9: // circled small letters
		r = 'a' + r - 0x24d0
	}
	if l, ok := lookAlike[r]; ok {
		return l
	}
	r = unicode.ToLower(r)
	if l, ok := lookAlike[r]; ok {
		return l
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return 0
}

// lookAlike maps characters to the Latin letter they pass for. Capitals
// are listed where their small letter looks different (Greek Eta is an H,
// eta an n). i, l, 1, | and capital I are one letter here: with case
// folded, "MIA" must match "Mia" and "MlA" alike.
var lookAlike = func() map[rune]rune {
	m := make(map[rune]rune)
	for latin, others := range map[rune]string{
		'a': "аαàáâãäåāăąǎ",
		'b': "ВвΒβ",
		'c': "сçćĉċč",
		'd': "ԁďđ",
		'e': "еεèéêëēĕėęěё",
		'g': "ɡĝğġģ",
		'h': "НнΗһĥħℋℌℍℎ",
		'j': "јĵ",
		'k': "кΚκķ",
		'l': "iIl1|іιΙӏìíîïĩīĭįıĺļľŀłℓ",
		'm': "МмΜ",
		'n': "Νηñńņň",
		'o': "0оοΟòóôõöøōŏő",
		'p': "рρΡ",
		'r': "ŕŗř",
		's': "ѕśŝşš",
		't': "ТтΤτţťŧ",
		'u': "υμùúûüũūŭůűų",
		'v': "ν",
		'w': "ŵԝ",
		'x': "хχΧ",
		'y': "уΥýÿŷ",
		'z': "Ζźżž",
	} {
		for _, r := range others {
			m[r] = latin
		}
	}
	return m
}()
