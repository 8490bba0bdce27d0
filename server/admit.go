package server

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Retry-After values, in seconds, for a refused WebSocket request. A full
// server spreads its refused clients over a few seconds so they do not all
// come back at once; one address over its cap has time to close some.
const (
	retryFullMin  = 2
	retryFullSpan = 3 // random extra seconds, 0 to retryFullSpan-1
	retryPerIP    = 5
	retryClosed   = 5
)

// parseOrigins turns Config.AllowedOrigins into the set of hosts (host or
// host:port, lower case) a browser's Origin may name.
func parseOrigins(list []string) (map[string]bool, error) {
	hosts := make(map[string]bool, len(list))
	for _, o := range list {
		host := o
		if strings.Contains(o, "://") {
			u, err := url.Parse(o)
			if err != nil {
				return nil, fmt.Errorf("allowed origin %q: %w", o, err)
			}
			if u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
				return nil, fmt.Errorf("allowed origin %q: want scheme://host[:port] only", o)
			}
			host = u.Host
		}
		if host == "" || strings.ContainsAny(host, "/?#@ ") {
			return nil, fmt.Errorf("allowed origin %q: want scheme://host[:port] or host[:port]", o)
		}
		hosts[strings.ToLower(host)] = true
	}
	return hosts, nil
}

// originAllowed lets native clients in (they send no Origin) and browsers
// only from a page of this same server or of an allowed origin: any other
// site could otherwise open a socket with its visitor's network position
// and cookies.
func (a *admission) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || a.origins[strings.ToLower(u.Host)]
}

// admission caps the sockets the server holds, in all and per remote
// address, and refuses new ones once the server closes. It has a lock of
// its own: admitting is decided before the upgrade, and has nothing to do
// with the show's state.
type admission struct {
	origins  map[string]bool // hosts besides the request's own a browser's Origin may name
	maxConns int
	maxPerIP int

	mu     sync.Mutex
	closed bool           // guarded by mu
	ended  bool           // closed because the show is over; guarded by mu
	open   int            // sockets admitted and not yet ended; guarded by mu
	perIP  map[string]int // the same, by remote IP; guarded by mu
}

func newAdmission(origins map[string]bool, maxConns, maxPerIP int) *admission {
	return &admission{origins: origins, maxConns: maxConns, maxPerIP: maxPerIP, perIP: make(map[string]int)}
}

// admit decides, before the upgrade, whether a WebSocket request may go
// on: refused requests cost no goroutine and no WebSocket. On success it
// returns the function that gives the connection's place back; on refusal
// it has answered the request.
func (a *admission) admit(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	if !a.originAllowed(r) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return nil, false
	}
	ip := remoteIP(r.RemoteAddr)
	var refusal string
	retry := 0
	a.mu.Lock()
	switch {
	case a.ended:
		a.mu.Unlock()
		// Nothing to wait for: a Retry-After would only bring the client
		// back to a show that is over.
		http.Error(w, "the show has ended", http.StatusGone)
		return nil, false
	case a.closed:
		refusal, retry = "the show server is shutting down", retryClosed
	case a.open >= a.maxConns:
		refusal, retry = "the show is full", retryFullMin+rand.IntN(retryFullSpan)
	case a.perIP[ip] >= a.maxPerIP:
		refusal, retry = "too many connections from your address", retryPerIP
	default:
		a.open++
		a.perIP[ip]++
	}
	a.mu.Unlock()
	if refusal != "" {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		http.Error(w, refusal, http.StatusServiceUnavailable)
		return nil, false
	}
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.open--
		if a.perIP[ip]--; a.perIP[ip] <= 0 {
			delete(a.perIP, ip)
		}
	}, true
}

// close refuses every request from here on: with 410 Gone when ended
// (the show is over), else with 503 and a time to come back. Only the
// first close decides which.
func (a *admission) close(ended bool) {
	a.mu.Lock()
	if !a.closed {
		a.closed, a.ended = true, ended
	}
	a.mu.Unlock()
}

// remoteIP returns the IP of a request's peer as a map key. Forwarding
// headers are not trusted: any client can write them. An IPv4 address seen
// over IPv6 counts as itself.
func remoteIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return host
}
