package host

import (
	"errors"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// TestViewFitsAnySize resizes the dashboard through every storm size in
// each state it can be in and checks every frame fits the screen.
func TestViewFitsAnySize(t *testing.T) {
	states := []struct {
		name string
		make func(t *testing.T) *harness
	}{
		{"connecting", func(t *testing.T) *harness { return newHarness(t, 80, 24) }},
		{"failed", func(t *testing.T) *harness {
			h := newHarness(t, 80, 24)
			h.Start()
			h.Updates(uitest.Connecting(1), client.Update{Kind: client.UpdateFailed, Err: errors.New("server said 404 Not Found")})
			return h
		}},
		{"rejected", func(t *testing.T) *harness {
			h := newHarness(t, 80, 24)
			h.Start()
			w := testWelcome()
			w.You = uitest.Viewer("u-9", "viewer-9")
			h.Updates(uitest.Connecting(1), uitest.Snapshot(w, 100, false))
			return h
		}},
		{"dashboard", func(t *testing.T) *harness { return dashboard(t, 80, 24) }},
		{"help", func(t *testing.T) *harness {
			h := dashboard(t, 80, 24)
			h.PressSettle("?")
			return h
		}},
		{"moderating", func(t *testing.T) *harness {
			h := dashboard(t, 80, 24)
			h.chatFocus("c08")
			return h
		}},
		{"typing", func(t *testing.T) *harness {
			h := dashboard(t, 80, 24)
			h.PressSettle("enter")
			h.TypeText("a long line typed into the chat input while the window changes size")
			return h
		}},
		{"prompt", func(t *testing.T) *harness {
			h := dashboard(t, 80, 24)
			h.PressSettle("n")
			return h
		}},
		{"auction", func(t *testing.T) *harness { return auctionRunning(t, 80, 24) }},
		{"giveaway drawn", func(t *testing.T) *harness { return giveawayDrawn(t, 80, 24) }},
		{"every format", func(t *testing.T) *harness { return formatsShow(t, 80, 24) }},
		{"auction prompt", func(t *testing.T) *harness {
			h := formatsShow(t, 80, 24)
			h.Events(h.env(protocol.TypeAuction, 120, func() protocol.Auction {
				a := mugAuction("a1", 12, &uitest.Ana, 1400)
				a.State = protocol.AuctionSold
				return a
			}()))
			h.PressSettle("A")
			h.TypeText("$5 30s sudden")
			return h
		}},
		{"draw confirm", func(t *testing.T) *harness {
			h := formatsShow(t, 80, 24)
			h.PressSettle("D")
			return h
		}},
		{"reconnecting", func(t *testing.T) *harness {
			h := dashboard(t, 80, 24)
			h.Updates(uitest.Waiting(errLinkSilent, 12, uitest.T0.Add(30*time.Second)))
			return h
		}},
		{"ended", func(t *testing.T) *harness {
			h := dashboard(t, 80, 24)
			h.Updates(client.Update{Kind: client.UpdateFailed, Err: errors.New("the show has ended")})
			return h
		}},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			st.make(t).FitsEverySize()
		})
	}
}
