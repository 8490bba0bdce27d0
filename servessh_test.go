package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/server"
)

// TestServeSSH: serve --ssh makes its host key in the state folder on
// first start and keeps it, so its fingerprint, printed at start, is the
// same the next time; the session it serves is refused without a PTY.
func TestServeSSH(t *testing.T) {
	home := isolate(t)
	logger := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	show, err := startShow(ctx, showOptions{addr: "127.0.0.1:0", personHosts: true, orders: filepath.Join(home, "orders.jsonl"), logger: logger, sshSessions: sshSessions(":0")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := show.wait(); err != nil {
			t.Error(err)
		}
	}()
	fingerprints := make([]string, 2)
	for i := range fingerprints {
		sctx, stop := context.WithCancel(ctx)
		s, err := startSSH(sctx, "127.0.0.1:0", "", show.wsURL, logger)
		if err != nil {
			t.Fatal(err)
		}
		fingerprints[i] = s.fingerprint
		if !strings.HasPrefix(s.command(), "ssh -p ") {
			t.Errorf("command %q", s.command())
		}
		refused(t, s.addr, s.fingerprint)
		stop()
		if err := s.wait(); err != nil {
			t.Error(err)
		}
	}
	if fingerprints[0] != fingerprints[1] || !strings.HasPrefix(fingerprints[0], "SHA256:") {
		t.Errorf("host key fingerprints %q, want one, kept", fingerprints)
	}
	if _, err := os.Stat(filepath.Join(defaultSSHDir(), "host_ed25519")); err != nil {
		t.Errorf("host key not in the state folder: %v", err)
	}
}

// refused opens a session without a PTY on the SSH server at addr.
func refused(t *testing.T, addr, fingerprint string) {
	t.Helper()
	c := sshDial(t, addr, func(_ string, _ net.Addr, k gossh.PublicKey) error {
		if got := gossh.FingerprintSHA256(k); got != fingerprint {
			t.Errorf("host key %s, printed %s", got, fingerprint)
		}
		return nil
	})
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, _ := sess.CombinedOutput("")
	if !strings.Contains(string(out), "needs a terminal") {
		t.Errorf("without a PTY: %q", out)
	}
}

// TestSSHLeavesRoomPerAddress: with --ssh, the show's cap per address
// has room for every SSH session besides its usual share, since they all
// come from this machine.
func TestSSHLeavesRoomPerAddress(t *testing.T) {
	home := isolate(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := startShow(ctx, showOptions{addr: "127.0.0.1:0", personHosts: true, orders: filepath.Join(home, "orders.jsonl"), logger: slog.New(slog.DiscardHandler), sshSessions: sshSessions(":2222")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := s.wait(); err != nil {
			t.Error(err)
		}
	}()
	for i := range server.DefaultMaxConnsPerIP + 1 {
		c, err := client.Dial(ctx, client.Options{URL: s.wsURL, Name: "v"})
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		defer c.Close()
	}
}

// sshDial connects to the SSH server at addr as "ana" with a new key,
// checking its host key with hostKey; the connection closes with the test.
func sshDial(t *testing.T, addr string, hostKey gossh.HostKeyCallback) *gossh.Client {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "ana", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, HostKeyCallback: hostKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
