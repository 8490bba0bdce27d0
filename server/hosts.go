package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/livecart/livecart/protocol"
)

// hostRule decides which Host names the server answers to, on every route.
//
// A web page can point a DNS name it owns at any address, this machine's
// loopback included (DNS rebinding). Its requests then reach the server
// with a Host and an Origin that both name the page's own site, so
// comparing Origin with Host proves nothing. What the page cannot do is
// send a Host it does not own. So the server answers only to names no
// stranger can point at it:
//
//   - the names in Config.AllowedHosts and the host of Config.PublicURL,
//     whatever address the request came in on;
//   - loopback names: localhost, 127.0.0.0/8 and [::1], which the
//     browser's own machine resolves, never DNS;
//   - any IP address, when the request came in on an address that is not
//     loopback: a server bound to a LAN address, or to 0.0.0.0 and
//     reached from another machine. An address names itself; there is no
//     DNS answer to swap under it.
//
// Every other Host is answered 421 Misdirected Request (400 when it is
// malformed), before any handler runs. The address a request came in on
// is the connection's local address: for a server bound to one address,
// that address; for a wildcard listener, the one the client dialled, so a
// browser on the same machine that reaches it through 127.0.0.1 is held to
// the loopback rule. A request whose local address is unknown is held to
// it too.
//
// Naming hosts adds to the loopback names and addresses; it takes none
// away, as none of them can be pointed at the server by a stranger. Names
// compare without their port, case-insensitively, with a trailing dot
// dropped.
type hostRule struct {
	allowed map[string]bool // names as hostName returns them
}

// newHostRule returns the rule for the configured names and public URL
// (as checkPublicURL returned it).
func newHostRule(names []string, public string) (hostRule, error) {
	rule := hostRule{allowed: make(map[string]bool, len(names)+1)}
	for _, n := range names {
		name, err := allowedHost(n)
		if err != nil {
			return hostRule{}, err
		}
		rule.allowed[name] = true
	}
	if public != "" {
		// checkPublicURL has made sure it has a host; one hostName cannot
		// read can never match a request either.
		if name, ok := hostName(hostOf(public)); ok {
			rule.allowed[name] = true
		}
	}
	return rule, nil
}

// reachedAs returns base, a URL of this server's (or of its show's owner),
// as the client that sent requestHost, a Host header the host rule has
// admitted, can reach it: on a server listening on every address, with
// the name the client reached it by (see protocol.OnHost).
func reachedAs(base, requestHost string) string {
	name, ok := hostName(requestHost)
	if !ok {
		return base
	}
	return protocol.OnHost(base, name)
}

// CheckAllowedHosts reports the first entry of names that cannot be a
// Config.AllowedHosts entry: a host name or an IP address, without scheme
// or port.
func CheckAllowedHosts(names []string) error {
	for _, n := range names {
		if _, err := allowedHost(n); err != nil {
			return err
		}
	}
	return nil
}

// allowedHost returns an AllowedHosts entry as hostName would read it from
// a Host header.
func allowedHost(entry string) (string, error) {
	bad := fmt.Errorf("allowed host %q: want a host name or IP address, without scheme or port", entry)
	if strings.Contains(entry, ":") {
		// Only an IPv6 address has a colon here, bracketed or not.
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(entry, "["), "]"))
		if err != nil || a.Zone() != "" {
			return "", bad
		}
		return a.Unmap().String(), nil
	}
	name, ok := hostName(entry)
	if !ok {
		return "", bad
	}
	return name, nil
}

// hostName reads the name in a Host header, host or host:port: lower case,
// without the port and a trailing dot, an IP address in its canonical form
// without brackets. It is false for anything else: a port that is not a
// port, an IPv6 address without brackets or with a zone, a name with
// characters no DNS name has.
func hostName(hostport string) (string, bool) {
	host := hostport
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", false
		}
		inner, rest := hostport[1:end], hostport[end+1:]
		if rest != "" && (rest[0] != ':' || !validPort(rest[1:])) {
			return "", false
		}
		a, err := netip.ParseAddr(inner)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", false
		}
		return a.Unmap().String(), true
	}
	if i := strings.IndexByte(hostport, ':'); i >= 0 {
		// A second colon makes the port invalid: an IPv6 address needs
		// its brackets.
		if !validPort(hostport[i+1:]) {
			return "", false
		}
		host = hostport[:i]
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
		return a.String(), true
	}
	if !validDNSName(name) {
		return "", false
	}
	return name, true
}

// validPort reports whether s is a TCP port: 1 to 5 digits, at most 65535.
func validPort(s string) bool {
	if len(s) == 0 || len(s) > 5 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	n, err := strconv.Atoi(s)
	return err == nil && n <= 65535
}

// validDNSName reports whether name (lower case, no trailing dot) is made
// of labels of letters, digits, hyphens and underscores (container and
// service names have them), each 1 to 63 bytes, not starting or ending
// with a hyphen, 253 bytes in all at most. A name in another script
// arrives as its xn-- form.
func validDNSName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := range len(label) {
			switch c := label[i]; {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			default:
				return false
			}
		}
	}
	return true
}

// allows reports whether the server answers to name (as hostName returns
// it) on a request that came in on a loopback address, or on another.
func (h hostRule) allows(name string, loopback bool) bool {
	if h.allowed[name] || name == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(name)
	return err == nil && (a.IsLoopback() || !loopback)
}

// cameOnLoopback reports whether r came in on a loopback address, or on an
// address the server cannot tell.
func cameOnLoopback(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
	if !ok {
		return true
	}
	return addr.AddrPort().Addr().Unmap().IsLoopback()
}

// refuseHost answers a request whose Host the rule refuses, saying what
// would let the server answer to it, and reports whether it did.
func (s *Server) refuseHost(w http.ResponseWriter, r *http.Request) bool {
	name, ok := hostName(r.Host)
	switch {
	case ok && s.hostNames.allows(name, cameOnLoopback(r)):
		return false
	case !ok:
		http.Error(w, "malformed Host header", http.StatusBadRequest)
	default:
		// name passed hostName, so it is safe to repeat: an IP address, or
		// letters, digits, dots, hyphens and underscores.
		http.Error(w, fmt.Sprintf("this show server does not answer to the host name %q; "+
			"to serve the show under that name, start it with --allowed-hosts %s, or give it a --public-url on that host", name, name),
			http.StatusMisdirectedRequest)
	}
	s.log.Info("host refused", "host", r.Host, "remote", r.RemoteAddr, "path", r.URL.Path)
	return true
}
