package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/config"
	"github.com/livecart/livecart/protocol"
)

// scriptedHost stands in for the host dashboard of `livecart demo --host`:
// it reads the show's first metrics, places one order and quits. A viewer
// session it starts is left watching, for the test to see what it is told
// once the demo has quit.
type scriptedHost struct {
	orders  []int // the orders the show had when each run started
	viewers []*client.Session
}

func (h *scriptedHost) run(ctx context.Context, _ config.Config, url, token, _ string, _ *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	viewer := client.StartSession(context.Background(), client.SessionOptions{
		Options: client.Options{URL: url, Name: "watcher"}, MinBackoff: time.Millisecond, ServerBackoff: time.Millisecond,
	})
	h.viewers = append(h.viewers, viewer)
	if err := joined(ctx, viewer); err != nil {
		return err
	}
	c, err := client.Dial(ctx, client.Options{URL: url, Token: token, Name: "host"})
	if err != nil {
		return err
	}
	defer c.Close()
	w, _ := c.Welcome()
	var variant string
	for _, p := range w.Catalog {
		for _, v := range p.Variants {
			if v.Stock > 0 && variant == "" {
				variant = v.ID
			}
		}
	}
	m, err := nextOf[protocol.Metrics](ctx, c, protocol.TypeMetrics)
	if err != nil {
		return err
	}
	h.orders = append(h.orders, m.Orders)
	if err := c.Send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: variant, Qty: 1}}}); err != nil {
		return err
	}
	_, err = nextOf[protocol.Order](ctx, c, protocol.TypeOrder)
	return err
}

// joined waits for s's first snapshot.
func joined(ctx context.Context, s *client.Session) error {
	for {
		select {
		case u, ok := <-s.Updates():
			switch {
			case !ok:
				return errors.New("the viewer's session ended before it joined")
			case u.Kind == client.UpdateSnapshot:
				return nil
			case u.Kind == client.UpdateFailed:
				return u.Err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// nextOf reads c until an event of type typ, and decodes it.
func nextOf[T any](ctx context.Context, c *client.Conn, typ protocol.Type) (T, error) {
	for {
		select {
		case envs, ok := <-c.Events():
			if !ok {
				var zero T
				return zero, c.Err()
			}
			for _, env := range envs {
				if env.Type == typ {
					return protocol.Decode[T](env)
				}
			}
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
}

// useHost puts h in the place of the host dashboard for the test.
func useHost(t *testing.T, h *scriptedHost) {
	hostScreen = h.run
	t.Cleanup(func() {
		hostScreen = runHostUI
		for _, v := range h.viewers {
			v.Close()
		}
	})
}

// TestDemoStartsFromZeroOrders: each plain demo is a new show, without the
// orders and revenue of the one before; with --orders FILE they are kept.
// Nothing is written to the state folder's orders either way.
func TestDemoStartsFromZeroOrders(t *testing.T) {
	home := isolate(t)
	h := &scriptedHost{}
	useHost(t, h)
	for range 2 {
		if code, _, errOut := runCLI(t, "demo", "--host", "--audience", "0", "--seed", "1"); code != exitOK {
			t.Fatalf("demo: exit %d, stderr %q", code, errOut)
		}
	}
	kept := filepath.Join(home, "orders.jsonl")
	for range 2 {
		if code, _, errOut := runCLI(t, "demo", "--host", "--audience", "0", "--orders", kept); code != exitOK {
			t.Fatalf("demo --orders: exit %d, stderr %q", code, errOut)
		}
	}
	if want := []int{0, 0, 0, 1}; !slices.Equal(h.orders, want) {
		t.Fatalf("orders at the start of each run: %v, want %v", h.orders, want)
	}
	if data, err := os.ReadFile(kept); err != nil || strings.Count(string(data), "\n") != 2 {
		t.Fatalf("the --orders file holds %q (%v), want two orders", data, err)
	}
	if files, _ := filepath.Glob(filepath.Join(home, "state", "livecart", "orders", "*")); len(files) != 0 {
		t.Fatalf("the demo wrote orders to the state folder: %v", files)
	}
}

// TestQuittingTheDemoEndsTheShow: when the person running `demo --host`
// quits, a viewer watching from elsewhere is told the show has ended and
// stops trying to reconnect.
func TestQuittingTheDemoEndsTheShow(t *testing.T) {
	isolate(t)
	h := &scriptedHost{}
	useHost(t, h)
	if code, _, errOut := runCLI(t, "demo", "--host", "--audience", "2", "--seed", "1"); code != exitOK {
		t.Fatalf("demo: exit %d, stderr %q", code, errOut)
	}
	deadline := time.After(10 * time.Second)
	var last client.Update
	for done := false; !done; {
		select {
		case u, ok := <-h.viewers[0].Updates():
			if !ok {
				done = true
				break
			}
			if u.Kind == client.UpdateWaiting {
				t.Fatalf("the viewer waits to reconnect (%v) to a show that has ended", u.Err)
			}
			last = u
		case <-deadline:
			t.Fatalf("the viewer's session did not end; last update %s (%v)", last.Kind, last.Err)
		}
	}
	if last.Kind != client.UpdateFailed || !errors.Is(last.Err, client.ErrShowEnded) {
		t.Fatalf("the viewer ended with %s (%v), want ErrShowEnded", last.Kind, last.Err)
	}
}
