package ui

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/protocol"
)

var updateGolden = flag.Bool("update", false, "rewrite ui/testdata/*.golden from the current View")

// checkScreen fails unless the view fills exactly w by h cells and no row
// is wider than the screen. It runs before a golden is written, so a
// layout bug fails even while refreshing.
func checkScreen(t *testing.T, raw string, w, h int) {
	t.Helper()
	rows := strings.Split(raw, "\n")
	if len(rows) != h {
		t.Errorf("view has %d rows, want %d", len(rows), h)
	}
	for i, r := range rows {
		if n := lipgloss.Width(r); n > w {
			t.Errorf("row %d is %d cells wide, more than %d", i+1, n, w)
		}
	}
}

func golden(t *testing.T, name string, h *harness, w, ht int) {
	t.Helper()
	raw := h.m.View().Content
	checkScreen(t, raw, w, ht)
	got := h.view() + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the view (go test ./ui -update refreshes it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func TestGoldenLive(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}, {160, 50}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := live(t, sz.w, sz.h)
			golden(t, fmt.Sprintf("live_%dx%d", sz.w, sz.h), h, sz.w, sz.h)
		})
	}
}

// withCart is a live show with two lines in the cart and its panel open.
func withCart(t *testing.T, w, ht int) *harness {
	h := live(t, w, ht)
	h.pressSettle("a", "a")
	h.events(env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.pressSettle("a", "c", "down")
	return h
}

func TestGoldenCartOpen(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := withCart(t, sz.w, sz.h)
			golden(t, fmt.Sprintf("cart_%dx%d", sz.w, sz.h), h, sz.w, sz.h)
		})
	}
}

// TestGoldenUnsaved is a cart whose saves fail: the reason on the status
// line, and the mark beside a toast.
func TestGoldenUnsaved(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{50, 15}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := live(t, sz.w, sz.h)
			h.store.set(func(s *memStore) { s.saveErr = diskFull })
			h.pressSettle("a")
			golden(t, fmt.Sprintf("unsaved_toast_%dx%d", sz.w, sz.h), h, sz.w, sz.h)
			h.expireToast()
			golden(t, fmt.Sprintf("unsaved_%dx%d", sz.w, sz.h), h, sz.w, sz.h)
		})
	}
}

func TestGoldenOtherScreens(t *testing.T) {
	t.Run("connecting", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		golden(t, "connecting_80x24", h, 80, 24)
	})
	t.Run("failed with countdown", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.start()
		h.updates(connecting(1))
		h.drop(errors.New("connect to ws://127.0.0.1:7420/ws: dial tcp 127.0.0.1:7420: connect: connection refused"), 2, 4*time.Second)
		golden(t, "failed_countdown_80x24", h, 80, 24)
	})
	t.Run("failed", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.start()
		h.updates(connecting(1), failed(errors.New("connect to ws://127.0.0.1:7420/ws: server said 404 Not Found")))
		golden(t, "failed_80x24", h, 80, 24)
	})
	t.Run("reconnecting", func(t *testing.T) {
		tk := &ticker{}
		h := live(t, 80, 24, func(o *Options) { o.Tick = tk.tick })
		h.drop(errors.New("the link went silent"), 3, 8*time.Second)
		h.send(tk.lastClock(t, t0.Add(time.Second)))
		// The long link state pushes the host out of the header, not the
		// audience's size.
		h.mustShow("Cosy Corner Live · 128 watching", "reconnecting · attempt 3 in 7s")
		golden(t, "reconnecting_80x24", h, 80, 24)
	})
	t.Run("offline with link", func(t *testing.T) {
		h := live(t, 80, 24, func(o *Options) { o.OpenBrowser = false })
		h.pressSettle("a", "x")
		h.updates(failed(errors.New("fell too far behind the show")))
		golden(t, "offline_link_80x24", h, 80, 24)
	})
	t.Run("help", func(t *testing.T) {
		h := live(t, 80, 24)
		h.press("?")
		golden(t, "help_80x24", h, 80, 24)
	})
}

// TestScreenFitsEverySize checks the frame at sizes no golden covers,
// including the threshold where the layout turns wide, in every state of
// the link.
func TestScreenFitsEverySize(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{40, 12}, {60, 20}, {99, 30}, {100, 30}, {101, 30}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := live(t, sz.w, sz.h)
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.pressSettle("a", "c")
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.press("c", "?")
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.press("?")
			h.drop(errors.New("the link went silent"), 12, 30*time.Second)
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.updates(connecting(12))
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.updates(failed(errors.New("the show has ended")))
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
		})
		t.Run(fmt.Sprintf("%dx%d before the show", sz.w, sz.h), func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h)
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.start()
			h.drop(errors.New("connect to ws://127.0.0.1:7420/ws: dial tcp 127.0.0.1:7420: connect: connection refused"), 2, 4*time.Second)
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.updates(connecting(2))
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.updates(failed(errors.New("server said 404 Not Found")))
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
		})
	}
}
