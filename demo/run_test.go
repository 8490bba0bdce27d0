package demo

import (
	"context"
	"net"
	"testing"

	"github.com/livecart/livecart/internal/showtest"
)

func TestRunFailsWhenHostCannotConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, url := range []string{"ws://" + addr + "/ws", "http://" + addr + "/ws", ""} {
		if err := Run(context.Background(), Config{URL: url, Audience: 3}); err == nil {
			t.Errorf("Run(%q) = nil, want an error", url)
		}
	}
}

func TestRunReturnsNilWhenCancelledFirst(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, Config{URL: "ws://127.0.0.1:1/ws", Audience: 3}); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}

// A show that ended before the demo's host got in is not a failure: the
// demo has nothing left to do.
func TestRunReturnsNilWhenTheShowHasEnded(t *testing.T) {
	running := showtest.Start(t, showConfig(t))
	running.Server.End()
	if err := Run(context.Background(), Config{URL: running.WS, HostToken: "demo-test-host-token", Audience: 2}); err != nil {
		t.Errorf("Run on an ended show = %v, want nil", err)
	}
}
