package viewer

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/pricing"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

func isCartLoaded(m tea.Msg) bool { _, ok := m.(cartLoadedMsg); return ok }

func TestKeyNames(t *testing.T) {
	// keyPress checks String() against the name; this proves the names the
	// tests use are the ones the bindings hold.
	k := DefaultKeyMap()
	for _, name := range []string{"a", "c", "x", "enter", "/", "esc", "up", "k", "down", "+", "-", "d", "?", "q", "ctrl+c", "pgup", "end", "r", "left", "right", "1", "9", "b", "m", "e", "g", "p"} {
		msg := uitest.KeyPress(t, name)
		bound := false
		for _, b := range []bool{
			matches(msg, k.Add), matches(msg, k.Cart), matches(msg, k.Checkout), matches(msg, k.Chat),
			matches(msg, k.Leave), matches(msg, k.Up), matches(msg, k.Down), matches(msg, k.More), matches(msg, k.Less),
			matches(msg, k.Remove), matches(msg, k.Help), matches(msg, k.Quit), matches(msg, k.PageUp),
			matches(msg, k.Bottom), matches(msg, k.Retry), matches(msg, k.PrevVariant), matches(msg, k.NextVariant),
			matches(msg, k.Rail), matches(msg, k.Bid), matches(msg, k.MaxBid), matches(msg, k.Enter), matches(msg, k.Gift),
			matches(msg, k.OpenLink),
		} {
			bound = bound || b
		}
		if !bound {
			t.Errorf("%q matches no binding", name)
		}
	}
}

func TestCartLoadsFromStore(t *testing.T) {
	h := newHarness(t, 80, 24)
	saved, err := cart.Cart{}.Add(cart.Line{ProductID: "scarf", VariantID: "scarf-red", Name: "Merino Scarf", Variant: "Red", Unit: testWelcome().Catalog[1].Price, Qty: 2}, -1)
	if err != nil {
		t.Fatal(err)
	}
	h.store.carts[testCartKey] = saved
	h.Join(testWelcome(), 1)
	if got := h.M.Cart().Lines(); len(got) != 1 || got[0].Qty != 2 {
		t.Errorf("loaded cart = %+v", got)
	}
	h.MustShow("Cart: 2 items · $78.00")

	// A load reply for another show is ignored.
	h.Send(cartLoadedMsg{key: "other@host"})
	if h.M.Cart().Units() != 2 {
		t.Error("a cart for another show replaced this one")
	}
}

func TestEvents(t *testing.T) {
	lowMug := testWelcome().Catalog[0]
	lowMug.Variants[0].Stock = 3
	soldMug := testWelcome().Catalog[0]
	soldMug.Variants[0].Stock = 0

	tests := []struct {
		name    string
		events  func(t *testing.T) []protocol.Envelope
		show    []string
		notShow []string
	}{
		{
			name: "chat",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{uitest.Env(t, protocol.TypeChat, 101, protocol.Chat{ID: "n1", Author: uitest.Viewer("u-eve", "eve"), Text: "just joined"})}
			},
			show: []string{"eve: just joined"},
		},
		{
			name: "pin",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"})}
			},
			// The mug moves to the rail of earlier products, key 1.
			show:    []string{"PINNED Merino Scarf", "Red · $39.00", "7 in stock", "Earlier: 1 Speckled Mug $24.00"},
			notShow: []string{"PINNED Speckled Mug"},
		},
		{
			name: "unpin",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{uitest.Env(t, protocol.TypeUnpin, 101, nil)}
			},
			show:    []string{"Nothing pinned right now"},
			notShow: []string{"PINNED", "a add"},
		},
		{
			name: "low stock",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{uitest.Env(t, protocol.TypeProduct, 101, lowMug)}
			},
			show:    []string{"Blue 3 left"},
			notShow: []string{"12 left"},
		},
		{
			name: "sold out",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{uitest.Env(t, protocol.TypeProduct, 101, soldMug)}
			},
			// Blue stays chosen: a says why it adds nothing.
			show:    []string{"◀ Blue sold out ▶", "Green 4 left"},
			notShow: []string{"a add"},
		},
		{
			name: "viewers",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{uitest.Env(t, protocol.TypeViewers, 101, protocol.Viewers{Count: 4321})}
			},
			show:    []string{"4321 watching"},
			notShow: []string{"128 watching"},
		},
		{
			name: "error",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{uitest.Env(t, protocol.TypeError, 0, protocol.Error{Code: protocol.ErrCodeRateLimited, Message: "slow down, you are sending too fast"})}
			},
			show: []string{"Server: slow down, you are sending too fast"},
		},
		{
			name: "invalid event dropped",
			events: func(t *testing.T) []protocol.Envelope {
				bad := lowMug
				bad.Variants[0].Stock = -5
				return []protocol.Envelope{
					uitest.Env(t, protocol.TypeProduct, 101, bad),
					uitest.Env(t, protocol.TypeChat, 102, protocol.Chat{ID: "n2", Author: uitest.Viewer("u-eve", "eve"), Text: "after the bad one"}),
				}
			},
			show:    []string{"Blue 12 left", "eve: after the bad one"},
			notShow: []string{"-5"},
		},
		{
			name: "several in one frame",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{
					uitest.Env(t, protocol.TypeViewers, 101, protocol.Viewers{Count: 200}),
					uitest.Env(t, protocol.TypePin, 102, protocol.Pin{ProductID: "candle", VariantID: "candle-fig"}),
					uitest.Env(t, protocol.TypeChat, 103, protocol.Chat{ID: "n3", Author: uitest.Viewer("u-eve", "eve"), Text: "candle!"}),
				}
			},
			show: []string{"200 watching", "PINNED Fig Candle", "only 1 left", "eve: candle!"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := joined(t, 80, 24)
			r := h.Events(tt.events(t)...)
			if len(r.Waits) != 1 {
				t.Errorf("updatesMsg armed %d waits, want exactly 1", len(r.Waits))
			}
			h.MustShow(tt.show...)
			h.MustNotShow(tt.notShow...)
		})
	}
}

