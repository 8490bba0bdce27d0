package ui

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

func TestGoldenOtherScreens(t *testing.T) {
	t.Run("connecting", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		golden(t, "connecting_80x24", h, 80, 24)
	})
	t.Run("failed", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.send(connectedMsg{gen: 0, err: errors.New("connect to ws://127.0.0.1:7420/ws: dial tcp 127.0.0.1:7420: connect: connection refused")})
		golden(t, "failed_80x24", h, 80, 24)
	})
	t.Run("offline with link", func(t *testing.T) {
		h := live(t, 80, 24, func(o *Options) { o.OpenBrowser = false })
		h.pressSettle("a", "x")
		h.send(closedMsg{gen: h.m.gen, err: errors.New("fell too far behind the show")})
		golden(t, "offline_link_80x24", h, 80, 24)
	})
	t.Run("help", func(t *testing.T) {
		h := live(t, 80, 24)
		h.press("?")
		golden(t, "help_80x24", h, 80, 24)
	})
}

// TestScreenFitsEverySize checks the frame at sizes no golden covers,
// including the threshold where the layout turns wide.
func TestScreenFitsEverySize(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{40, 12}, {60, 20}, {99, 30}, {100, 30}, {101, 30}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := live(t, sz.w, sz.h)
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.pressSettle("a", "c")
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.press("c", "?")
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
		})
	}
}
