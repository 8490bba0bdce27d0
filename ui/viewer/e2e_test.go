package viewer_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"reflect"
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
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/viewer"
)

// startShow runs the demo show on a real server on loopback.
func startShow(t *testing.T) *showtest.Show {
	t.Helper()
	return showtest.Start(t, server.Config{Catalog: showtest.Catalog(t, demo.Catalog()), HostToken: "e2e-host-token-0001"})
}

// TestEndToEnd goes from a real show server through the real client into
// the viewer: a pin arrives, a adds it, x hands the checkout link to the
// opener.
func TestEndToEnd(t *testing.T) {
	// Registered first, so it runs after every other cleanup.
	t.Cleanup(func() { goleak.VerifyNone(t) })
	cat, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	show := startShow(t)
	url := show.WS

	var mu sync.Mutex
	var opened []string
	opener := checkout.OpenerFunc(func(u string) error {
		mu.Lock()
		defer mu.Unlock()
		opened = append(opened, u)
		return nil
	})
	d := uitest.Open[viewer.Model](t, viewer.App(viewer.Options{
		URL: url, Name: "ana", Theme: "dark", OpenBrowser: true, Opener: opener,
		Carts: viewer.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick:  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	}))
	defer d.Stop()
	d.Handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.Until("Nothing pinned")

	host, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: "e2e-host-token-0001"})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	product := cat.Products[1]
	variant := product.Variants[0]
	if err := host.Send(protocol.TypePin, protocol.Pin{ProductID: product.ID, VariantID: variant.ID}); err != nil {
		t.Fatal(err)
	}
	d.Until(product.Name)

	d.Until("a add •") // a is live once the saved cart has loaded
	d.Key('a')
	d.Until("Added")
	d.Key('x')
	want := show.URL + "/cart/" + variant.ID + ":1"
	deadline := time.After(10 * time.Second)
	for {
		mu.Lock()
		n := len(opened)
		mu.Unlock()
		if n > 0 {
			break
		}
		select {
		case msg := <-d.Msgs:
			d.Handle(msg)
		case <-deadline:
			t.Fatal("the opener was never called")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// The server may tag the link with the client's ID, so the order is
	// credited to it; the cart part must be exact.
	if len(opened) != 1 || (opened[0] != want && !strings.HasPrefix(opened[0], want+"?ref=")) {
		t.Fatalf("opened %v, want [%s] (with an optional ?ref=)", opened, want)
	}
}

// TestEndToEndReconnect cuts the link under the viewer: a line typed while
// offline waits, and reaches the show once the session is back on its own.
func TestEndToEndReconnect(t *testing.T) {
	// Registered first, so it runs after every other cleanup.
	t.Cleanup(func() { goleak.VerifyNone(t) })
	url := startShow(t).WS
	px := startProxy(t, strings.TrimPrefix(strings.TrimSuffix(url, "/ws"), "ws://"))

	host, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: "e2e-host-token-0001"})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()

	app := viewer.App(viewer.Options{
		URL: "ws://" + px.addr() + "/ws", Name: "ana", Theme: "dark", Carts: viewer.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick: func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	})
	// The real session, with waits short enough for a test.
	app.Start = func(ctx context.Context, o client.SessionOptions) live.Session {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
		return client.StartSession(ctx, o)
	}
	d := uitest.Open[viewer.Model](t, app)
	defer d.Stop()
	d.Handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.Until("● connected")

	px.setDown(true)
	d.Until("reconnecting · attempt")
	typed := []string{"back in a minute", "keep my mug"}
	d.Enter()
	for _, text := range typed {
		d.Handle(tea.PasteMsg{Content: text})
		d.Enter()
		d.Until("waiting to send: " + text)
	}

	px.setDown(false)
	d.Until("● connected")
	var seen []string
	deadline := time.After(10 * time.Second)
	for len(seen) < len(typed) {
		select {
		case frame := <-host.Events():
			for _, e := range frame {
				if c, err := protocol.Decode[protocol.Chat](e); err == nil && e.Type == protocol.TypeChat && c.Author.Name == "ana" {
					seen = append(seen, c.Text)
				}
			}
		case msg := <-d.Msgs:
			d.Handle(msg)
		case <-deadline:
			t.Fatalf("the host saw %q of the lines typed offline:\n%s", seen, d.M.View().Content)
		}
	}
	if !reflect.DeepEqual(seen, typed) {
		t.Errorf("the host saw %q, want %q in order", seen, typed)
	}
}

