package viewer

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
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
		{"auction", func(t *testing.T) *harness { return auctionScene(t, 80, 24) }},
		{"auction with long names", func(t *testing.T) *harness {
			h := auctionScene(t, 80, 24)
			long := uitest.Viewer("u-long", strings.Repeat("Bartholomew", 3)[:protocol.MaxNameRunes])
			a := bidOn(bidOn(testAuction(), me, 1000), long, 123456789)
			a.Extensions = 12
			h.Events(env(t, protocol.TypeAuction, a), env(t, protocol.TypeMaxBid, protocol.MaxBid{AuctionID: "a1", Max: usd(999999999)}))
			return h
		}},
		{"max bid prompt", func(t *testing.T) *harness {
			h := auctionOn(t, 80, 24)
			h.PressSettle("m")
			h.TypeText("12.50")
			return h
		}},
		{"auction won", func(t *testing.T) *harness {
			h := auctionOn(t, 80, 24)
			won := bidOn(testAuction(), me, 1400)
			won.State = protocol.AuctionSold
			h.Events(env(t, protocol.TypeAuction, won), env(t, protocol.TypeAuctionWon, protocol.AuctionWon{
				AuctionID: "a1", ProductID: "mug", VariantID: "mug-green", Price: usd(1400),
				Checkout: "http://127.0.0.1:7420/pay/a1", HeldUntil: uitest.T0.Add(time.Hour),
			}))
			return h
		}},
		{"giveaway and auction", func(t *testing.T) *harness {
			h := auctionScene(t, 80, 24)
			g := testGiveaway()
			g.BuyersOnly = true
			h.Events(env(t, protocol.TypeGiveaway, g))
			return h
		}},
		{"giveaway drawn", func(t *testing.T) *harness {
			h := giveawayOn(t, 80, 24, testGiveaway())
			h.Events(env(t, protocol.TypeGiveaway, drawn(testGiveaway(), uitest.Viewer("u-long", strings.Repeat("Wilhelmina", 3)[:protocol.MaxNameRunes]))))
			return h
		}},
		{"gift picker", func(t *testing.T) *harness {
			h := joinedTo(t, giftShow(), 80, 24)
			h.PressSettle("g", "3")
			return h
		}},
		{"gift rising", func(t *testing.T) *harness {
			tk := &uitest.Ticker{}
			h := joinedTo(t, giftShow(), 80, 24, func(o *Options) { o.Tick = tk.Tick })
			for i := range 120 {
				h.Events(giftEnv(t, fmt.Sprintf("gf%d", i), uitest.Ana, "rocket", 2000))
			}
			fs := frameTicks(tk)
			h.Send(fs[len(fs)-1](time.Time{}))
			return h
		}},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			st.make(t).FitsEverySize()
		})
	}
}
