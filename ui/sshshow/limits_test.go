package sshshow_test

import (
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/livecart/livecart/ui/sshshow"
)

// TestConnectionsPerAddressAreCapped: past MaxPerAddr open connections
// from one address, a new one is closed before its handshake; once one
// closes, there is room again.
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	r := startRig(t, func(c *sshshow.Config) { c.MaxPerAddr = 2 })
	first := r.dial("a", newKey(t))
	r.dial("b", newKey(t))
	if c, err := r.tryDial(); err == nil {
		c.Close()
		t.Fatal("a third connection from one address got in")
	}
	first.Close()
	deadline := time.Now().Add(waitLimit)
	for {
		c, err := r.tryDial()
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no room after a connection closed: %v", err)
		}
		// The server learns of the close when its read fails; dialling
		// again is the only way to ask.
	}
}

// tryDial dials without failing the test.
func (r *rig) tryDial() (*gossh.Client, error) {
	return gossh.Dial("tcp", r.addr, &gossh.ClientConfig{
		User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(newKey(r.t))},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), //nolint:gosec // a test against its own server
		Timeout:         waitLimit,
	})
}

// TestNewSessionsAreRateLimited: past the burst, a new session is
// refused in one line.
func TestNewSessionsAreRateLimited(t *testing.T) {
	r := startRig(t, func(c *sshshow.Config) { c.SessionRate = 0.001; c.SessionBurst = 1 })
	first := r.open("a", newKey(t), 80, 24)
	first.waitFor("connected")
	second := r.open("b", newKey(t), 80, 24)
	if got := exitStatus(second.waitEnd()); got != 1 {
		t.Errorf("exit status %d, want 1", got)
	}
	if msg := second.errText(); !strings.Contains(msg, "too many people are joining") {
		t.Errorf("refusal %q", msg)
	}
}

// TestIdleSessionEnds: a session in which no key is pressed ends after
// the idle timeout, saying why once the screen is gone; one with a key
// pressed in time goes on.
func TestIdleSessionEnds(t *testing.T) {
	r := startRig(t, func(c *sshshow.Config) { c.IdleTimeout = time.Second })
	tm := r.open("a", newKey(t), 80, 24)
	tm.waitFor("connected")
	tm.waitEnd()
	tm.waitFor("without a key pressed")
}

// TestSessionWithoutKeyIsAnonymous: keyboard-interactive gets in; its
// cart lasts for the session only.
func TestSessionWithoutKeyIsAnonymous(t *testing.T) {
	r := startRig(t)
	r.pin(r.host(), 1)
	tm := r.open("guest", nil, 100, 30)
	tm.waitFor("a add •")
	tm.keys("a")
	tm.waitFor("Cart · 1 item")
	tm.keys("q")
	tm.waitEnd()

	again := r.open("guest", nil, 100, 30)
	again.waitFor("Empty · a adds the pinned product")
}

// TestLongestSession: any session ends after MaxSession, keys or not,
// saying why.
func TestLongestSession(t *testing.T) {
	r := startRig(t, func(c *sshshow.Config) { c.MaxSession = time.Second })
	tm := r.open("a", newKey(t), 80, 24)
	tm.waitFor("connected")
	tm.keys("\r")
	tm.waitEnd()
	tm.waitFor("a session lasts at most 1s")
}