func TestSoldOutAddDoesNothing(t *testing.T) {
	h := joined(t, 80, 24)
	sold := testWelcome().Catalog[0]
	sold.Variants[0].Stock = 0
	h.Events(uitest.Env(t, protocol.TypeProduct, 101, sold))
	h.MustShow("◀ Blue sold out ▶")
	h.PressSettle("a")
	h.MustShow("Speckled Mug (Blue) is sold out · ←/→ picks another")
	if !h.M.Cart().IsEmpty() {
		t.Errorf("a added a sold-out variant: %+v", h.M.Cart().Lines())
	}
	if s := cartSignals(h.sess); len(s) != 0 {
		t.Errorf("a sold-out add sent %+v", s)
	}
	if _, saves := h.store.get(testCartKey); saves != 0 {
		t.Errorf("a sold-out add saved the cart %d times", saves)
	}
}

// hostile holds every trick a chat line or name could try.
var hostile = []string{
	"\x1b]0;pwn\x07",                           // OSC: window title
	"\x1b]52;c;cm0gLXJmIH4=\x07",               // OSC 52: clipboard
	"\x1b[2J\x1b[H",                            // CSI: clear, home
	"\x1bP+q544e\x1b\\",                        // DCS
	"\x9b31m",                                  // 8-bit CSI
	"\u202eevil\u202c",                         // bidi override
	"line\nbreak\r\nand\ttab",                  // breaks
	"\x07\x08\x7f",                             // BEL, BS, DEL
	"\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\", // OSC 8 hyperlink
}

func assertSafeView(t *testing.T, raw string) {
	t.Helper()
	for _, payload := range []string{"]0;pwn", "]52;", "\x1b]", "\x1bP", "\x07", "\u009b", "]8;;"} {
		if strings.Contains(raw, payload) {
			t.Errorf("View holds %q", payload)
		}
	}
	for _, r := range ansi.Strip(raw) {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			t.Errorf("View holds control %U after the styling is stripped", r)
		}
	}
}

