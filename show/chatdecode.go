package show

import (
	"fmt"
	"unicode/utf8"

	"github.com/livecart/livecart/protocol"
)

// Chat is most of what a busy show sends, and encoding/json's reflection is
// most of what applying a chat line costs. decodeChat reads the one layout
// the server writes, {"id":"…","author":{"id":"…","name":"…","role":"…"},
// "text":"…"} with plain strings (no escapes), in any order and with any
// JSON whitespace, directly; anything else (escapes, fields it does not
// know, keys in another case, repeated keys, other types) is left to
// protocol.Decode. Either way the result is what encoding/json would have
// made and goes through the same Validate.
func decodeChat(env protocol.Envelope) (protocol.Chat, error) {
	c, ok := scanChat(env.Data)
	if !ok {
		return protocol.Decode[protocol.Chat](env)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%s: %w", env.Type, err)
	}
	return c, nil
}

// scanChat reads data in the plain layout, or reports false.
func scanChat(data []byte) (protocol.Chat, bool) {
	var c protocol.Chat
	// One string for the whole payload; the fields are slices of it.
	s := chatScanner{src: string(data)}
	var seenID, seenAuthor, seenText bool
	ok := s.object(func(key string) bool {
		switch key {
		case "id":
			return once(&seenID) && s.str(&c.ID)
		case "text":
			return once(&seenText) && s.str(&c.Text)
		case "author":
			return once(&seenAuthor) && s.author(&c.Author)
		}
		return false
	})
	if !ok || !s.end() {
		return protocol.Chat{}, false
	}
	return c, true
}

// once reports whether a key is seen for the first time.
func once(seen *bool) bool {
	if *seen {
		return false
	}
	*seen = true
	return true
}

type chatScanner struct {
	src string
	pos int
}

func (s *chatScanner) author(a *protocol.Identity) bool {
	var seenID, seenName, seenRole bool
	return s.object(func(key string) bool {
		switch key {
		case "id":
			return once(&seenID) && s.str(&a.ID)
		case "name":
			return once(&seenName) && s.str(&a.Name)
		case "role":
			var r string
			ok := once(&seenRole) && s.str(&r)
			a.Role = protocol.Role(r)
			return ok
		}
		return false
	})
}

// object reads {"key": value, ...}, handing each key to field, which reads
// the value.
func (s *chatScanner) object(field func(key string) bool) bool {
	s.space()
	if !s.take('{') {
		return false
	}
	s.space()
	if s.take('}') {
		return true
	}
	for {
		var key string
		if !s.str(&key) {
			return false
		}
		s.space()
		if !s.take(':') {
			return false
		}
		s.space()
		if !field(key) {
			return false
		}
		s.space()
		if s.take('}') {
			return true
		}
		if !s.take(',') {
			return false
		}
		s.space()
	}
}

// str reads a string with no escapes and no control characters, in valid
// UTF-8: one whose JSON value is its bytes as they stand.
func (s *chatScanner) str(out *string) bool {
	if !s.take('"') {
		return false
	}
	start := s.pos
	ascii := true
	for ; s.pos < len(s.src); s.pos++ {
		switch c := s.src[s.pos]; {
		case c == '"':
			v := s.src[start:s.pos]
			s.pos++
			if !ascii && !utf8.ValidString(v) {
				return false // encoding/json would replace the bad bytes
			}
			*out = v
			return true
		case c == '\\' || c < 0x20:
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return false
}

func (s *chatScanner) take(c byte) bool {
	if s.pos < len(s.src) && s.src[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// space skips JSON whitespace.
func (s *chatScanner) space() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// end reports whether nothing but whitespace is left.
func (s *chatScanner) end() bool {
	s.space()
	return s.pos == len(s.src)
}
