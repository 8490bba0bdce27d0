package viewer

import (
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/ui/internal/uitest"
)

// TestHelpFitsAfterResize: with the full help open, a change of width
// changes the help's height, and the chat is sized for the new one.
func TestHelpFitsAfterResize(t *testing.T) {
	h := joined(t, 80, 24)
	h.Press("?")
	h.Send(tea.WindowSizeMsg{Width: 39, Height: 23})
	h.Fits()
}

// TestViewFitsAnySize resizes the viewer through every storm size in each
// state it can be in and checks every frame fits the screen: a frame
// taller or wider than the screen is not what reaches it. Each resize goes
// through the harness, which also checks the memoised frame against a
// fresh one.
func TestViewFitsAnySize(t *testing.T) {
	states := []struct {
		name string
		make func(t *testing.T) *harness
	}{
		{"connecting", func(t *testing.T) *harness { return newHarness(t, 80, 24) }},
		{"retrying before the show", func(t *testing.T) *harness {
			h := newHarness(t, 80, 24)
			h.Start()
			h.Updates(uitest.Connecting(1))
			h.drop(errors.New("connect to ws://127.0.0.1:7420/ws: dial tcp 127.0.0.1:7420: connect: connection refused"), 2, 4*time.Second)
			return h
		}},
		{"failed", func(t *testing.T) *harness {
			h := newHarness(t, 80, 24)
			h.Start()
			h.Updates(uitest.Connecting(1), uitest.Failed(errors.New("server said 404 Not Found")))
			return h
		}},
		{"live", func(t *testing.T) *harness { return joined(t, 80, 24) }},
		{"cart open", func(t *testing.T) *harness { return withCart(t, 80, 24) }},
		{"help", func(t *testing.T) *harness {
			h := joined(t, 80, 24)
			h.Press("?")
			return h
		}},
		{"typing", func(t *testing.T) *harness {
			h := joined(t, 80, 24)
			h.Press("enter")
			h.TypeText("a long line typed into the chat input while the window changes size")
			return h
		}},
		{"checkout link", func(t *testing.T) *harness {
			h := joined(t, 80, 24, func(o *Options) { o.OpenBrowser = false })
			h.PressSettle("a", "x")
			return h
		}},
		{"cart not saved", func(t *testing.T) *harness {
			h := joined(t, 80, 24)
			h.store.set(func(s *memStore) { s.saveErr = diskFull })
			h.PressSettle("a")
			return h
		}},
		{"reconnecting", func(t *testing.T) *harness {
			h := joined(t, 80, 24)
			h.drop(errors.New("the link went silent"), 12, 30*time.Second)
			return h
		}},
		{"offline", func(t *testing.T) *harness {
			h := joined(t, 80, 24)
			h.Updates(uitest.Failed(errors.New("fell too far behind the show")))
			return h
		}},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			st.make(t).FitsEverySize()
		})
	}
}
