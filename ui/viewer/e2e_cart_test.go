package viewer_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/viewer"
)

// TestEndToEndCartFollowsTheDeal runs a real show on loopback, the real
// client session and the viewer: the host starts a deal of $5 off with a
// limit of 1 per buyer, the viewer adds three beanies, and x opens a link
// whose seen total is what the checkout page charges; the host ends the
// deal, the cart's total follows at once, and the next link carries the
// new total, which the page charges too.
func TestEndToEndCartFollowsTheDeal(t *testing.T) {
	// Registered first, so it runs after every other cleanup.
	t.Cleanup(func() { goleak.VerifyNone(t) })
	const token = "e2e-host-token-0001"
	show := showtest.Start(t, server.Config{Catalog: showtest.Catalog(t, demo.Catalog()), HostToken: token})

	opened := &openedURLs{}
	d := uitest.Open[viewer.Model](t, viewer.App(viewer.Options{
		URL: show.WS, Name: "ana", Theme: "dark", OpenBrowser: true, Opener: opened.opener(),
		Carts: viewer.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick:  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	}))
	defer d.Stop()
	d.Handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.Until("Nothing pinned")

	host, err := client.Dial(context.Background(), client.Options{URL: show.WS, Name: "host", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	hostSends(t, host, protocol.TypePin, protocol.Pin{ProductID: "beanie", VariantID: "beanie-oat"})
	hostSends(t, host, protocol.TypeStartDeal, protocol.StartDeal{ProductID: "beanie", AmountOff: 500, Seconds: 90, PerBuyer: 1})
	d.Until("FLASH DEAL")
	d.Until("a add •") // a is live once the saved cart has loaded

	for range 3 {
		d.Key('a')
	}
	d.Until("over the deal's limit of 1 each")
	d.Until("$79.00")
	d.Key('x')
	link := opened.wait(t, d, 1)
	if link.Path != "/cart/beanie-oat:3" || link.Query().Get(protocol.CheckoutSeenParam) != "7900" {
		t.Fatalf("x opened %s, want 3 beanies seen at 7900", link)
	}
	pageCharges(t, link, "$79.00")

	hostSends(t, host, protocol.TypeEndDeal, protocol.EndDeal{ProductID: "beanie"})
	d.Until("deal ended: Chunky Knit Beanie now $28.00")
	d.Until("$84.00")
	d.Key('x')
	link = opened.wait(t, d, 2)
	if link.Query().Get(protocol.CheckoutSeenParam) != "8400" {
		t.Fatalf("after the deal x opened %s, want seen=8400", link)
	}
	pageCharges(t, link, "$84.00")
}

func hostSends(t *testing.T, host *client.Conn, typ protocol.Type, data any) {
	t.Helper()
	if err := host.Send(typ, data); err != nil {
		t.Fatalf("host sends %s: %v", typ, err)
	}
}

// pageCharges fails unless the checkout page of link charges total and
// finds nothing changed since the viewer's cart made the link.
func pageCharges(t *testing.T, link *url.URL, total string) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Get(link.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<td class="num">`+total+`</td></tr></tfoot>`) {
		t.Errorf("the page for %s does not charge %s (status %d):\n%s", link, total, resp.StatusCode, page)
	}
	if strings.Contains(page, "You were shown") {
		t.Errorf("the page says the total changed since the cart made the link:\n%s", page)
	}
}

// openedURLs is an opener that records what it is asked to open.
type openedURLs struct {
	mu   sync.Mutex
	urls []string
}

func (o *openedURLs) opener() checkout.Opener {
	return checkout.OpenerFunc(func(u string) error {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.urls = append(o.urls, u)
		return nil
	})
}

// wait handles the program's messages until n URLs were opened, and
// returns the last.
func (o *openedURLs) wait(t *testing.T, d *uitest.Program[viewer.Model], n int) *url.URL {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		o.mu.Lock()
		urls := append([]string(nil), o.urls...)
		o.mu.Unlock()
		if len(urls) >= n {
			u, err := url.Parse(urls[n-1])
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		select {
		case msg := <-d.Msgs:
			d.Handle(msg)
		case <-deadline:
			t.Fatalf("%d links opened, want %d:\n%s", len(urls), n, d.Screen())
		}
	}
}
