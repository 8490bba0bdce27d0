package viewer

import (
	"errors"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

func TestGoldenLive(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {120, 40}, {160, 50}}, func(t *testing.T, width, height int) {
		h := joined(t, width, height)
		h.Golden(fmt.Sprintf("live_%dx%d", width, height))
	})
}

// withCart is a live show with two lines in the cart and its panel open.
func withCart(t *testing.T, w, ht int) *harness {
	h := joined(t, w, ht)
	h.PressSettle("a", "a")
	h.Events(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.PressSettle("a", "c", "down")
	return h
}

func TestGoldenCartOpen(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {120, 40}}, func(t *testing.T, width, height int) {
		h := withCart(t, width, height)
		h.Golden(fmt.Sprintf("cart_%dx%d", width, height))
	})
}

// TestGoldenUnsaved is a cart whose saves fail: the reason on the status
// line, and the mark beside a status message.
func TestGoldenUnsaved(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {120, 40}}, func(t *testing.T, width, height int) {
		h := joined(t, width, height)
		h.store.set(func(s *memStore) { s.saveErr = diskFull })
		h.PressSettle("a")
		h.Golden(fmt.Sprintf("unsaved_toast_%dx%d", width, height))
		h.expireToast()
		h.Golden(fmt.Sprintf("unsaved_%dx%d", width, height))
	})
}

func TestGoldenOtherScreens(t *testing.T) {
	t.Run("connecting", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.Golden("connecting_80x24")
	})
	t.Run("failed with countdown", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.Start()
		h.Updates(uitest.Connecting(1))
		h.drop(errors.New("connect to ws://127.0.0.1:7420/ws: dial tcp 127.0.0.1:7420: connect: connection refused"), 2, 4*time.Second)
		h.Golden("failed_countdown_80x24")
	})
	t.Run("failed", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.Start()
		h.Updates(uitest.Connecting(1), uitest.Failed(errors.New("connect to ws://127.0.0.1:7420/ws: server said 404 Not Found")))
		h.Golden("failed_80x24")
	})
	t.Run("reconnecting", func(t *testing.T) {
		tk := &uitest.Ticker{}
		h := joined(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
		h.drop(errors.New("the link went silent"), 3, 8*time.Second)
		h.Send(tk.LastClock(t, uitest.T0.Add(time.Second)))
		// The long link state pushes the host out of the header, not the
		// audience's size.
		h.MustShow("Cosy Corner Live · 128 watching", "reconnecting · attempt 3 in 7s")
		h.Golden("reconnecting_80x24")
	})
	t.Run("offline with link", func(t *testing.T) {
		h := joined(t, 80, 24, func(o *Options) { o.OpenBrowser = false })
		h.PressSettle("a", "x")
		h.Updates(uitest.Failed(errors.New("fell too far behind the show")))
		h.Golden("offline_link_80x24")
	})
	t.Run("help", func(t *testing.T) {
		h := joined(t, 80, 24)
		h.Press("?")
		h.Golden("help_80x24")
	})
}

// TestScreenFitsEverySize checks the frame at sizes no golden covers,
// including the threshold where the layout turns wide, in every state of
// the link.
func TestScreenFitsEverySize(t *testing.T) {
	uitest.EachSize(t, [][2]int{{40, 12}, {60, 20}, {99, 30}, {100, 30}, {101, 30}, {200, 60}}, func(t *testing.T, width, height int) {
		t.Run("on air", func(t *testing.T) {
			h := joined(t, width, height)
			h.Fits()
			h.PressSettle("a", "c")
			h.Fits()
			h.Press("c", "?")
			h.Fits()
			h.Press("?")
			h.drop(errors.New("the link went silent"), 12, 30*time.Second)
			h.Fits()
			h.Updates(uitest.Connecting(12))
			h.Fits()
			h.Updates(uitest.Failed(errors.New("the show has ended")))
			h.Fits()
		})
		t.Run("before the show", func(t *testing.T) {
			h := newHarness(t, width, height)
			h.Fits()
			h.Start()
			h.drop(errors.New("connect to ws://127.0.0.1:7420/ws: dial tcp 127.0.0.1:7420: connect: connection refused"), 2, 4*time.Second)
			h.Fits()
			h.Updates(uitest.Connecting(2))
			h.Fits()
			h.Updates(uitest.Failed(errors.New("server said 404 Not Found")))
			h.Fits()
		})
	})
}

// TestGoldenNotices: notices that stay, at the sizes a person might use:
// the show's rename explained, an order confirmed, and a checkout link no
// browser could open, each whole.
func TestGoldenNotices(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := newHarness(t, width, height, func(o *Options) { o.Name = "Maya" })
		w := testWelcome()
		w.You = uitest.Viewer("u-42", "viewer-0042")
		h.Join(w, 100)
		h.Events(uitest.Env(t, protocol.TypeOrder, 0, testOrder()))
		h.opener.err = errors.New("no DISPLAY")
		h.PressSettle("a", "x")
		h.expireToast()
		h.Golden(fmt.Sprintf("notices_%dx%d", width, height))
	})
}

// TestGoldenSlowMode: a line kept in the input while slow mode counts
// down.
func TestGoldenSlowMode(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}}, func(t *testing.T, width, height int) {
		h, tk := slowShow(t, width, height)
		h.typeLine("first")
		h.Send(tk.LastClock(t, uitest.T0.Add(3*time.Second)))
		h.Send(tea.PasteMsg{Content: "second"})
		h.PressSettle("enter")
		h.Golden(fmt.Sprintf("slowmode_%dx%d", width, height))
	})
}
