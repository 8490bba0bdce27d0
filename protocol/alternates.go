package protocol

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Limits of a welcome's alternates: what a client reads of them, whoever
// sent them.
const (
	// MaxAlternates is how many entries of Welcome.Alternates a client
	// reads; it ignores the rest.
	MaxAlternates = 16
	// MaxAlternateBytes bounds one alternate URL, in bytes.
	MaxAlternateBytes = 512
)

// CheckAlternate reports whether raw is an alternate a client may dial: a
// ws:// or wss:// URL with a host, at most MaxAlternateBytes of printable
// ASCII, with no user name or password and no fragment. The server that
// sends it is a stranger to the user, and the URL may be shown on screen,
// so nothing else is taken. Servers check what they send with it too.
func CheckAlternate(raw string) error {
	if raw == "" {
		return errors.New("alternate URL is empty")
	}
	if len(raw) > MaxAlternateBytes {
		return fmt.Errorf("alternate URL is %d bytes, more than %d", len(raw), MaxAlternateBytes)
	}
	for i := 0; i < len(raw); i++ {
		// Printable ASCII only: no control characters, spaces or escape
		// sequences reach a terminal, and an internationalised host comes
		// in its xn-- form.
		if raw[i] <= ' ' || raw[i] > '~' {
			return fmt.Errorf("alternate URL %q has a character a URL cannot have", truncateForError(raw))
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("alternate URL %q is not a URL", truncateForError(raw))
	}
	switch {
	case u.Scheme != "ws" && u.Scheme != "wss":
		return fmt.Errorf("alternate URL %q: scheme must be ws or wss", truncateForError(raw))
	case u.Hostname() == "":
		return fmt.Errorf("alternate URL %q has no host", truncateForError(raw))
	case !validPort(u.Port()):
		return fmt.Errorf("alternate URL %q has a port out of range", truncateForError(raw))
	case u.User != nil:
		return fmt.Errorf("alternate URL %q carries a user name or password", truncateForError(raw))
	case u.Fragment != "" || u.RawFragment != "":
		return fmt.Errorf("alternate URL %q has a fragment", truncateForError(raw))
	}
	return nil
}

// UsableAlternates returns the welcome's alternates a client may dial, in
// the server's order: of the first MaxAlternates entries, those
// CheckAlternate accepts, each once. A bad entry is skipped, not a reason
// to refuse the welcome: the show is still there.
func (w Welcome) UsableAlternates() []string {
	alts := w.Alternates[:min(len(w.Alternates), MaxAlternates)]
	var out []string
	for _, a := range alts {
		if CheckAlternate(a) != nil || slices.Contains(out, a) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// validPort reports whether p, as url.URL.Port returns it, is empty or a
// port number: url.Parse checks only that it is digits.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// OnHost returns raw, a URL of a server's, with host (a host name or IP
// address, without brackets or port) in place of a wildcard address:
// a server listening on every address (0.0.0.0, [::]) with no public URL
// has no address of its own to put in a link, and on another machine the
// wildcard would name that machine. raw's port stays. Any other raw, or
// an empty host, is returned as it is.
func OnHost(raw, host string) string {
	u, err := url.Parse(raw)
	if err != nil || host == "" {
		return raw
	}
	if a, err := netip.ParseAddr(u.Hostname()); err != nil || !a.IsUnspecified() {
		return raw
	}
	switch port := u.Port(); {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	return u.String()
}
