package client

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/livecart/livecart/protocol"
)

// rotation returns the next n URLs advance gives.
func rotation(e *edges, n int) []string {
	var out []string
	for range n {
		u, ok := e.advance()
		if !ok {
			return append(out, "(none)")
		}
		out = append(out, u)
	}
	return out
}

func TestEdgesUserURLs(t *testing.T) {
	e := newEdges("ws://a/ws", []string{"ws://b/ws", "", "ws://a/ws", "ws://c/ws", "ws://b/ws"})
	if got, want := e.all(), []string{"ws://a/ws", "ws://b/ws", "ws://c/ws"}; !slices.Equal(got, want) {
		t.Fatalf("all = %q, want %q", got, want)
	}
	if e.current() != "ws://a/ws" {
		t.Fatalf("starts at %q, want the first URL", e.current())
	}
	if got, want := rotation(e, 4), []string{"ws://b/ws", "ws://c/ws", "ws://a/ws", "ws://b/ws"}; !slices.Equal(got, want) {
		t.Fatalf("rotation = %q, want %q", got, want)
	}

	// The single-URL API: Options.URL alone, or URLs alone.
	if e := newEdges("ws://a/ws", nil); !slices.Equal(rotation(e, 2), []string{"ws://a/ws", "ws://a/ws"}) {
		t.Fatalf("one URL does not stay on itself: %q", e.all())
	}
	if e := newEdges("", []string{"ws://b/ws"}); e.current() != "ws://b/ws" {
		t.Fatalf("URLs alone start at %q", e.current())
	}
	// Nothing at all: the empty URL, whose dial says what is wrong.
	if e := newEdges("", nil); !slices.Equal(e.all(), []string{""}) {
		t.Fatalf("no URL gave %q", e.all())
	}

	var many []string
	for i := range MaxURLs + 3 {
		many = append(many, fmt.Sprintf("ws://e%d/ws", i))
	}
	if e := newEdges("", many); !slices.Equal(e.all(), many[:MaxURLs]) {
		t.Fatalf("kept %d URLs, want the first %d", len(e.all()), MaxURLs)
	}
}

// Alternates come after the user's URLs, each URL once; the URL that
// named them stays in the list, so the rotation goes on from it.
func TestEdgesLearn(t *testing.T) {
	e := newEdges("ws://a/ws", []string{"ws://b/ws"})
	e.learn("ws://a/ws", []string{"ws://x/ws", "ws://b/ws", "ws://y/ws", "ws://x/ws"})
	if got, want := e.all(), []string{"ws://a/ws", "ws://b/ws", "ws://x/ws", "ws://y/ws"}; !slices.Equal(got, want) {
		t.Fatalf("all = %q, want %q", got, want)
	}
	if got, want := rotation(e, 4), []string{"ws://b/ws", "ws://x/ws", "ws://y/ws", "ws://a/ws"}; !slices.Equal(got, want) {
		t.Fatalf("rotation = %q, want %q", got, want)
	}

	// On x, whose welcome lists the others but not x: x stays, after the
	// user's URLs, and the rotation goes on to z, then back to the user's.
	rotation(e, 2) // b, x
	e.learn("ws://x/ws", []string{"ws://z/ws", "ws://a/ws"})
	if got, want := e.all(), []string{"ws://a/ws", "ws://b/ws", "ws://x/ws", "ws://z/ws"}; !slices.Equal(got, want) {
		t.Fatalf("after x's welcome, all = %q, want %q", got, want)
	}
	if got, want := rotation(e, 3), []string{"ws://z/ws", "ws://a/ws", "ws://b/ws"}; !slices.Equal(got, want) {
		t.Fatalf("rotation from x = %q, want %q", got, want)
	}

	// A welcome without alternates forgets them; on a user URL, nothing
	// is added.
	e.learn("ws://b/ws", nil)
	if got, want := e.all(), []string{"ws://a/ws", "ws://b/ws"}; !slices.Equal(got, want) {
		t.Fatalf("after a welcome without alternates, all = %q, want %q", got, want)
	}

	// Bounded, whatever the welcome held.
	var many []string
	for i := range 3 * protocol.MaxAlternates {
		many = append(many, fmt.Sprintf("ws://alt%d/ws", i))
	}
	e.learn("ws://a/ws", many)
	if n := len(e.all()) - 2; n != protocol.MaxAlternates {
		t.Fatalf("kept %d alternates, want %d", n, protocol.MaxAlternates)
	}
}

