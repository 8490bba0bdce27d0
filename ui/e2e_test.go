package ui_test

import (
	"context"
	"io"
	"net"
	"net/http/httptest"
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
		if cmds, ok := sequence(msg); ok {
			d.runInOrder(cmds)
			return
		}
		next, cmd := d.m.Update(msg)
		d.m = next.(ui.Model)
		d.run(cmd)
	}
}

// sequence unpacks tea's unexported sequenceMsg, the other []tea.Cmd.
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}

// runInOrder runs cmds one after the other in one goroutine, as tea runs a
// sequence: each message is queued before the next command starts.
func (d *driver) runInOrder(cmds []tea.Cmd) {
	d.pending.Add(1)
	go func() {
		defer d.pending.Done()
		for _, c := range cmds {
			if c != nil {
				d.msgs <- c()
			}
		}
	}()
}

func (d *driver) key(code rune) {
	d.handle(tea.KeyPressMsg{Code: code, Text: string(code)})
}

func (d *driver) enter() { d.handle(tea.KeyPressMsg{Code: tea.KeyEnter}) }

// stop closes the session and waits for every command still running (the
// bridge returns once the session's updates are closed; saves finish), so
// nothing outlives the test.
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

// startShow runs the demo show on a real server and returns it, its
// address and the ws URL of the show.
func startShow(t *testing.T) (*server.Server, *httptest.Server, string) {
	t.Helper()
	cat, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Catalog: cat, HostToken: "e2e-host-token-0001"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return srv, hs, "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
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
	_, hs, url := startShow(t)

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
		Carts: ui.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick:  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	})
	d := newDriver(t, m)
	defer d.stop()
	d.handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.until("Nothing pinned")

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
	_, _, url := startShow(t)
	px := startProxy(t, strings.TrimPrefix(strings.TrimSuffix(url, "/ws"), "ws://"))

	host, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: "e2e-host-token-0001"})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()

	m := ui.New(ui.Options{
		URL: "ws://" + px.addr() + "/ws", Name: "ana", Theme: "dark", Carts: ui.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick: func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
		// The real session, with waits short enough for a test.
		Start: func(ctx context.Context, o client.SessionOptions) ui.Session {
			o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
			return client.StartSession(ctx, o)
		},
	})
	d := newDriver(t, m)
	defer d.stop()
	d.handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.until("● connected")

	px.setDown(true)
	d.until("reconnecting · attempt")
	typed := []string{"back in a minute", "keep my mug"}
	d.enter()
	for _, text := range typed {
		d.handle(tea.PasteMsg{Content: text})
		d.enter()
		d.until("waiting to send: " + text)
	}

	px.setDown(false)
	d.until("● connected")
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
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			t.Fatalf("the host saw %q of the lines typed offline:\n%s", seen, d.m.View().Content)
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
