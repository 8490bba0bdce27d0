package sshshow

import (
	"io"
	"net"
	"sync"
	"time"
)

// gate counts what is open, per address and in all, and refuses past its
// caps. One mutex, never held across I/O.
type gate struct {
	perAddr, total int
	mu             sync.Mutex
	open           map[string]int
	all            int
}

func newGate(perAddr, total int) *gate {
	return &gate{perAddr: perAddr, total: total, open: map[string]int{}}
}

// acquire takes a place for addr, returning the function that gives it
// back (safe to call more than once), or false when a cap is reached.
func (g *gate) acquire(addr net.Addr) (release func(), ok bool) {
	host := hostOf(addr)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.all >= g.total || g.open[host] >= g.perAddr {
		return nil, false
	}
	g.all++
	g.open[host]++
	return sync.OnceFunc(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.all--
		if g.open[host]--; g.open[host] == 0 {
			delete(g.open, host)
		}
	}), true
}

// hostOf is the address a connection is counted under: its IP.
func hostOf(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	if host, _, err := net.SplitHostPort(addr.String()); err == nil {
		return host
	}
	return addr.String()
}

// gatedConn gives its place back when it is closed.
type gatedConn struct {
	net.Conn
	release func()
}

func (c gatedConn) Close() error {
	c.release()
	return c.Conn.Close()
}

// idleInput is a session's keyboard: every read puts off the idle timer.
// The screen keeps writing while the show runs, so only input tells a
// person who is there from a forgotten window.
type idleInput struct {
	io.Reader
	timer *time.Timer
	after time.Duration
}

func (r idleInput) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	if n > 0 {
		r.timer.Reset(r.after)
	}
	return n, err
}