func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	w := testWelcome()
	w.Show.Title = "Cosy" + hostile[0] + " Corner"
	w.Show.Host = "Maya" + hostile[5]
	w.Chat = nil
	for i, s := range hostile {
		w.Chat = append(w.Chat, protocol.Chat{ID: "w" + string(rune('a'+i)), Author: uitest.Viewer("u-h", "h"+s), Text: "x" + s + "y"})
	}
	h := newHarness(t, 100, 40)
	h.Join(w, 1)
	var evs []protocol.Envelope
	for i, s := range hostile {
		evs = append(evs, uitest.Env(t, protocol.TypeChat, uint64(2+i), protocol.Chat{ID: "e" + string(rune('a'+i)), Author: uitest.Viewer("u-e", s+"mal"), Text: s + " text " + s}))
	}
	bad := testWelcome().Catalog[0]
	bad.Name = "Mug" + hostile[1]
	bad.Variants[0].Name = "Blue" + hostile[3]
	evs = append(evs,
		uitest.Env(t, protocol.TypeProduct, 50, bad),
		uitest.Env(t, protocol.TypeError, 0, protocol.Error{Code: "x", Message: "no" + hostile[2] + hostile[0]}))
	h.Events(evs...)
	assertSafeView(t, h.M.View().Content)
	assertSafeView(t, h.M.View().WindowTitle)
	h.MustShow("mal: text", "Cosy Corner")

	// The toast that repeats the product's name is clean too.
	h.PressSettle("a")
	assertSafeView(t, h.M.View().Content)
	h.MustShow("Added Mug (Blue)")

	// So is a disconnect reason, in the chat and in the header's state.
	h.drop(errors.New("reset"+hostile[0]+hostile[2]), 2, 5*time.Second)
	assertSafeView(t, h.M.View().Content)
	h.MustShow("offline · reset", "reconnecting · attempt 2 in 5s")

	// So are system lines that repeat what was typed: a line queued while
	// offline, and one that came back unsent. Text typed into the box has
	// lost its C0 controls already, but not its bidi overrides; the text
	// of a failed send is whatever the command carried.
	h.Press("enter")
	h.Send(tea.PasteMsg{Content: "hi" + hostile[5] + hostile[6]})
	h.PressSettle("enter")
	h.Send(sentMsg{what: "chat message", text: "queued" + hostile[0] + hostile[2] + hostile[4], err: client.ErrOffline})
	h.Send(sentMsg{what: "chat message", text: "lost" + hostile[1] + hostile[3] + hostile[8], err: errors.New("send queue full")})
	assertSafeView(t, h.M.View().Content)
	h.MustShow("waiting to send: hievil", "waiting to send: queued", "not sent: lostx")
	if len(h.M.pending) != 2 {
		t.Errorf("pending = %q", h.M.pending)
	}

	// And a final reason, with the queue turned into not-sent lines.
	h.Updates(uitest.Failed(errors.New("gone" + hostile[1] + hostile[7])))
	assertSafeView(t, h.M.View().Content)
	h.MustShow("disconnected for good · gone", "not sent: queued")
}

func TestAddPinned(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a")
	lines := h.M.Cart().Lines()
	price := testWelcome().Catalog[0].Price
	// The cart kept is the checked one, which records what was shown.
	want := cart.Line{ProductID: "mug", VariantID: "mug-blue", Name: "Speckled Mug", Variant: "Blue", Unit: price, Qty: 1,
		Seen: cart.Seen{Regular: price, Qty: 1, State: pricing.OK}}
	if len(lines) != 1 || lines[0] != want {
		t.Fatalf("cart = %+v, want %+v", lines, want)
	}
	signal := protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 1}
	if got := cartSignals(h.sess); !reflect.DeepEqual(got, []protocol.CartSignal{signal}) {
		t.Errorf("signals = %+v", got)
	}
	saved, saves := h.store.get(testCartKey)
	if saves != 1 || !reflect.DeepEqual(saved.Lines(), lines) {
		t.Errorf("store: %d saves, %+v", saves, saved.Lines())
	}
	h.MustShow("Added Speckled Mug (Blue) · cart: 1 item, $24.00")

	h.PressSettle("a")
	if got := h.M.Cart().Lines(); len(got) != 1 || got[0].Qty != 2 {
		t.Errorf("after a twice: %+v", got)
	}
	if got := cartSignals(h.sess); len(got) != 2 || got[1] != signal {
		t.Errorf("signals = %+v", got)
	}
	if saved, _ := h.store.get(testCartKey); saved.Units() != 2 {
		t.Errorf("saved %d units", saved.Units())
	}
}

func TestAddRespectsStock(t *testing.T) {
	h := joined(t, 80, 24)
	h.Events(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "candle", VariantID: "candle-fig"}))
	h.PressSettle("a")
	h.PressSettle("a")
	if got := h.M.Cart().Lines(); len(got) != 1 || got[0].Qty != 1 {
		t.Errorf("cart = %+v, want one candle", got)
	}
	if h.M.Status.Kind != live.StatusError || !strings.Contains(h.M.Status.Text, "only 1 left") {
		t.Errorf("toast = %v %q", h.M.Status.Kind, h.M.Status.Text)
	}
	h.MustShow("Not added")
	if n := len(cartSignals(h.sess)); n != 1 {
		t.Errorf("%d signals sent, want 1", n)
	}
}

