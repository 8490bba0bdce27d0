package host

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

var updateGolden = flag.Bool("update", false, "rewrite ui/host/testdata/*.golden from the current View")

// checkScreen fails unless the view is exactly h rows of at most w cells.
// It runs before a golden is written, so a layout bug fails even while
// refreshing.
func checkScreen(t *testing.T, raw string, w, h int) {
	t.Helper()
	rows := strings.Split(raw, "\n")
	if len(rows) != h {
		t.Errorf("view has %d rows, want %d", len(rows), h)
	}
	for i, r := range rows {
		if n := cells(r); n > w {
			t.Errorf("row %d is %d cells wide, more than %d", i+1, n, w)
		}
	}
}

func golden(t *testing.T, name string, h *harness, w, ht int) {
	t.Helper()
	checkScreen(t, h.m.View().Content, w, ht)
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
		t.Fatalf("%v (run go test ./ui/host -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the view (go test ./ui/host -update refreshes it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
	if strings.Contains(got, testToken) {
		t.Errorf("%s shows the host token", path)
	}
}

// dashboard is a show in full swing, every value fixed: a minute of
// metrics, a deal on the scarf with 4:32 to go by the server's clock, an
// up-next list and a slow mode.
func dashboard(t *testing.T, w, ht int) *harness {
	t.Helper()
	h := joined(t, w, ht)
	for i := range 60 {
		mt := baseMetrics()
		mt.Viewers = 90 + (i*7)%40
		mt.PeakViewers = 140
		mt.ChatPerMinute = 18 + (i*13)%30
		mt.ChatHeld = 3 * i
		mt.Revenue = money.New(int64(i)*700, "USD")
		mt.SlowModeSeconds = 10
		mt.BlockedWords = []string{"spam", "followers"}
		h.metricsEvent(mt)
	}
	scarf := product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Description = "Soft, warm, fine merino wool"
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: t0.Add(4*time.Minute + 32*time.Second), PerBuyer: 2}
	h.events(
		h.env(protocol.TypeProduct, 101, scarf),
		h.env(protocol.TypeViewers, 102, protocol.Viewers{Count: 131}),
		h.env(protocol.TypePurchase, 103, protocol.Purchase{Buyer: "ana", ProductID: "mug", ProductName: "Speckled Mug", VariantID: "mug-blue", Qty: 2}),
		h.env(protocol.TypePurchase, 104, protocol.Purchase{Buyer: "cy_knits", ProductID: "scarf", ProductName: "Merino Scarf", VariantID: "scarf-red", Qty: 1}),
	)
	h.selectProduct("scarf")
	return h
}

func TestGoldenDashboard(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 50}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := dashboard(t, sz.w, sz.h)
			h.mustShow("$31.20 −20% 4:32")
			golden(t, fmt.Sprintf("dashboard_%dx%d", sz.w, sz.h), h, sz.w, sz.h)
		})
	}
}

func TestGoldenModerating(t *testing.T) {
	h := dashboard(t, 80, 24)
	h.chatFocus("c08")
	h.press("t")
	golden(t, "moderating_80x24", h, 80, 24)
}

func TestGoldenOtherScreens(t *testing.T) {
	t.Run("rejected", func(t *testing.T) {
		h := newHarness(t, 80, 24)
		h.start()
		w := testWelcome()
		w.You = viewer("u-9", "viewer-9")
		h.updates(connecting(1), snapshot(w, 100))
		golden(t, "rejected_80x24", h, 80, 24)
	})
	t.Run("help", func(t *testing.T) {
		h := dashboard(t, 80, 24)
		h.press("?")
		golden(t, "help_80x24", h, 80, 24)
	})
}

// TestScreenFitsEverySize checks the frame at sizes no golden covers,
// including the threshold where the layout turns wide, in every mode.
func TestScreenFitsEverySize(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{20, 6}, {40, 12}, {60, 20}, {80, 24}, {119, 30}, {120, 23}, {120, 24}, {160, 50}, {240, 70}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h)
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h = dashboard(t, sz.w, sz.h)
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			for _, keys := range [][]string{{"?"}, {"?", "f"}, {"esc", "tab", "b"}, {"n", "t"}, {"esc", "enter"}} {
				h.press(keys...)
				checkScreen(t, h.m.View().Content, sz.w, sz.h)
			}
			h.press("esc")
			h.updates(waiting(errLinkSilent, 12, t0.Add(30*time.Second)))
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
			h.updates(client.Update{Kind: client.UpdateFailed, Err: errors.New("the show has ended")})
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
		})
	}
}

// TestBusyDashboardFits checks the full dashboard, chat-cap note included,
// at the narrowest wide layout and just under it.
func TestBusyDashboardFits(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{119, 30}, {120, 24}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := dashboard(t, sz.w, sz.h)
			h.mustShow("177")
			checkScreen(t, h.m.View().Content, sz.w, sz.h)
		})
	}
}
