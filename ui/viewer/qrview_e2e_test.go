package viewer

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// TestEndToEndScanToCheckout runs a real show on loopback with no browser
// to open: the viewer adds the pinned beanie, o draws the link at 80x24,
// and the code on screen, read as a phone would, opens the show's
// checkout page for that beanie.
func TestEndToEndScanToCheckout(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	const token = "e2e-host-token-0002"
	show := showtest.Start(t, server.Config{Catalog: showtest.Catalog(t, demo.Catalog()), HostToken: token})

	d := uitest.Open[Model](t, App(Options{
		URL: show.WS, Name: "ana", Theme: "dark", OpenBrowser: false,
		Carts: CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick:  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	}))
	defer d.Stop()
	d.Handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.Until("Nothing pinned")

	host, err := client.Dial(context.Background(), client.Options{URL: show.WS, Name: "host", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	if err := host.Send(protocol.TypePin, protocol.Pin{ProductID: "beanie", VariantID: "beanie-oat"}); err != nil {
		t.Fatal(err)
	}
	d.Until("a add •")
	d.Key('a')
	d.Until("cart: 1 item")
	d.Key('o')
	screen := d.Until("o/esc close")

	link, _, ok := scan(t, screen, true)
	if !ok || !strings.Contains(link, "/cart/beanie-oat:1") {
		t.Fatalf("the code reads %q (ok %v):\n%s", link, ok, screen)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Chunky Knit Beanie") {
		t.Errorf("the scanned link's page (status %d) lacks the beanie:\n%s", resp.StatusCode, page)
	}
}