// A welcome that came over TLS cannot send the session off it.
func TestEdgesLearnNoDowngrade(t *testing.T) {
	e := newEdges("wss://a/ws", nil)
	e.learn("wss://a/ws", []string{"ws://plain/ws", "wss://b/ws", "WS://shout/ws"})
	if got, want := e.all(), []string{"wss://a/ws", "wss://b/ws"}; !slices.Equal(got, want) {
		t.Fatalf("all = %q, want %q", got, want)
	}
	// Over plain ws, both kinds are taken.
	e = newEdges("ws://a/ws", nil)
	e.learn("ws://a/ws", []string{"ws://plain/ws", "wss://b/ws"})
	if got, want := e.all(), []string{"ws://a/ws", "ws://plain/ws", "wss://b/ws"}; !slices.Equal(got, want) {
		t.Fatalf("all = %q, want %q", got, want)
	}
}

func TestEdgesRefuse(t *testing.T) {
	e := newEdges("ws://a/ws", []string{"ws://b/ws", "ws://c/ws"})
	e.refuse("ws://b/ws")
	if got, want := rotation(e, 3), []string{"ws://c/ws", "ws://a/ws", "ws://c/ws"}; !slices.Equal(got, want) {
		t.Fatalf("rotation = %q, want %q", got, want)
	}
	e.refuse("ws://c/ws")
	if got, want := rotation(e, 2), []string{"ws://a/ws", "ws://a/ws"}; !slices.Equal(got, want) {
		t.Fatalf("rotation = %q, want %q", got, want)
	}
	e.refuse("ws://a/ws")
	if _, ok := e.advance(); ok {
		t.Fatal("advance found a URL after every one was refused")
	}
}

// An alternate the session was on, forgotten by a later welcome, sends
// the rotation back to the top.
func TestEdgesAdvanceFromForgottenURL(t *testing.T) {
	e := newEdges("ws://a/ws", []string{"ws://b/ws"})
	e.at = "ws://gone/ws"
	if u, _ := e.advance(); u != "ws://a/ws" {
		t.Fatalf("advance from a forgotten URL = %q, want the first", u)
	}
}

// Refusals of an address leave the other URLs to try; refusals of the
// show or of this client do not.
func TestRefusedHere(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"no show here (404)", &DialError{Status: http.StatusNotFound}, true},
		{"host name not served (421)", &DialError{Status: http.StatusMisdirectedRequest}, true},
		{"origin refused (403)", &DialError{Status: http.StatusForbidden}, true},
		{"not a show URL", &DialError{Err: fmt.Errorf("scheme must be ws or wss")}, true},
		{"show ended (410)", &DialError{Status: http.StatusGone}, false},
		{"banned at the hello", &DialError{Close: protocol.CloseBanned}, false},
		{"version refused", &DialError{Close: protocol.CloseUnsupportedVersion}, false},
		{"busy (503)", &DialError{Status: http.StatusServiceUnavailable, Retryable: true}, false},
		{"unreachable", &DialError{Retryable: true}, false},
		{"banned while connected", &CloseError{Code: protocol.CloseBanned}, false},
		{"lost", errGap, false},
	}
	for _, c := range cases {
		if got := refusedHere(c.err); got != c.want {
			t.Errorf("%s: refusedHere = %v, want %v", c.name, got, c.want)
		}
	}
}

// An alternate on a wildcard address (a show whose processes listen on
// every address) is the host the session reached, at the alternate's port.
func TestEdgesLearnWildcardAlternates(t *testing.T) {
	for _, tc := range []struct{ from, alt, want string }{
		{"ws://192.0.2.7:8080/ws", "ws://0.0.0.0:8081/ws", "ws://192.0.2.7:8081/ws"},
		{"ws://shop.example:8080/ws", "ws://[::]:8082/ws", "ws://shop.example:8082/ws"},
		{"ws://[2001:db8::5]:8080/ws", "ws://0.0.0.0:8083/ws", "ws://[2001:db8::5]:8083/ws"},
		{"ws://shop.example:8080/ws", "ws://0.0.0.0/ws", "ws://shop.example/ws"},
		{"ws://192.0.2.7:8080/ws", "ws://198.51.100.1:8081/ws", "ws://198.51.100.1:8081/ws"},
	} {
		e := newEdges(tc.from, nil)
		e.learn(tc.from, []string{tc.alt})
		if got := e.all(); !slices.Equal(got, []string{tc.from, tc.want}) {
			t.Errorf("from %s, alternate %s: %q, want %q", tc.from, tc.alt, got, []string{tc.from, tc.want})
		}
	}
}
