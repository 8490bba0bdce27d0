package server

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/livecart/livecart/protocol"
)

// MinHostTokenRunes is the shortest host token a server takes. A token a
// person chose must still be out of reach at the rate wrong ones are
// answered (tokenGuessRate); the random default is 32 hex digits.
const MinHostTokenRunes = 16

// tokenGuessRate is how many wrong host tokens one address may send: 5 at
// once, then one every 10 seconds. A person who mistypes theirs is not
// held up; a guesser gets under nine thousand tries a day.
var tokenGuessRate = Rate{PerSecond: 0.1, Burst: 5}

// CheckHostToken refuses a host token that is shorter than
// MinHostTokenRunes, longer than a hello may carry or has characters
// nobody can type into one. Its errors never repeat the token.
func CheckHostToken(token string) error {
	n := utf8.RuneCountInString(token)
	switch {
	case !utf8.ValidString(token) || strings.ContainsFunc(token, unicode.IsControl):
		return errors.New("host token: it has characters a token cannot have (it is not shown here)")
	case n < MinHostTokenRunes:
		return fmt.Errorf("host token: %d characters is too short to be safe from guessing; use at least %d", n, MinHostTokenRunes)
	case n > protocol.MaxTokenRunes:
		return fmt.Errorf("host token: %d characters is longer than a hello can carry (%d)", n, protocol.MaxTokenRunes)
	}
	return nil
}

// tokenThrottled ends a connection whose address has sent too many wrong
// host tokens lately. It says the same whether this hello's token was
// right or wrong.
var tokenThrottled = ending{
	code:   protocol.CloseTokenThrottled,
	reason: "too many wrong host tokens from your address; wait before trying again",
	linger: true,
}

// hostRole reports whether a hello's token makes the connection from
// remote the host. A wrong token counts against its address (see
// tokenGuessRate); an address out of tries is refused whatever token it
// sends, before the token is looked at, so a refusal tells a guesser
// nothing. A hello without a token asks for no role and is never refused
// here.
func (s *Server) hostRole(remote, token string) (bool, *ending) {
	if token == "" {
		return false, nil
	}
	key := guessKey(remote)
	now := s.now()
	host, throttled := false, false
	s.tokenGuesses.with(key, now, func(b *rate.Limiter) {
		if b == nil || b.TokensAt(now) < 1 {
			throttled = true
			return
		}
		host = len(s.hostToken) > 0 && subtle.ConstantTimeCompare([]byte(token), s.hostToken) == 1
		if !host {
			b.AllowN(now, 1)
		}
	})
	switch {
	case throttled:
		e := tokenThrottled
		return false, &e
	case !host:
		s.log.Info("wrong host token", "remote", remote)
	}
	return host, nil
}

// guessKey is the address wrong tokens are counted against: the peer's
// IP, or for IPv6 its /64, which one subscriber usually has whole.
func guessKey(remote string) string {
	ip := remoteIP(remote)
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() {
		return ip
	}
	p, _ := a.Prefix(64) // cannot fail for an IPv6 address
	return p.String()
}
