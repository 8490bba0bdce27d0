package ui_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/ui"
)

// driver runs a ui.Model the way tea.Program does: every command in its own
// goroutine, every message back through Update, one at a time.
type driver struct {
	t       *testing.T
	m       ui.Model
	msgs    chan tea.Msg
	pending sync.WaitGroup // commands still running
}

func newDriver(t *testing.T, m ui.Model) *driver {
	d := &driver{t: t, m: m, msgs: make(chan tea.Msg, 4096)}
	d.run(m.Init())
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.pending.Add(1)
	go func() {
		defer d.pending.Done()
		d.msgs <- cmd()
	}()
}

func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	default:
		next, cmd := d.m.Update(msg)
		d.m = next.(ui.Model)
		d.run(cmd)
	}
}

func (d *driver) key(code rune) {
	d.handle(tea.KeyPressMsg{Code: code, Text: string(code)})
}

// stop closes the connection and waits for every command still running
// (the event bridge ends with the connection; saves finish), so nothing
// outlives the test.
func (d *driver) stop() {
	d.m.Close()
	d.pending.Wait()
}

// until feeds messages until the screen shows want.
func (d *driver) until(want string) string {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if scr := d.m.View().Content; strings.Contains(scr, want) {
			return scr
		}
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("screen never showed %q:\n%s", want, d.m.View().Content)
		}
	}
}

// TestEndToEnd goes from a real show server through the real client into
// the viewer: a pin arrives, a adds it, x hands the checkout link to the
// opener.
func TestEndToEnd(t *testing.T) {
	cat, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Catalog: cat, HostToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"

	var mu sync.Mutex
	var opened []string
	opener := checkout.OpenerFunc(func(u string) error {
		mu.Lock()
		defer mu.Unlock()
		opened = append(opened, u)
		return nil
	})
	m := ui.New(ui.Options{
		URL: url, Name: "ana", Theme: "dark", OpenBrowser: true, Opener: opener,
		Carts: cart.Store{Dir: t.TempDir()},
		Tick:  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	})
	d := newDriver(t, m)
	defer d.stop()
	d.handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.until("Nothing pinned")

	host, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	product := cat.Products[1]
	variant := product.Variants[0]
	if err := host.Send(protocol.TypePin, protocol.Pin{ProductID: product.ID, VariantID: variant.ID}); err != nil {
		t.Fatal(err)
	}
	d.until(product.Name)

	d.until("add pinned to cart") // a is live once the saved cart has loaded
	d.key('a')
	d.until("Added")
	d.key('x')
	want := strings.TrimSuffix(hs.URL, "/") + "/cart/" + variant.ID + ":1"
	deadline := time.After(10 * time.Second)
	for {
		mu.Lock()
		n := len(opened)
		mu.Unlock()
		if n > 0 {
			break
		}
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			t.Fatal("the opener was never called")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(opened) != 1 || opened[0] != want {
		t.Fatalf("opened %v, want [%s]", opened, want)
	}
}