func TestCartPanel(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a")
	h.Events(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.PressSettle("a")

	h.Press("c")
	if h.M.mode != modeCart {
		t.Fatal("c did not open the cart")
	}
	h.MustShow("Cart · 2 items", "Speckled Mug (Blue)", "Merino Scarf (Red)", "Total", "$63.00", "c/esc close")

	sel := func() string { return h.M.Cart().Lines()[h.M.cartSel].VariantID }
	h.Press("down")
	if sel() != "scarf-red" {
		t.Errorf("down selected %s", sel())
	}
	h.Press("down") // stays on the last line
	if sel() != "scarf-red" {
		t.Errorf("down past the end selected %s", sel())
	}
	h.Press("up")
	if sel() != "mug-blue" {
		t.Errorf("up selected %s", sel())
	}
	h.Press("k")
	if sel() != "mug-blue" {
		t.Errorf("k past the top selected %s", sel())
	}
	if !strings.Contains(h.View(), "› Speckled Mug") {
		t.Errorf("selection not marked:\n%s", h.View())
	}

	h.sess.Forget()
	h.PressSettle("+", "+")
	if q := h.M.Cart().Lines()[0].Qty; q != 3 {
		t.Errorf("after ++ qty = %d", q)
	}
	h.PressSettle("-")
	if q := h.M.Cart().Lines()[0].Qty; q != 2 {
		t.Errorf("after - qty = %d", q)
	}
	add := protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 1}
	rem := protocol.CartSignal{Action: protocol.CartRemove, ProductID: "mug", VariantID: "mug-blue", Qty: 1}
	if got := cartSignals(h.sess); !reflect.DeepEqual(got, []protocol.CartSignal{add, add, rem}) {
		t.Errorf("signals = %+v", got)
	}
	h.MustShow("Speckled Mug (Blue)                                      ×2 $24.00  $48.00")

	h.sess.Forget()
	h.PressSettle("d")
	if got := h.M.Cart().Lines(); len(got) != 1 || got[0].VariantID != "scarf-red" {
		t.Errorf("after d: %+v", got)
	}
	if got := cartSignals(h.sess); !reflect.DeepEqual(got, []protocol.CartSignal{{Action: protocol.CartRemove, ProductID: "mug", VariantID: "mug-blue", Qty: 2}}) {
		t.Errorf("d sent %+v", got)
	}
	if saved, _ := h.store.get(testCartKey); saved.Len() != 1 {
		t.Errorf("saved cart has %d lines", saved.Len())
	}
	h.MustNotShow("Speckled Mug (Blue)")

	// - on the last unit removes the line; the cart is then empty.
	h.PressSettle("-")
	if !h.M.Cart().IsEmpty() {
		t.Errorf("cart = %+v", h.M.Cart().Lines())
	}
	h.MustShow("Empty · a adds the pinned product")

	h.Press("c")
	if h.M.mode != modeShow {
		t.Error("c did not close the cart")
	}
	h.Press("c", "esc")
	if h.M.mode != modeShow {
		t.Error("esc did not close the cart")
	}
}

func TestCartMoreRespectsStock(t *testing.T) {
	h := joined(t, 80, 24)
	h.Events(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "candle", VariantID: "candle-fig"}))
	h.PressSettle("a", "c", "+")
	if q := h.M.Cart().Lines()[0].Qty; q != 1 {
		t.Errorf("qty = %d beyond the stock of 1", q)
	}
	if h.M.Status.Kind != live.StatusError || !strings.Contains(h.M.Status.Text, "only 1 left") {
		t.Errorf("toast = %q", h.M.Status.Text)
	}
}

