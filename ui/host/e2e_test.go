package host_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/ui/host"
	"github.com/livecart/livecart/ui/internal/uitest"
)

func startServer(t *testing.T) (url string, products []string) {
	t.Helper()
	cat := showtest.Catalog(t, demo.Catalog())
	for _, p := range cat.Products {
		products = append(products, p.Name)
	}
	return showtest.Start(t, server.Config{Catalog: cat, HostToken: "the-right-host-token"}).WS, products
}

// noLeaks checks, after everything else the test set up has stopped
// (cleanups run last first), that no goroutine outlives it.
func noLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// TestHostEndToEnd goes from the keyboard through the real client to a
// real show server and back: the token makes the dashboard the host, p
// pins the selected product, and the pin event answers it.
func TestHostEndToEnd(t *testing.T) {
	noLeaks(t)
	url, products := startServer(t)
	d := uitest.Open[host.Model](t, host.App(host.Options{URL: url, Token: "the-right-host-token", Theme: "dark", Tick: uitest.NoTick}))
	d.Handle(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.Until("● connected")
	d.Until(products[0])
	d.Handle(tea.KeyPressMsg{Code: 'p', Text: "p"})
	d.Until("pinned: " + products[0])
	d.Until("✓ pin " + products[0])
	d.Until("Orders") // the metrics, once a second to hosts

	// A deal goes through the prompt, the server and back as a product
	// event with its deal.
	d.Handle(tea.KeyPressMsg{Code: 'f', Text: "f"})
	for _, r := range "20% 5m" {
		d.Handle(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.Handle(tea.KeyPressMsg{Code: tea.KeyEnter})
	d.Until("✓ start a deal on " + products[0])
	d.Until("−20% 5:00")
	if strings.Contains(d.Screen(), "the-right-host-token") {
		t.Error("the screen shows the token")
	}
	d.Stop()
}

func TestHostEndToEndWrongToken(t *testing.T) {
	noLeaks(t)
	url, _ := startServer(t)
	d := uitest.Open[host.Model](t, host.App(host.Options{URL: url, Token: "not-the-token", Theme: "dark", Tick: uitest.NoTick}))
	d.Handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	scr := d.Until("The server did not accept this host token")
	if strings.Contains(scr, "not-the-token") {
		t.Error("the screen shows the token")
	}
	if err := d.M.Err(); err == nil || strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("Err() = %v", err)
	}
	d.Stop()
}
