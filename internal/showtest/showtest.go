// Package showtest runs a real show server on loopback for the tests of
// other packages: server.New and Serve, as livecart serve runs them, on
// 127.0.0.1, never a fake. Tests inside package server cannot import it
// (it imports server) and have helpers of their own.
package showtest

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/livecart/livecart/server"
)

// Show is a show server serving on a loopback port.
type Show struct {
	Server *server.Server
	Addr   string // host:port it listens on
	URL    string // http://Addr, the base of the checkout page and /orders
	WS     string // ws://Addr/ws, what clients dial
	stop   func()
}

// Catalog parses a catalog, failing the test if it is not one.
func Catalog(t testing.TB, raw []byte) server.Catalog {
	t.Helper()
	cat, err := server.ParseCatalog(raw)
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	return cat
}

// Start serves cfg's show on a free loopback port until Stop is called or
// the test ends.
func Start(t testing.TB, cfg server.Config) *Show {
	t.Helper()
	return StartAt(t, "127.0.0.1:0", cfg)
}

// StartAt is Start on addr: a test that stopped a show restarts it on the
// same address with StartAt(t, show.Addr, cfg).
func StartAt(t testing.TB, addr string, cfg server.Config) *Show {
	t.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("new show server: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	s := &Show{Server: srv, Addr: ln.Addr().String()}
	s.URL = "http://" + s.Addr
	s.WS = "ws://" + s.Addr + "/ws"
	s.stop = sync.OnceFunc(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	// Registered before the test's clients, so it runs after their own
	// cleanups have closed them.
	t.Cleanup(s.stop)
	return s
}

// Stop shuts the show down as Serve does when its context ends: every
// socket is closed with protocol.CloseGoingAway, and Stop returns once
// every connection goroutine has ended. It is safe to call more than once.
func (s *Show) Stop() { s.stop() }
