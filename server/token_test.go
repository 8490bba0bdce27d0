package server

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

func TestHostTokenLength(t *testing.T) {
	for _, token := range []string{
		"tiny-tok",
		strings.Repeat("x", MinHostTokenRunes-1),
		strings.Repeat("é", MinHostTokenRunes-1), // characters, not bytes
		strings.Repeat("x", protocol.MaxTokenRunes+1),
		"sixteen-chars-ok\x1b",
		"sixteen-chars-ok\xff",
	} {
		_, err := New(Config{Catalog: testCatalog(t), HostToken: token})
		if err == nil || !strings.Contains(err.Error(), "host token") {
			t.Errorf("token of %d bytes: err %v", len(token), err)
			continue
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("the error repeats the token: %v", err)
		}
		if CheckHostToken(token) == nil {
			t.Errorf("CheckHostToken took a token of %d bytes", len(token))
		}
	}
	if _, err := New(Config{Catalog: testCatalog(t), HostToken: "tiny-tok"}); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("a short token's error does not say how long it must be: %v", err)
	}
	// No token means nobody is host, which is allowed.
	for _, token := range []string{"", strings.Repeat("x", MinHostTokenRunes), strings.Repeat("é", MinHostTokenRunes), strings.Repeat("x", protocol.MaxTokenRunes)} {
		if _, err := New(Config{Catalog: testCatalog(t), HostToken: token}); err != nil {
			t.Errorf("token of %d bytes: %v", len(token), err)
		}
	}
}

// helloFrom connects from the loopback address src and says hello with
// token. It returns the role the connection was welcomed with, or the
// close code and reason it was refused with.
func helloFrom(t *testing.T, base, src, token string) (role protocol.Role, code int, reason string) {
	t.Helper()
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	d := websocket.Dialer{HandshakeTimeout: waitFor, NetDialContext: nd.DialContext}
	ws, _, err := d.Dial(wsURL(base), nil)
	if err != nil {
		t.Fatalf("dial from %s: %v", src, err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &client{t: t, ws: ws}
	c.send(protocol.TypeHello, protocol.Hello{Version: protocol.Version, Name: "x", Token: token})
	env, err := c.read()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return "", ce.Code, ce.Text
	}
	if err != nil {
		t.Fatal(err)
	}
	if env.Type != protocol.TypeWelcome {
		t.Fatalf("first event is %s, want welcome", env.Type)
	}
	return decode[protocol.Welcome](t, env).You.Role, 0, ""
}

// canBindFrom skips the test when this machine cannot dial from src.
func canBindFrom(t *testing.T, src string) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(src, "0"))
	if err != nil {
		t.Skipf("cannot use %s as a second loopback address: %v", src, err)
	}
	ln.Close()
}

// TestWrongHostTokensAreThrottled: an address that has sent a burst of
// wrong tokens is refused whatever token it sends, the right one too, and
// the refusal is the same either way; it gets one try back per interval.
// Hellos without a token, and other addresses, are not held up.
func TestWrongHostTokensAreThrottled(t *testing.T) {
	const guesser, other = "127.0.0.1", "127.0.0.2"
	canBindFrom(t, other)
	clock := newClock()
	_, ts := startServer(t, withClock(clock))
	interval := time.Duration(float64(time.Second) / tokenGuessRate.PerSecond)

	for i := range tokenGuessRate.Burst {
		if role, code, reason := helloFrom(t, ts.URL, guesser, fmt.Sprintf("wrong-token-%04d", i)); role != protocol.RoleViewer {
			t.Fatalf("wrong token %d: role %q, close %d %q; want a viewer", i+1, role, code, reason)
		}
	}
	_, wrongCode, wrongReason := helloFrom(t, ts.URL, guesser, "wrong-token-again")
	_, rightCode, rightReason := helloFrom(t, ts.URL, guesser, testToken)
	if wrongCode != protocol.CloseTokenThrottled || rightCode != wrongCode || rightReason != wrongReason {
		t.Fatalf("out of tries: a wrong token closed %d %q, the right one %d %q; want both %d alike",
			wrongCode, wrongReason, rightCode, rightReason, protocol.CloseTokenThrottled)
	}
	if role, code, _ := helloFrom(t, ts.URL, guesser, ""); role != protocol.RoleViewer {
		t.Errorf("a hello without a token from the throttled address: role %q, close %d", role, code)
	}
	if role, code, _ := helloFrom(t, ts.URL, other, testToken); role != protocol.RoleHost {
		t.Errorf("the right token from another address: role %q, close %d", role, code)
	}

	// One interval later, one more try: spent on a wrong token, the right
	// one is refused again.
	clock.advance(interval)
	if role, code, _ := helloFrom(t, ts.URL, guesser, "wrong-token-later"); role != protocol.RoleViewer {
		t.Fatalf("a try after %s: role %q, close %d", interval, role, code)
	}
	if _, code, _ := helloFrom(t, ts.URL, guesser, testToken); code != protocol.CloseTokenThrottled {
		t.Fatalf("the right token once the try was spent: close %d, want %d", code, protocol.CloseTokenThrottled)
	}
	// The right token spends no try.
	clock.advance(interval)
	for range 3 {
		if role, code, _ := helloFrom(t, ts.URL, guesser, testToken); role != protocol.RoleHost {
			t.Fatalf("the right token after waiting: role %q, close %d", role, code)
		}
	}
}

func TestTokenGuessTableIsBounded(t *testing.T) {
	l := newIPLimits(tokenGuessRate)
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	for i := range maxTrackedIPs {
		l.bucket(strconv.Itoa(i), now).AllowN(now, 1)
	}
	// Every address is still counting: a new one is refused rather than
	// let an attacker with many addresses wipe the table.
	if l.bucket("new", now) != nil {
		t.Fatal("a full table took another address")
	}
	// Once their buckets have filled up again, the old addresses go.
	later := now.Add(time.Duration(float64(time.Second) / tokenGuessRate.PerSecond))
	if l.bucket("new", later) == nil || len(l.buckets) != 1 {
		t.Fatalf("%d addresses kept after they were forgotten", len(l.buckets))
	}
}

func TestGuessKey(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:5000":            "127.0.0.1",
		"[::ffff:192.0.2.7]:80":     "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:80": "2001:db8:1:2::/64",
		"[2001:db8:1:2::9]:80":      "2001:db8:1:2::/64",
		"[2001:db8:1:3::9]:80":      "2001:db8:1:3::/64",
		"[fe80::1%eth0]:80":         "fe80::/64",
		"not an address":            "not an address",
	}
	for in, want := range cases {
		if got := guessKey(in); got != want {
			t.Errorf("guessKey(%q) = %q, want %q", in, got, want)
		}
	}
}
