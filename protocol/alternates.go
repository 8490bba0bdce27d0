package protocol

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
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