func TestCheckoutOpensBrowser(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a", "a")
	h.Events(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.PressSettle("a", "x")
	want := "http://127.0.0.1:7420/cart/mug-blue:2,scarf-red:1"
	if got := h.opener.URLs(); !reflect.DeepEqual(got, []string{want}) {
		t.Fatalf("opened %q, want %q", got, want)
	}
	h.MustShow("Checkout opened in your browser")
	h.MustNotShow(want)
	if h.M.Cart().Units() != 3 {
		t.Error("checkout emptied the cart")
	}
}

// Handing the cart to checkout tells the show, which counts it when the
// checkout is a real store's; o does as x, with or without a browser.
func TestCheckoutSendsSignal(t *testing.T) {
	checkout := protocol.CartSignal{Action: protocol.CartCheckout}
	for _, tc := range []struct {
		name    string
		browser bool
		key     string
	}{{"x opens", true, "x"}, {"x shows", false, "x"}, {"o", true, "o"}} {
		t.Run(tc.name, func(t *testing.T) {
			h := joined(t, 80, 24, func(o *Options) { o.OpenBrowser = tc.browser })
			h.PressSettle("a", tc.key)
			got := cartSignals(h.sess)
			if len(got) != 2 || got[1] != checkout {
				t.Fatalf("signals = %+v, want an add then %+v", got, checkout)
			}
		})
	}
	// An empty cart hands nothing over, so says nothing.
	h := joined(t, 80, 24)
	h.PressSettle("x", "o")
	if got := cartSignals(h.sess); len(got) != 0 {
		t.Errorf("an empty cart's checkout sent %+v", got)
	}
}

// A deal backed by a store discount code puts it in the link of a cart
// that holds units at the deal's price.
func TestCheckoutCarriesDealCode(t *testing.T) {
	w := testWelcome()
	w.Catalog[0].Deal = &protocol.Deal{Price: money.New(1900, w.Catalog[0].Price.Currency), AmountOff: w.Catalog[0].Price.Amount - 1900,
		EndsAt: uitest.T0.Add(5 * time.Minute), Code: "SUMMER10"}
	h := newHarness(t, 80, 24)
	h.Join(w, 1)
	h.PressSettle("a", "x")
	want := "http://127.0.0.1:7420/cart/mug-blue:1?discount=SUMMER10"
	if got := h.opener.URLs(); !reflect.DeepEqual(got, []string{want}) {
		t.Fatalf("opened %q, want %q", got, want)
	}
}

func TestCheckoutOpenerFails(t *testing.T) {
	h := joined(t, 80, 24)
	h.opener.err = errors.New("no DISPLAY")
	h.PressSettle("a", "x")
	want := "http://127.0.0.1:7420/cart/mug-blue:1"
	if got := h.opener.URLs(); len(got) != 1 {
		t.Fatalf("opener called %d times", len(got))
	}
	h.MustShow(want, "No browser could be opened", "esc dismiss")
	if h.M.Cart().Units() != 1 {
		t.Error("cart not kept")
	}
	h.Press("esc")
	h.MustNotShow(want)
}

func TestCheckoutLinkWithoutBrowser(t *testing.T) {
	h := joined(t, 40, 24, func(o *Options) { o.OpenBrowser = false })
	// Enough lines for the link to be longer than the screen is wide.
	for _, pin := range []protocol.Pin{{ProductID: "mug", VariantID: "mug-blue"}, {ProductID: "mug", VariantID: "mug-green"}, {ProductID: "scarf", VariantID: "scarf-red"}} {
		h.Events(uitest.Env(t, protocol.TypePin, 101, pin))
		h.PressSettle("a")
	}
	h.PressSettle("x")
	if got := h.opener.URLs(); len(got) != 0 {
		t.Fatalf("opener called with %q", got)
	}
	want := "http://127.0.0.1:7420/cart/mug-blue:1,mug-green:1,scarf-red:1"
	if h.M.checkoutLink() != want {
		t.Fatalf("link = %q", h.M.checkoutLink())
	}
	// The link is whole in the view, wrapped across rows without a cut,
	// and no row runs past the screen.
	uitest.CheckScreen(t, h.M.View().Content, 40, 24)
	flat := strings.ReplaceAll(h.View(), "\n", "")
	if !strings.Contains(flat, want) {
		t.Errorf("View does not hold the whole link:\n%s", h.View())
	}
	h.mustShowWrapped("Open, copy (y) or scan (o) this link to check out")
}

func TestCheckoutEmptyCart(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("x")
	if got := h.opener.URLs(); len(got) != 0 {
		t.Fatalf("opened %q with an empty cart", got)
	}
	if h.M.checkoutLink() != "" {
		t.Errorf("link = %q", h.M.checkoutLink())
	}
	// x is disabled with an empty cart, so the key does nothing; checkout
	// itself still refuses and says why.
	m, _ := h.M.checkout()
	if !strings.Contains(m.Status.Text, "Your cart is empty") {
		t.Errorf("toast = %q", m.Status.Text)
	}
}

func TestCheckoutRefusesUnsafeTemplate(t *testing.T) {
	for _, tmpl := range []string{"javascript:alert(1)//{items}", "http://evil.example/cart/{items}", "https://shop/{items}/{items}", ""} {
		t.Run(tmpl, func(t *testing.T) {
			w := testWelcome()
			w.Checkout = tmpl
			h := newHarness(t, 80, 24)
			h.Join(w, 1)
			h.PressSettle("a", "x")
			if got := h.opener.URLs(); len(got) != 0 {
				t.Fatalf("opened %q", got)
			}
			if h.M.checkoutLink() != "" {
				t.Errorf("link shown: %q", h.M.checkoutLink())
			}
			h.MustShow("Cannot check out")
			h.MustNotShow("javascript")
		})
	}
}

func TestChatInput(t *testing.T) {
	h := joined(t, 80, 24)
	h.Press("enter")
	if h.M.mode != modeInput {
		t.Fatal("enter did not focus the input")
	}
	h.MustShow("enter send", "esc leave chat", "ctrl+c quit")
	h.MustNotShow("? help")
	r := uitest.Run(t, h.Press("q", "a", "?", "x", "c", "space", "h", "i", "/"))
	if r.Has(uitest.IsQuit) {
		t.Fatal("q quit while typing")
	}
	if got := h.M.input.Value(); got != "qa?xc hi/" {
		t.Errorf("input = %q", got)
	}
	if !h.M.Cart().IsEmpty() || h.M.help.ShowAll || h.M.mode != modeInput {
		t.Error("keys typed into the input also triggered actions")
	}
	h.MustShow("› qa?xc hi/")

	h.PressSettle("enter")
	want := uitest.Sent{Type: protocol.TypeSay, Data: protocol.Say{Text: "qa?xc hi/"}}
	if got := h.sess.Sent(); !reflect.DeepEqual(got, []uitest.Sent{want}) {
		t.Errorf("sent %+v, want %+v", got, want)
	}
	if h.M.input.Value() != "" || h.M.mode != modeInput {
		t.Errorf("after send: input %q, mode %v", h.M.input.Value(), h.M.mode)
	}
	// Enter on an empty (or blank) input sends nothing.
	h.PressSettle("space", "enter")
	if n := len(h.sess.Sent()); n != 1 {
		t.Errorf("blank input sent: %d commands", n)
	}

	h.Press("esc")
	if h.M.mode != modeShow || h.M.input.Focused() {
		t.Error("esc did not leave the input")
	}
	h.Press("/")
	if h.M.mode != modeInput {
		t.Error("/ did not focus the input")
	}
	if !uitest.Run(t, h.Press("ctrl+c")).Has(uitest.IsQuit) {
		t.Error("ctrl+c did not quit while typing")
	}
}

func TestHelp(t *testing.T) {
	h := joined(t, 80, 24)
	h.MustShow("a add", "←/→ variant", "c cart", "? help", "q quit")
	h.MustNotShow("x check out", "r reconnect", "scroll chat back")

	h.Press("?")
	h.MustShow("scroll chat back", "newest chat")
	h.Press("?")
	h.MustNotShow("scroll chat back")

	h.PressSettle("a")
	h.MustShow("x check out")
}

func TestCartPersistsToDisk(t *testing.T) {
	dir := t.TempDir()
	store := cart.Store{Dir: dir}
	h := joined(t, 80, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	h.PressSettle("a")
	got, err := store.Load(testCartKey)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(got.Lines(), h.M.Cart().Lines()) || got.Units() != 1 {
		t.Errorf("on disk %+v, in memory %+v", got.Lines(), h.M.Cart().Lines())
	}

	// A second viewer on the same show, while the first holds the cart,
	// says so and keeps its changes to itself.
	h2 := joined(t, 80, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	if n, ok := h2.M.Notice(noticeCartLock); !ok || !strings.Contains(n.Text, "open in another livecart") || h2.M.saving {
		t.Errorf("second viewer: notice %q, saving %v", n.Text, h2.M.saving)
	}
	// The notice goes when dismissed; that the cart is not saved stays.
	h2.PressSettle("esc")
	h2.MustShow("Cart not saved: the cart for this show is open in another livecart")
	h2.PressSettle("a")
	h2.PressSettle("a")
	if got, _ := store.Load(testCartKey); got.Units() != 1 {
		t.Errorf("the locked-out viewer wrote the cart: %+v", got.Lines())
	}

	// Once the first quits, a new session finds the cart.
	h.M.Close()
	h3 := joined(t, 80, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	if h3.M.Cart().Units() != 1 || !h3.M.saving || h3.M.unsaved != "" {
		t.Errorf("new session loaded %+v", h3.M.Cart().Lines())
	}
	h3.M.Close()
}

func TestDamagedCart(t *testing.T) {
	dir := t.TempDir()
	store := cart.Store{Dir: dir}
	path := store.Path(testCartKey)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := joined(t, 200, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	if n, ok := h.M.Notice(noticeCartBad); !ok || n.Kind != live.StatusError || !strings.Contains(n.Text, path+".damaged-") {
		t.Errorf("notice = %+v", n)
	}
	h.MustShow("Your saved cart was damaged")
	h.mustShowWrapped("the file was kept at " + path + ".damaged-")
	if !h.M.Cart().IsEmpty() || !h.M.cartLoaded {
		t.Error("a damaged cart did not start an empty one")
	}
	// The cart still works and saves over the damaged one's place.
	h.PressSettle("a")
	if got, err := store.Load(testCartKey); err != nil || got.Units() != 1 {
		t.Errorf("after a: %+v, %v", got.Lines(), err)
	}
}

func TestCartLoadError(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.store.loadErr = errors.New("permission denied")
	h.Join(testWelcome(), 1)
	if !strings.Contains(h.M.Status.Text, "Could not load the saved cart: permission denied") {
		t.Errorf("toast = %q", h.M.Status.Text)
	}
}

func TestSendErrorShown(t *testing.T) {
	h := joined(t, 80, 24)
	h.sess.FailSends(errors.New("send queue full"))
	h.PressSettle("a")
	h.MustShow("Could not send cart update: send queue full")
}

func TestToastExpires(t *testing.T) {
	var scheduled []func() tea.Msg
	h := joined(t, 80, 24, func(o *Options) {
		o.Tick = func(_ time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
			scheduled = append(scheduled, func() tea.Msg { return f(time.Time{}) })
			return nil
		}
	})
	h.PressSettle("a")
	first := scheduled[len(scheduled)-1]()
	h.PressSettle("a")
	second := scheduled[len(scheduled)-1]()
	h.Send(first) // an older toast's timer does not clear the newer one
	if h.M.Status.Text == "" {
		t.Error("an expired older toast cleared the current one")
	}
	h.Send(second)
	if h.M.Status.Text != "" {
		t.Errorf("toast %q outlived its timer", h.M.Status.Text)
	}
}

func TestSavesLandInOrder(t *testing.T) {
	h := joined(t, 80, 24)
	// Two adds whose saves run in the wrong order, as concurrent commands
	// may: the older cart must not overwrite the newer one.
	first := h.Press("a")
	second := h.Press("a")
	uitest.Run(t, second)
	uitest.Run(t, first)
	saved, saves := h.store.get(testCartKey)
	if saved.Units() != 2 {
		t.Errorf("store holds %d units after the late older save, want 2", saved.Units())
	}
	if saves != 1 {
		t.Errorf("%d saves reached the store, want only the newer one", saves)
	}
}

func TestChatScrollKeys(t *testing.T) {
	h := joined(t, 80, 24)
	h.Press("pgup")
	h.MustShow("scrolled back · end to return")
	h.Events(uitest.Env(t, protocol.TypeChat, 101, protocol.Chat{ID: "n1", Author: uitest.Viewer("u-eve", "eve"), Text: "while you read"}))
	h.MustShow("1 new message · end to return")
	h.MustNotShow("eve: while you read")
	h.Press("end")
	h.MustShow("eve: while you read")
	h.MustNotShow("end to return")

	h.Send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	h.MustShow("scrolled back")
	h.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.MustNotShow("scrolled back")
}

func TestPasteGoesToInputOnly(t *testing.T) {
	h := joined(t, 80, 24)
	h.Send(tea.PasteMsg{Content: "ignored"})
	if h.M.input.Value() != "" {
		t.Errorf("paste outside the input landed: %q", h.M.input.Value())
	}
	h.Press("enter")
	h.Send(tea.PasteMsg{Content: "pasted text"})
	if h.M.input.Value() != "pasted text" {
		t.Errorf("input = %q", h.M.input.Value())
	}
}
