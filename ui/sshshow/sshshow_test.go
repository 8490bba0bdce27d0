package sshshow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The test terminals' reply readers (see answer) outlive their tests.
		goleak.IgnoreAnyFunction("github.com/livecart/livecart/ui/sshshow_test.answer"),
		// A cursor blink that an ended program had asked for waits out its
		// timer (half a second) and ends on its own.
		goleak.IgnoreAnyFunction("charm.land/bubbles/v2/cursor.(*Model).Blink.func1"),
	)
}

// chatFrom waits until c sees a chat line with text, and returns it.
func chatFrom(t *testing.T, c *client.Conn, text string) protocol.Chat {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case batch, ok := <-c.Events():
			if !ok {
				t.Fatalf("the connection ended before %q was said: %v", text, c.Err())
			}
			for _, env := range batch {
				if env.Type != protocol.TypeChat {
					continue
				}
				line, err := protocol.Decode[protocol.Chat](env)
				if err != nil {
					t.Fatal(err)
				}
				if line.Text == text {
					return line
				}
			}
		case <-deadline:
			t.Fatalf("nobody said %q", text)
		}
	}
}

// TestSessionWatchesTheShow: a session with a PTY sees the pinned product
// and the chat, and its own chat line reaches a WebSocket viewer under
// the SSH user's name.
func TestSessionWatchesTheShow(t *testing.T) {
	r := startRig(t)
	host := r.host()
	watcher, err := client.Dial(context.Background(), client.Options{URL: r.show.WS, Name: "watcher"})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()

	tm := r.open("ana", newKey(t), 100, 30)
	tm.waitFor("Nothing pinned")
	p := r.pin(host, 1)
	tm.waitFor(p.Name)
	if err := watcher.Send(protocol.TypeSay, protocol.Say{Text: "hello from the web"}); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("hello from the web")

	tm.keys("\r")
	tm.waitFor("enter sends")
	tm.keys("hi from ssh\r")
	line := chatFrom(t, watcher, "hi from ssh")
	if line.Author.Name != "ana" {
		t.Errorf("the line's author is %q, want the SSH user name ana", line.Author.Name)
	}
	tm.waitFor("hi from ssh")
}

// TestNoPTYIsRefused: ssh -T gets one line saying why, and exit status 1.
func TestNoPTYIsRefused(t *testing.T) {
	r := startRig(t)
	c := r.dial("ana", newKey(t))
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.CombinedOutput("")
	if got := exitStatus(err); got != 1 {
		t.Errorf("exit status %d (%v), want 1", got, err)
	}
	text := strings.TrimSpace(string(out))
	if strings.Count(text, "\n") != 0 || !strings.Contains(text, "needs a terminal") {
		t.Errorf("refusal %q, want one line that says a terminal is needed", text)
	}
}
