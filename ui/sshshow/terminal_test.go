package sshshow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/sshshow"
)

// TestColourFollowsTheClient: the colours are the client terminal's, as
// its TERM and COLORTERM say, not the server's: 24-bit colour for a
// true-colour terminal, none of it for a vt100.
func TestColourFollowsTheClient(t *testing.T) {
	r := startRig(t)
	r.pin(r.host(), 1)
	rich := r.openAs("xterm-256color", "truecolor", "ana", newKey(t), 100, 30)
	rich.waitFor("a add •")
	if !strings.Contains(rich.rawOutput(), "38;2;") {
		t.Error("a true-colour terminal got no 24-bit colour")
	}
	plain := r.openAs("vt100", "", "bo", newKey(t), 100, 30)
	plain.waitFor("a add •")
	if out := plain.rawOutput(); strings.Contains(out, "38;2;") || strings.Contains(out, "38;5;") {
		t.Error("a vt100 got 256 or 24-bit colour")
	}
}

// TestCtrlZDoesNotSuspend: ctrl+z reaches nothing that could stop the
// server's process; the session goes on.
func TestCtrlZDoesNotSuspend(t *testing.T) {
	r := startRig(t)
	tm := r.open("ana", newKey(t), 100, 30)
	tm.waitFor("press enter to chat")
	tm.keys("\x1a")
	tm.keys("\r")
	tm.waitFor("enter sends")
}

// TestPanicEndsOnlyItsSession: a session that panics ends, and only it:
// the others go on and new ones start.
func TestPanicEndsOnlyItsSession(t *testing.T) {
	r := startRigWith(t, func(s *sshshow.Server) { sshshow.PanicFor(s, "boom") })
	ana := r.open("ana", newKey(t), 100, 30)
	ana.waitFor("press enter to chat")

	boom := r.open("boom", newKey(t), 100, 30)
	if got := exitStatus(boom.waitEnd()); got != 1 {
		t.Errorf("the failed session's exit status is %d, want 1", got)
	}
	if msg := boom.errText(); !strings.Contains(msg, "this session failed") {
		t.Errorf("the failed session was told %q", msg)
	}

	ana.keys("\r")
	ana.waitFor("enter sends")
	bo := r.open("bo", newKey(t), 100, 30)
	bo.waitFor("press enter to chat")
}

// TestClientGoneEndsTheViewer: when the SSH client goes without a word,
// its program ends and its viewer leaves the show.
func TestClientGoneEndsTheViewer(t *testing.T) {
	r := startRig(t)
	watcher, err := client.Dial(context.Background(), client.Options{URL: r.show.WS, Name: "watcher"})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	tm := r.open("ana", newKey(t), 100, 30)
	tm.waitFor("2 watching")
	tm.client.Close() // the network connection, not the session
	watching(t, watcher, 1)
}

// watching waits until c is told that n are watching.
func watching(t *testing.T, c *client.Conn, n int) {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case batch, ok := <-c.Events():
			if !ok {
				t.Fatalf("the connection ended: %v", c.Err())
			}
			for _, env := range batch {
				if env.Type != protocol.TypeViewers {
					continue
				}
				v, err := protocol.Decode[protocol.Viewers](env)
				if err != nil {
					t.Fatal(err)
				}
				if v.Count == n {
					return
				}
			}
		case <-deadline:
			t.Fatalf("never told that %d are watching", n)
		}
	}
}

// TestStopPutsTerminalsBack: a stopping server quits each session's
// program, so the client's terminal leaves the alternate screen, and
// says why before the connection closes.
func TestStopPutsTerminalsBack(t *testing.T) {
	r := startRig(t)
	tm := r.open("ana", newKey(t), 100, 30)
	tm.waitFor("press enter to chat")
	r.stopSSH()
	tm.waitEnd()
	tm.waitFor("the server is stopping")
	out := tm.rawOutput()
	if !strings.Contains(out, "\x1b[?1049h") {
		t.Fatal("the program never took the alternate screen")
	}
	if strings.LastIndex(out, "\x1b[?1049l") < strings.LastIndex(out, "\x1b[?1049h") {
		t.Error("the terminal was left on the alternate screen")
	}
}