// proxy forwards TCP to upstream; set down, it cuts every connection and
// refuses new ones.
type proxy struct {
	ln       net.Listener
	upstream string
	wg       sync.WaitGroup

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
}

func startProxy(t *testing.T, upstream string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, upstream: upstream, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.setDown(true)
		p.wg.Wait()
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.upstream)
		p.mu.Lock()
		if err != nil || p.down {
			p.mu.Unlock()
			c.Close()
			if up != nil {
				up.Close()
			}
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.wg.Add(2)
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// pipe copies from src to dst until either ends, then closes both.
func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range []net.Conn{dst, src} {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

// TestEndToEndOwnOrder places an order from the viewer's checkout link on
// a real server: the viewer confirms it as its own, in a notice that
// stays, and the show's announcement of it is not a stranger's purchase.
// A line the show refuses (a blocked word) comes back into the input.
func TestEndToEndOwnOrder(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	cat, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	show := startShow(t)
	url := show.WS
	links := make(chan string, 1)
	opener := checkout.OpenerFunc(func(u string) error { links <- u; return errors.New("no browser here") })
	d := uitest.Open[viewer.Model](t, viewer.App(viewer.Options{
		URL: url, Name: "host", Theme: "dark", OpenBrowser: true, Opener: opener,
		Carts: viewer.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick:  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	}))
	defer d.Stop()
	d.Handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	// "host" reads as the show's own voice: the show renames the viewer,
	// and the viewer says why.
	d.Until("The name host is taken by the host")
	me := d.M.Show.You.Name

	host, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: "e2e-host-token-0001"})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	product := cat.Products[1]
	if err := host.Send(protocol.TypePin, protocol.Pin{ProductID: product.ID, VariantID: product.Variants[0].ID}); err != nil {
		t.Fatal(err)
	}
	d.Until("a add •")
	d.Key('a')
	d.Until("Added")
	d.Key('x')
	d.Until("No browser could be opened")
	u := <-links
	link, err := neturl.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	items := strings.TrimPrefix(link.Path, "/cart/")
	resp, err := http.PostForm(show.URL+"/orders", neturl.Values{"items": {items}, "ref": {link.Query().Get("ref")}, "key": {"e2e-own-order"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("order: %s", resp.Status)
	}
	d.Until("You bought 1 × " + product.Name)

	// The host's line goes out after the purchase: once it is on screen,
	// the purchase has been seen too.
	if err := host.Send(protocol.TypeSay, protocol.Say{Text: "thank you all"}); err != nil {
		t.Fatal(err)
	}
	scr := d.Until("thank you all")
	if strings.Contains(scr, "just bought") {
		t.Errorf("the viewer's own purchase was shown as a stranger's (%s):\n%s", me, scr)
	}

	// The host's commands run in order: once its next line is on screen,
	// the word is blocked.
	if err := host.Send(protocol.TypeBlockedWords, protocol.BlockedWords{Words: []string{"rude"}}); err != nil {
		t.Fatal(err)
	}
	if err := host.Send(protocol.TypeSay, protocol.Say{Text: "be nice"}); err != nil {
		t.Fatal(err)
	}
	d.Until("be nice")
	d.Enter()
	d.Handle(tea.PasteMsg{Content: "that is rude"})
	d.Enter()
	d.Until("Not sent, back in the input: message blocked")
	d.Until("› that is rude")
}
