package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/adrg/xdg"

	"github.com/livecart/livecart/ui/sshshow"
)

// This file serves the viewer to SSH sessions next to a show (serve --ssh).

// defaultSSHDir is where the SSH server keeps its host key, its identity
// key and the carts of its viewers, by default.
func defaultSSHDir() string { return filepath.Join(xdg.StateHome, "livecart", "ssh") }

// sshSessions is how many connections the SSH server may open to the
// show: every session is a viewer, and all of them come from this
// machine, so the show's cap per address must leave room for them.
func sshSessions(addr string) int {
	if addr == "" {
		return 0
	}
	return sshshow.DefaultMaxSessions
}

// sshShow is the SSH server of a running show.
type sshShow struct {
	addr        string
	fingerprint string
	done        chan error
}

// startSSH listens on addr and serves the viewer of the show at wsURL to
// SSH sessions until ctx ends.
func startSSH(ctx context.Context, addr, dir, wsURL string, logger *slog.Logger) (*sshShow, error) {
	if dir == "" {
		dir = defaultSSHDir()
	}
	srv, err := sshshow.New(sshshow.Config{ShowURL: wsURL, StateDir: dir, Logger: logger})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for ssh on %s: %w", addr, err)
	}
	s := &sshShow{addr: ln.Addr().String(), fingerprint: srv.HostKeyFingerprint(), done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ctx, ln) }()
	return s, nil
}

// command is how a user on this machine joins; from elsewhere, the host
// is this machine's name.
func (s *sshShow) command() string {
	host, port, err := net.SplitHostPort(s.addr)
	if err != nil {
		return "ssh " + s.addr
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	if port == "22" {
		return "ssh " + host
	}
	return "ssh -p " + port + " " + host
}

// wait returns once the SSH server has stopped (nil: it was never started).
func (s *sshShow) wait() error {
	if s == nil {
		return nil
	}
	return <-s.done
}
