package viewer_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/viewer"
)

// skewedShow serves a show whose clock is off from this machine's by
// offset. It says nothing but its welcome: the pinned mug is on a deal
// that ends five minutes after the show's now, and the welcome's stamp is
// the only word of the show's clock the viewer gets.
func skewedShow(t *testing.T, offset time.Duration) string {
	t.Helper()
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		if _, _, err := ws.ReadMessage(); err != nil { // the hello
			return
		}
		now := time.Now().Add(offset)
		mug := uitest.Product("mug", "Speckled Mug", 2400, protocol.Variant{ID: "mug-blue", Name: "Blue", Stock: 12})
		mug.Deal = &protocol.Deal{Price: money.New(1800, "USD"), Percent: 25, EndsAt: now.Add(5 * time.Minute)}
		frame, err := protocol.Encode(protocol.TypeWelcome, 1, now, protocol.Welcome{
			Version:  protocol.Version,
			Epoch:    "e1",
			You:      uitest.Viewer("u-me", "me"),
			Show:     protocol.ShowInfo{ID: "skew", Title: "Skewed Live", Host: "Maya"},
			Catalog:  []protocol.Product{mug},
			Pinned:   &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
			Viewers:  3,
			Checkout: "http://127.0.0.1:7420/cart/{items}",
		})
		if err != nil {
			t.Error(err)
			return
		}
		if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
			return
		}
		for { // hold the line until the viewer goes
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
}

// A viewer whose first event is the welcome counts a deal down by the
// show's clock, whichever way this machine's clock is off.
func TestWelcomeSetsTheShowsClock(t *testing.T) {
	left := regexp.MustCompile(`FLASH DEAL · (4:59|5:00) left`)
	for _, offset := range []time.Duration{time.Hour, -time.Hour} {
		t.Run(offset.String(), func(t *testing.T) {
			d := uitest.Open[viewer.Model](t, viewer.App(viewer.Options{
				URL: skewedShow(t, offset), Name: "me", Theme: "dark", Tick: uitest.NoTick,
			}))
			defer d.Stop()
			d.Handle(tea.WindowSizeMsg{Width: 100, Height: 30})
			screen := d.Until("Speckled Mug")
			if !left.MatchString(screen) {
				t.Errorf("with the show's clock %v off, the card says:\n%s", offset, screen)
			}
		})
	}
}
