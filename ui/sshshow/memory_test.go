package sshshow_test

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/ui/sshshow"
)

// TestMemoryPerSession measures the heap N sessions take, when
// LIVECART_SSH_SESSIONS=N is set (it is skipped otherwise):
//
//	LIVECART_SSH_SESSIONS=200 go test -run MemoryPerSession -v ./ui/sshshow
//
// LIVECART_SSH_HEAPPROFILE=FILE also writes the heap, all sessions up, to
// FILE for go tool pprof.
// The figure is an upper bound: the test's SSH clients are in the same
// process, and so is the show server.
func TestMemoryPerSession(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LIVECART_SSH_SESSIONS"))
	if n <= 0 {
		t.Skip("set LIVECART_SSH_SESSIONS=N to measure N sessions")
	}
	r := startRig(t, func(c *sshshow.Config) {
		c.MaxSessions, c.MaxPerAddr, c.SessionBurst = n+1, n+1, n+1
	})
	watcher, err := client.Dial(context.Background(), client.Options{URL: r.show.WS, Name: "watcher"})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	before := heapInUse()
	for range n {
		c := r.dial("v", newKey(t))
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		sess.Stdout = io.Discard
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sess.Close() })
	}
	watching(t, watcher, n+1)
	after := heapInUse()
	if path := os.Getenv("LIVECART_SSH_HEAPPROFILE"); path != "" {
		writeHeapProfile(t, path)
	}
	t.Logf("%d sessions: heap in use %.1f MiB more, %.0f KiB a session", n,
		float64(after-before)/(1<<20), float64(after-before)/float64(n)/(1<<10))
}

// writeHeapProfile writes the heap as it is now to path.
func writeHeapProfile(t *testing.T, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
