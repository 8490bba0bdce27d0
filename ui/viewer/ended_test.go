package viewer_test

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/viewer"
)

// When the host ends the show, the viewer says so, does not say it is
// reconnecting or offline, and keeps the cart on screen.
func TestShowEndedIsNotARestart(t *testing.T) {
	show := startShow(t)
	url := show.WS
	d := uitest.Open[viewer.Model](t, viewer.App(viewer.Options{
		URL: url, Name: "ana", Theme: "dark",
		Carts: viewer.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick:  uitest.NoTick,
	}))
	defer d.Stop()
	d.Handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.Until("Nothing pinned")

	host, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: "e2e-host-token-0001"})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	w, _ := host.Welcome()
	p := w.Catalog[0]
	if err := host.Send(protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: p.Variants[0].ID}); err != nil {
		t.Fatal(err)
	}
	d.Until("a add •")
	d.Key('a')
	d.Until("Added")

	show.Server.End()
	screen := d.Until("the show has ended")
	for _, wrong := range []string{"reconnecting", "offline", "Disconnected"} {
		if strings.Contains(screen, wrong) {
			t.Errorf("the screen says %q after the show ended:\n%s", wrong, screen)
		}
	}
	if d.M.Cart().Units() != 1 {
		t.Errorf("the cart holds %d units after the show ended, want 1", d.M.Cart().Units())
	}
	if !d.M.Link.Over {
		t.Error("the link is not marked as over")
	}
}
