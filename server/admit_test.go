package server

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// tryDial opens a WebSocket and returns it, or the refusal's status,
// Retry-After and body.
func tryDial(t *testing.T, httpURL string, header http.Header) (ws *websocket.Conn, status int, retryAfter, body string) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: waitFor}
	ws, resp, err := d.Dial(wsURL(httpURL), header)
	if err == nil {
		t.Cleanup(func() { ws.Close() })
		return ws, http.StatusSwitchingProtocols, "", ""
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return nil, resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

func TestOriginRule(t *testing.T) {
	_, ts := startServer(t, func(c *Config) {
		c.AllowedOrigins = []string{"https://shop.example", "Studio.example:8443"}
	})
	cases := []struct {
		origin string
		ok     bool
	}{
		{"", true}, // native clients send none
		{ts.URL, true},
		{"https://shop.example", true},
		{"HTTPS://SHOP.EXAMPLE", true},
		{"https://studio.example:8443", true},
		{"https://studio.example", false},
		{"https://shop.example:444", false},
		{"https://shop.example.evil.example", false},
		{"https://evil.example", false},
		{"null", false},
		{"garbage:%%", false},
	}
	for _, tc := range cases {
		header := http.Header{}
		if tc.origin != "" {
			header.Set("Origin", tc.origin)
		}
		_, status, _, _ := tryDial(t, ts.URL, header)
		if want := map[bool]int{true: 101, false: 403}[tc.ok]; status != want {
			t.Errorf("Origin %q: HTTP %d, want %d", tc.origin, status, want)
		}
	}
}

func TestAllowedOriginsAreChecked(t *testing.T) {
	for _, bad := range []string{"", "https://", "shop.example/path", "https://user@shop.example", "shop example"} {
		if _, err := New(Config{Catalog: testCatalog(t), AllowedOrigins: []string{bad}}); err == nil {
			t.Errorf("allowed origin %q accepted", bad)
		}
	}
}

func TestConnectionsPerIPAreCapped(t *testing.T) {
	const perIP = 3
	s, ts := startServer(t, func(c *Config) { c.MaxConnsPerIP = perIP })
	var open []*client
	for i := range perIP {
		open = append(open, dial(t, ts.URL, "v"+strconv.Itoa(i), ""))
	}
	// Refused before the upgrade, with a hint of when to come back.
	ws, status, retry, body := tryDial(t, ts.URL, nil)
	if ws != nil || status != http.StatusServiceUnavailable || retry != strconv.Itoa(retryPerIP) || !strings.Contains(body, "too many connections") {
		t.Fatalf("over the cap: HTTP %d, Retry-After %q, body %q", status, retry, body)
	}
	if n := s.Viewers(); n != perIP {
		t.Errorf("%d viewers after a refusal, want %d", n, perIP)
	}

	// A connection that ends gives its place back.
	if err := open[0].ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(protocol.CloseNormal, "")); err != nil {
		t.Fatal(err)
	}
	expectClose(t, open[0].ws, protocol.CloseNormal)
	waitUntil(t, "place given back", func() bool { return s.openConns() < perIP })
	dial(t, ts.URL, "again", "")
}

func TestConnectionsAreCappedInTotal(t *testing.T) {
	const total = 2
	s, ts := startServer(t, func(c *Config) { c.MaxConns = total; c.MaxConnsPerIP = -1 })
	// Requests the upgrade refuses take a place only while they run.
	for range 2 * total {
		resp, body := get(t, ts.URL, "/ws")
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain GET /ws: %d %q", resp.StatusCode, body)
		}
	}
	if n := s.openConns(); n != 0 {
		t.Fatalf("%d places held after refused upgrades", n)
	}
	for i := range total {
		dial(t, ts.URL, "v"+strconv.Itoa(i), "")
	}
	ws, status, retry, body := tryDial(t, ts.URL, nil)
	secs, _ := strconv.Atoi(retry)
	if ws != nil || status != http.StatusServiceUnavailable || secs < retryFullMin || secs >= retryFullMin+retryFullSpan || !strings.Contains(body, "full") {
		t.Fatalf("server full: HTTP %d, Retry-After %q, body %q", status, retry, body)
	}
}

func TestNoCapsWhenNegative(t *testing.T) {
	_, ts := startServer(t, func(c *Config) { c.MaxConns = -1; c.MaxConnsPerIP = -1 })
	for range DefaultMaxConnsPerIP + 1 {
		rawDial(t, ts.URL, nil)
	}
}

func TestRemoteIP(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:5000":        "127.0.0.1",
		"[::ffff:127.0.0.1]:80": "127.0.0.1",
		"[::1]:80":              "::1",
		"[fe80::1%eth0]:80":     "fe80::1",
		"not an address":        "not an address",
	}
	for in, want := range cases {
		if got := remoteIP(in); got != want {
			t.Errorf("remoteIP(%q) = %q, want %q", in, got, want)
		}
	}
}

// openConns is how many sockets hold a place under the caps.
func (s *Server) openConns() int {
	s.admission.mu.Lock()
	defer s.admission.mu.Unlock()
	return s.admission.open
}
