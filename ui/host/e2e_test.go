package host_test

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"

	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/ui/host"
)

// driver runs a host.Model the way tea.Program does: every command in its
// own goroutine, every message back through Update, one at a time.
type driver struct {
	t       *testing.T
	m       host.Model
	msgs    chan tea.Msg
	pending sync.WaitGroup
}

func newDriver(t *testing.T, m host.Model) *driver {
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
		d.m = next.(host.Model)
		d.run(cmd)
	}
}

// stop ends the session and waits for every command still running.
func (d *driver) stop() {
	d.m.Close()
	done := make(chan struct{})
	go func() { d.pending.Wait(); close(done) }()
	for {
		select {
		case <-d.msgs: // the bridge's last message, a spinner tick
		case <-done:
			return
		}
	}
}

func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

// until feeds messages until the screen shows want. It waits on the
// condition, never on a sleep.
func (d *driver) until(want string) string {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if scr := d.screen(); strings.Contains(scr, want) {
			return scr
		}
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("screen never showed %q:\n%s", want, d.screen())
		}
	}
}

func startServer(t *testing.T) (url string, products []string) {
	t.Helper()
	cat, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Catalog: cat, HostToken: "the-right-host-token"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	for _, p := range cat.Products {
		products = append(products, p.Name)
	}
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws", products
}

// noLeaks checks, after everything else the test set up has stopped
// (cleanups run last first), that no goroutine outlives it.
func noLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// TestHostEndToEnd goes from the keyboard through the real client to a
// real show server and back: the token makes the dashboard the host, p
// pins the selected product, and the pin event answers it.
func TestHostEndToEnd(t *testing.T) {
	noLeaks(t)
	url, products := startServer(t)
	d := newDriver(t, host.New(host.Options{URL: url, Token: "the-right-host-token", Theme: "dark", Tick: noTick}))
	d.handle(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.until("● connected")
	d.until(products[0])
	d.handle(tea.KeyPressMsg{Code: 'p', Text: "p"})
	d.until("pinned: " + products[0])
	d.until("✓ pin " + products[0])
	d.until("Orders") // the metrics, once a second to hosts

	// A deal goes through the prompt, the server and back as a product
	// event with its deal.
	d.handle(tea.KeyPressMsg{Code: 'f', Text: "f"})
	for _, r := range "20% 5m" {
		d.handle(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.handle(tea.KeyPressMsg{Code: tea.KeyEnter})
	d.until("✓ start a deal on " + products[0])
	d.until("−20% 5:00")
	if strings.Contains(d.screen(), "the-right-host-token") {
		t.Error("the screen shows the token")
	}
	d.stop()
}

func TestHostEndToEndWrongToken(t *testing.T) {
	noLeaks(t)
	url, _ := startServer(t)
	d := newDriver(t, host.New(host.Options{URL: url, Token: "not-the-token", Theme: "dark", Tick: noTick}))
	d.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	scr := d.until("The server did not accept this host token")
	if strings.Contains(scr, "not-the-token") {
		t.Error("the screen shows the token")
	}
	if err := d.m.Err(); err == nil || strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("Err() = %v", err)
	}
	d.stop()
}
