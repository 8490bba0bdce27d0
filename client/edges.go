package client

import (
	"net/url"
	"slices"

	"github.com/livecart/livecart/protocol"
)

// MaxURLs is how many of the user's show URLs a session takes; it keeps
// the first ones.
const MaxURLs = 16

// edges is the list of URLs a session dials, and where it is in it: the
// user's URLs in their order, then the alternates of the latest welcome,
// each URL once. A URL whose server refused the address for good (no show
// there) is skipped from then on. It is kept free of sockets and clocks
// so it can be tested as a table; the session's loop owns it.
type edges struct {
	user    []string
	alt     []string
	refused map[string]bool
	at      string // the URL dialled last, or about to be
}

// newEdges returns the list of first and more, in order, without empty
// entries or repeats. With none at all it holds the empty URL, whose dial
// says what is wrong.
func newEdges(first string, more []string) *edges {
	e := &edges{refused: make(map[string]bool)}
	for _, u := range append([]string{first}, more...) {
		if u != "" && !slices.Contains(e.user, u) && len(e.user) < MaxURLs {
			e.user = append(e.user, u)
		}
	}
	if len(e.user) == 0 {
		e.user = []string{""}
	}
	e.at = e.user[0]
	return e
}

// current is the URL to dial.
func (e *edges) current() string { return e.at }

// all is every URL in order, refused ones included.
func (e *edges) all() []string { return append(slices.Clip(e.user), e.alt...) }

// learn replaces the alternates with those a welcome from the URL from
// listed, already checked by protocol.Welcome.UsableAlternates. from stays
// in the list, just after the user's URLs, so the rotation carries on from
// it: a server lists the others, not itself. A welcome that came over TLS
// cannot send the session off it: its ws:// alternates are skipped.
func (e *edges) learn(from string, alts []string) {
	secure := scheme(from) == "wss"
	var next []string
	if !slices.Contains(e.user, from) {
		next = append(next, from)
	}
	for _, a := range alts {
		a = reachedAs(a, from)
		if secure && scheme(a) != "wss" {
			continue
		}
		if slices.Contains(e.user, a) || slices.Contains(next, a) {
			continue
		}
		next = append(next, a)
	}
	e.alt = next[:min(len(next), protocol.MaxAlternates)]
}

// reachedAs is the alternate alt as this machine reaches it: edges that
// listen on every address are named by the host of from, the URL whose
// welcome listed alt (see protocol.OnHost).
func reachedAs(alt, from string) string {
	f, err := url.Parse(from)
	if err != nil {
		return alt
	}
	return protocol.OnHost(alt, f.Hostname())
}

// scheme is raw's scheme, lower case, or "" when it does not parse.
func scheme(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme
}

// advance moves to the URL after the current one, round robin, passing
// over refused ones, and returns it. ok is false when every URL has been
// refused.
func (e *edges) advance() (next string, ok bool) {
	list := e.all()
	i := slices.Index(list, e.at) // -1 when it is gone: start from the top
	for k := 1; k <= len(list); k++ {
		u := list[(i+k+len(list))%len(list)]
		if !e.refused[u] {
			e.at = u
			return u, true
		}
	}
	return "", false
}

// refuse takes u off the rotation for good.
func (e *edges) refuse(u string) { e.refused[u] = true }
