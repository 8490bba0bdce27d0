package server

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/livecart/livecart/protocol"
)

func TestHostName(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" for refused
	}{
		{"localhost", "localhost"},
		{"LocalHost:7420", "localhost"},
		{"localhost.:7420", "localhost"},
		{"127.0.0.1:7420", "127.0.0.1"},
		{"127.0.0.1.:80", "127.0.0.1"},
		{"[::1]:7420", "::1"},
		{"[::1]", "::1"},
		{"[0:0:0:0:0:0:0:1]:80", "::1"},
		{"[::FFFF:127.0.0.1]:80", "127.0.0.1"},
		{"Shop.Example.:8443", "shop.example"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"live_cart:7420", "live_cart"},
		{"", ""},
		{":7420", ""},
		{"::1", ""},                 // IPv6 needs its brackets
		{"::1:7420", ""},            // so does one with a port
		{"[::1", ""},                // unclosed
		{"[::1]7420", ""},           // no colon before the port
		{"[::1]:", ""},              // empty port
		{"[127.0.0.1]:80", ""},      // brackets are for IPv6
		{"[fe80::1%25eth0]:80", ""}, // no zones
		{"[fe80::1%eth0]:80", ""},   // in either spelling
		{"localhost:", ""},          // empty port
		{"localhost:65536", ""},     // not a port
		{"localhost:+80", ""},       // not a port either
		{"localhost:80:80", ""},     // two ports
		{"localhost:123456", ""},    // too long
		{"evil.example@127.0.0.1", ""},
		{"bücher.example", ""}, // a browser sends the xn-- form
		{"a..example", ""},     // empty label
		{"-evil.example", ""},  // label starts with a hyphen
		{"evil-.example", ""},  // or ends with one
		{"evil example", ""},
		{"evil.example/x", ""},
		{"evil.example\x00", ""},
		{".", ""},
		{strings.Repeat("a", 64) + ".example", ""}, // label over 63 bytes
		{strings.Repeat("a.", 127) + "ab", ""},     // name over 253 bytes
	}
	for _, c := range cases {
		got, ok := hostName(c.in)
		if c.want == "" {
			if ok {
				t.Errorf("hostName(%q) = %q, want refused", c.in, got)
			}
			continue
		}
		if !ok || got != c.want {
			t.Errorf("hostName(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestHostRule(t *testing.T) {
	rule, err := newHostRule([]string{"Shop.Example", "[2001:db8::7]", "203.0.113.7"}, "https://studio.example:8443/live")
	if err != nil {
		t.Fatal(err)
	}
	const loopback, lan = true, false
	cases := []struct {
		host string
		on   bool // came in on loopback
		want bool
	}{
		// A server reached on loopback answers to loopback names...
		{"localhost:7420", loopback, true},
		{"LOCALHOST.:7420", loopback, true},
		{"127.0.0.1:7420", loopback, true},
		{"127.8.9.10:7420", loopback, true},
		{"[::1]:7420", loopback, true},
		{"[::ffff:127.0.0.1]:7420", loopback, true},
		// ...and to the names it was given, with any port...
		{"shop.example:7420", loopback, true},
		{"SHOP.example.", loopback, true},
		{"studio.example", loopback, true},
		{"[2001:db8::7]:7420", loopback, true},
		{"203.0.113.7:7420", loopback, true},
		// ...but to no other name, nor an address that is not its own.
		{"evil.example:7420", loopback, false},
		{"shop.example.evil.example", loopback, false},
		{"evilshop.example", loopback, false},
		{"localhost.evil.example", loopback, false},
		{"app.localhost", loopback, false},
		{"0.0.0.0:7420", loopback, false},
		{"192.0.2.1:7420", loopback, false},
		{"[fd00::2]:7420", loopback, false},
		{"127.1:7420", loopback, false}, // browsers send 127.0.0.1
		{"2130706433:7420", loopback, false},
		// Reached on another address, any IP address is its own name; DNS
		// names still have to be given.
		{"192.0.2.1:7420", lan, true},
		{"[fd00::2]:7420", lan, true},
		{"localhost:7420", lan, true},
		{"shop.example:7420", lan, true},
		{"evil.example:7420", lan, false},
		{"::1", lan, false}, // malformed whatever the address
	}
	for _, c := range cases {
		name, ok := hostName(c.host)
		if got := ok && rule.allows(name, c.on); got != c.want {
			t.Errorf("Host %q on loopback=%v: served %v, want %v", c.host, c.on, got, c.want)
		}
	}

	// With nothing configured, only the defaults.
	bare, err := newHostRule(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"shop.example", "studio.example"} {
		if bare.allows(name, loopback) || bare.allows(name, lan) {
			t.Errorf("unconfigured rule serves %q", name)
		}
	}
}

func TestAllowedHostsAreChecked(t *testing.T) {
	for _, bad := range []string{"", "shop.example:8443", "https://shop.example", "shop.example/", "shop example", "[fe80::1%eth0]", "[::1]:80", "*.shop.example", "bücher.example"} {
		if _, err := New(Config{Catalog: testCatalog(t), AllowedHosts: []string{bad}}); err == nil || !strings.Contains(err.Error(), "allowed host") {
			t.Errorf("allowed host %q: err %v", bad, err)
		}
		if err := CheckAllowedHosts([]string{"shop.example", bad}); err == nil {
			t.Errorf("CheckAllowedHosts took %q", bad)
		}
	}
	good := []string{"shop.example", "Shop.Example.", "::1", "[2001:db8::1]", "10.0.0.1", "live_cart"}
	if _, err := New(Config{Catalog: testCatalog(t), AllowedHosts: good}); err != nil {
		t.Errorf("allowed hosts %q: %v", good, err)
	}
}

// hostRequest sends one HTTP request to the test server ts with the given
// Host and headers, and returns the status and body.
func hostRequest(t *testing.T, method, base, path, host string, header http.Header, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// dialAs connects with the given Host and Origin, says hello and reads the
// welcome.
func dialAs(t *testing.T, base, host, token string) *client {
	t.Helper()
	header := http.Header{"Host": {host}, "Origin": {"http://" + host}}
	c := &client{t: t, ws: rawDial(t, base, header)}
	c.send(protocol.TypeHello, protocol.Hello{Version: protocol.Version, Name: "x", Token: token})
	env := c.next()
	if env.Type != protocol.TypeWelcome {
		t.Fatalf("first event is %s, want welcome", env.Type)
	}
	c.welcome = decode[protocol.Welcome](t, env)
	return c
}

// checkRefusedHost makes a page on host (its Origin and Host both name
// it) try every route of the server at base, and checks each is refused
// with 421 and nothing is bought.
func checkRefusedHost(t *testing.T, s *Server, base, host string) {
	t.Helper()
	origin := http.Header{"Origin": {"http://" + host}}
	header := http.Header{"Host": {host}, "Origin": {"http://" + host}}
	ws, status, _, body := tryDial(t, base, header)
	if ws != nil || status != http.StatusMisdirectedRequest || !strings.Contains(body, "--allowed-hosts") {
		t.Errorf("WebSocket as %s: HTTP %d %q, want 421 naming --allowed-hosts", host, status, body)
	}
	form := url.Values{"items": {"mug-blue:1"}}.Encode()
	if status, body := hostRequest(t, http.MethodPost, base, "/orders", host, origin, form); status != http.StatusMisdirectedRequest {
		t.Errorf("POST /orders as %s: HTTP %d\n%s", host, status, body)
	}
	for _, path := range []string{"/cart/mug-blue:1", "/healthz", "/nowhere"} {
		if status, body := hostRequest(t, http.MethodGet, base, path, host, origin, ""); status != http.StatusMisdirectedRequest {
			t.Errorf("GET %s as %s: HTTP %d %q", path, host, status, body)
		}
	}
	if n, _ := s.Stock("mug-blue"); n != 5 {
		t.Errorf("stock %d after refused orders, want 5", n)
	}
}

// TestRebindingHostIsRefused: a page on a DNS name its owner points at
// this machine sends its own name as both Host and Origin. A server on
// loopback refuses it on every route; its own names still work.
func TestRebindingHostIsRefused(t *testing.T) {
	s, ts := startServer(t)
	port := portOf(t, ts.URL)
	checkRefusedHost(t, s, ts.URL, "evil.example:"+port)
	checkRefusedHost(t, s, ts.URL, "EVIL.example.:"+port)
	checkRefusedHost(t, s, ts.URL, "192.0.2.1:"+port)

	// The same requests under a loopback name go through.
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port} {
		dialAs(t, ts.URL, host, "")
		status, body := hostRequest(t, http.MethodPost, ts.URL, "/orders", host,
			http.Header{"Origin": {"http://" + host}}, order("mug-blue:1", "").Encode())
		if status != http.StatusOK {
			t.Errorf("POST /orders as %s: HTTP %d\n%s", host, status, body)
		}
	}
	if status, _ := hostRequest(t, http.MethodGet, ts.URL, "/healthz", "bad host", nil, ""); status != http.StatusBadRequest {
		t.Errorf("malformed Host: HTTP %d, want 400", status)
	}
}

// TestAllowedHostIsServed: a show served under a name it was given
// welcomes that name's pages and takes their orders, on every route.
func TestAllowedHostIsServed(t *testing.T) {
	s, ts := startServer(t, func(c *Config) {
		c.AllowedHosts = []string{"shop.example"}
		c.PublicURL = "https://live.shop.example"
	})
	port := portOf(t, ts.URL)
	for _, host := range []string{"shop.example:" + port, "live.shop.example"} {
		origin := http.Header{"Origin": {"http://" + host}}
		c := dialAs(t, ts.URL, host, testToken)
		if c.welcome.You.Role != protocol.RoleHost {
			t.Errorf("as %s: role %s", host, c.welcome.You.Role)
		}
		if status, body := hostRequest(t, http.MethodGet, ts.URL, "/cart/mug-blue:1", host, nil, ""); status != http.StatusOK {
			t.Errorf("checkout page as %s: HTTP %d\n%s", host, status, body)
		}
		status, body := hostRequest(t, http.MethodPost, ts.URL, "/orders", host, origin, order("mug-blue:1", "").Encode())
		if status != http.StatusOK || !strings.Contains(body, "Order placed") {
			t.Errorf("POST /orders as %s: HTTP %d\n%s", host, status, body)
		}
	}
	if n, _ := s.Stock("mug-blue"); n != 3 {
		t.Errorf("stock %d, want 3 after two orders", n)
	}
	ws, status, _, _ := tryDial(t, ts.URL, http.Header{"Host": {"evil.example:" + port}, "Origin": {"http://evil.example:" + port}})
	if ws != nil || status != http.StatusMisdirectedRequest {
		t.Errorf("an unnamed host on a configured server: HTTP %d, want 421", status)
	}
}

// TestIPv6LoopbackIsServed: a server on [::1] answers to [::1] and
// localhost, and refuses other names as on 127.0.0.1.
func TestIPv6LoopbackIsServed(t *testing.T) {
	s, ts := startServerWith(t, func(ln net.Listener) net.Listener {
		six, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		ln.Close()
		return six
	})
	if !strings.HasPrefix(ts.URL, "http://[::1]:") {
		t.Fatalf("server at %s, want [::1]", ts.URL)
	}
	port := portOf(t, ts.URL)
	dial(t, ts.URL, "ana", "")
	dialAs(t, ts.URL, "localhost:"+port, "")
	checkRefusedHost(t, s, ts.URL, "evil.example:"+port)
	checkRefusedHost(t, s, ts.URL, "[fd00::2]:"+port)
}

// TestWildcardListenerKeepsLoopbackRule: a server bound to every address
// takes an IP address as Host from a client that reached it on a LAN
// address, but a browser on the same machine that reached it through
// loopback is held to loopback names; DNS names are refused either way.
func TestWildcardListenerKeepsLoopbackRule(t *testing.T) {
	lanIP := nonLoopbackIPv4(t)
	s, ts := startServerWith(t, func(ln net.Listener) net.Listener {
		wild, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			t.Skipf("cannot listen on every address: %v", err)
		}
		ln.Close()
		return wild
	})
	port := portOf(t, ts.URL)
	lan := "http://" + net.JoinHostPort(lanIP, port)
	local := "http://" + net.JoinHostPort("127.0.0.1", port)

	dial(t, lan, "over the LAN", "")
	dial(t, local, "on this machine", "")
	if status, body := hostRequest(t, http.MethodGet, lan, "/healthz", "localhost:"+port, nil, ""); status != http.StatusOK {
		t.Errorf("localhost over the LAN: HTTP %d %q", status, body)
	}
	checkRefusedHost(t, s, lan, "evil.example:"+port)
	checkRefusedHost(t, s, local, "evil.example:"+port)
	checkRefusedHost(t, s, local, net.JoinHostPort(lanIP, port))
}

// portOf returns the port of a test server's URL.
func portOf(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// nonLoopbackIPv4 returns an IPv4 address of this machine that is not
// loopback, or skips the test when it has none.
func nonLoopbackIPv4(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("interface addresses: %v", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	t.Skip("no non-loopback IPv4 address")
	return ""
}
