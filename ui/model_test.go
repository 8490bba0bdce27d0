package ui

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
	"github.com/livecart/livecart/protocol"
)

func isCartLoaded(m tea.Msg) bool { _, ok := m.(cartLoadedMsg); return ok }

func TestKeyNames(t *testing.T) {
	// keyPress checks String() against the name; this proves the names the
	// tests use are the ones the bindings hold.
	k := DefaultKeyMap()
	for _, name := range []string{"a", "c", "x", "enter", "/", "esc", "up", "k", "down", "+", "-", "d", "?", "q", "ctrl+c", "pgup", "end", "r"} {
		msg := keyPress(t, name)
		bound := false
		for _, b := range []bool{
			matches(msg, k.Add), matches(msg, k.Cart), matches(msg, k.Checkout), matches(msg, k.Chat),
			matches(msg, k.Leave), matches(msg, k.Up), matches(msg, k.Down), matches(msg, k.More), matches(msg, k.Less),
			matches(msg, k.Remove), matches(msg, k.Help), matches(msg, k.Quit), matches(msg, k.PageUp),
			matches(msg, k.Bottom), matches(msg, k.Retry),
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
	h.connect(testWelcome(), 1)
	if got := h.m.Cart().Lines(); len(got) != 1 || got[0].Qty != 2 {
		t.Errorf("loaded cart = %+v", got)
	}
	h.mustShow("Cart: 2 items · $78.00")

	// A load reply for another show is ignored.
	h.send(cartLoadedMsg{key: "other@host"})
	if h.m.Cart().Units() != 2 {
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
				return []protocol.Envelope{env(t, protocol.TypeChat, 101, protocol.Chat{ID: "n1", Author: viewer("u-eve", "eve"), Text: "just joined"})}
			},
			show: []string{"eve: just joined"},
		},
		{
			name: "pin",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"})}
			},
			// The mug moves to the rail of earlier products, key 1.
			show:    []string{"PINNED Merino Scarf", "Red · $39.00", "7 in stock", "Earlier: 1 Speckled Mug $24.00"},
			notShow: []string{"PINNED Speckled Mug"},
		},
		{
			name: "unpin",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{env(t, protocol.TypeUnpin, 101, nil)}
			},
			show:    []string{"Nothing pinned right now"},
			notShow: []string{"PINNED", "a add pinned"},
		},
		{
			name: "low stock",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{env(t, protocol.TypeProduct, 101, lowMug)}
			},
			show:    []string{"only 3 left"},
			notShow: []string{"12 in stock"},
		},
		{
			name: "sold out",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{env(t, protocol.TypeProduct, 101, soldMug)}
			},
			show:    []string{"SOLD OUT"},
			notShow: []string{"a add pinned"},
		},
		{
			name: "viewers",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{env(t, protocol.TypeViewers, 101, protocol.Viewers{Count: 4321})}
			},
			show:    []string{"4321 watching"},
			notShow: []string{"128 watching"},
		},
		{
			name: "error",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{env(t, protocol.TypeError, 0, protocol.Error{Code: protocol.ErrCodeRateLimited, Message: "slow down, you are sending too fast"})}
			},
			show: []string{"Server: slow down, you are sending too fast"},
		},
		{
			name: "invalid event dropped",
			events: func(t *testing.T) []protocol.Envelope {
				bad := lowMug
				bad.Variants[0].Stock = -5
				return []protocol.Envelope{
					env(t, protocol.TypeProduct, 101, bad),
					env(t, protocol.TypeChat, 102, protocol.Chat{ID: "n2", Author: viewer("u-eve", "eve"), Text: "after the bad one"}),
				}
			},
			show:    []string{"12 in stock", "eve: after the bad one"},
			notShow: []string{"-5"},
		},
		{
			name: "several in one frame",
			events: func(t *testing.T) []protocol.Envelope {
				return []protocol.Envelope{
					env(t, protocol.TypeViewers, 101, protocol.Viewers{Count: 200}),
					env(t, protocol.TypePin, 102, protocol.Pin{ProductID: "candle", VariantID: "candle-fig"}),
					env(t, protocol.TypeChat, 103, protocol.Chat{ID: "n3", Author: viewer("u-eve", "eve"), Text: "candle!"}),
				}
			},
			show: []string{"200 watching", "PINNED Fig Candle", "only 1 left", "eve: candle!"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := live(t, 80, 24)
			r := h.events(tt.events(t)...)
			if len(r.waits) != 1 {
				t.Errorf("updatesMsg armed %d waits, want exactly 1", len(r.waits))
			}
			h.mustShow(tt.show...)
			h.mustNotShow(tt.notShow...)
		})
	}
}

func TestSoldOutAddDoesNothing(t *testing.T) {
	h := live(t, 80, 24)
	sold := testWelcome().Catalog[0]
	sold.Variants[0].Stock = 0
	h.events(env(t, protocol.TypeProduct, 101, sold))
	h.mustShow("SOLD OUT")
	h.pressSettle("a")
	if !h.m.Cart().IsEmpty() {
		t.Errorf("a added a sold-out variant: %+v", h.m.Cart().Lines())
	}
	if s := h.sess.cartSignals(); len(s) != 0 {
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
		w.Chat = append(w.Chat, protocol.Chat{ID: "w" + string(rune('a'+i)), Author: viewer("u-h", "h"+s), Text: "x" + s + "y"})
	}
	h := newHarness(t, 100, 40)
	h.connect(w, 1)
	var evs []protocol.Envelope
	for i, s := range hostile {
		evs = append(evs, env(t, protocol.TypeChat, uint64(2+i), protocol.Chat{ID: "e" + string(rune('a'+i)), Author: viewer("u-e", s+"mal"), Text: s + " text " + s}))
	}
	bad := testWelcome().Catalog[0]
	bad.Name = "Mug" + hostile[1]
	bad.Variants[0].Name = "Blue" + hostile[3]
	evs = append(evs,
		env(t, protocol.TypeProduct, 50, bad),
		env(t, protocol.TypeError, 0, protocol.Error{Code: "x", Message: "no" + hostile[2] + hostile[0]}))
	h.events(evs...)
	assertSafeView(t, h.m.View().Content)
	assertSafeView(t, h.m.View().WindowTitle)
	h.mustShow("mal: text", "Cosy Corner")

	// The toast that repeats the product's name is clean too.
	h.pressSettle("a")
	assertSafeView(t, h.m.View().Content)
	h.mustShow("Added Mug (Blue)")

	// So is a disconnect reason, in the chat and in the header's state.
	h.drop(errors.New("reset"+hostile[0]+hostile[2]), 2, 5*time.Second)
	assertSafeView(t, h.m.View().Content)
	h.mustShow("offline · reset", "reconnecting · attempt 2 in 5s")

	// So are system lines that repeat what was typed: a line queued while
	// offline, and one that came back unsent. Text typed into the box has
	// lost its C0 controls already, but not its bidi overrides; the text
	// of a failed send is whatever the command carried.
	h.press("enter")
	h.send(tea.PasteMsg{Content: "hi" + hostile[5] + hostile[6]})
	h.pressSettle("enter")
	h.send(sentMsg{what: "chat message", text: "queued" + hostile[0] + hostile[2] + hostile[4], err: client.ErrOffline})
	h.send(sentMsg{what: "chat message", text: "lost" + hostile[1] + hostile[3] + hostile[8], err: errors.New("send queue full")})
	assertSafeView(t, h.m.View().Content)
	h.mustShow("waiting to send: hievil", "waiting to send: queued", "not sent: lostx")
	if len(h.m.pending) != 2 {
		t.Errorf("pending = %q", h.m.pending)
	}

	// And a final reason, with the queue turned into not-sent lines.
	h.updates(failed(errors.New("gone" + hostile[1] + hostile[7])))
	assertSafeView(t, h.m.View().Content)
	h.mustShow("disconnected for good · gone", "not sent: queued")
}

func TestAddPinned(t *testing.T) {
	h := live(t, 80, 24)
	h.pressSettle("a")
	lines := h.m.Cart().Lines()
	want := cart.Line{ProductID: "mug", VariantID: "mug-blue", Name: "Speckled Mug", Variant: "Blue", Unit: testWelcome().Catalog[0].Price, Qty: 1}
	if len(lines) != 1 || lines[0] != want {
		t.Fatalf("cart = %+v, want %+v", lines, want)
	}
	signal := protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 1}
	if got := h.sess.cartSignals(); !reflect.DeepEqual(got, []protocol.CartSignal{signal}) {
		t.Errorf("signals = %+v", got)
	}
	saved, saves := h.store.get(testCartKey)
	if saves != 1 || !reflect.DeepEqual(saved.Lines(), lines) {
		t.Errorf("store: %d saves, %+v", saves, saved.Lines())
	}
	h.mustShow("Added Speckled Mug (Blue) · cart: 1 item, $24.00")

	h.pressSettle("a")
	if got := h.m.Cart().Lines(); len(got) != 1 || got[0].Qty != 2 {
		t.Errorf("after a twice: %+v", got)
	}
	if got := h.sess.cartSignals(); len(got) != 2 || got[1] != signal {
		t.Errorf("signals = %+v", got)
	}
	if saved, _ := h.store.get(testCartKey); saved.Units() != 2 {
		t.Errorf("saved %d units", saved.Units())
	}
}

func TestAddRespectsStock(t *testing.T) {
	h := live(t, 80, 24)
	h.events(env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "candle", VariantID: "candle-fig"}))
	h.pressSettle("a")
	h.pressSettle("a")
	if got := h.m.Cart().Lines(); len(got) != 1 || got[0].Qty != 1 {
		t.Errorf("cart = %+v, want one candle", got)
	}
	if h.m.toastKind != toastError || !strings.Contains(h.m.toast, "only 1 left") {
		t.Errorf("toast = %v %q", h.m.toastKind, h.m.toast)
	}
	h.mustShow("Not added")
	if n := len(h.sess.cartSignals()); n != 1 {
		t.Errorf("%d signals sent, want 1", n)
	}
}

func TestCartPanel(t *testing.T) {
	h := live(t, 80, 24)
	h.pressSettle("a")
	h.events(env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.pressSettle("a")

	h.press("c")
	if h.m.mode != modeCart {
		t.Fatal("c did not open the cart")
	}
	h.mustShow("Cart · 2 items", "Speckled Mug (Blue)", "Merino Scarf (Red)", "Total", "$63.00", "c/esc close")

	sel := func() string { return h.m.Cart().Lines()[h.m.cartSel].VariantID }
	h.press("down")
	if sel() != "scarf-red" {
		t.Errorf("down selected %s", sel())
	}
	h.press("down") // stays on the last line
	if sel() != "scarf-red" {
		t.Errorf("down past the end selected %s", sel())
	}
	h.press("up")
	if sel() != "mug-blue" {
		t.Errorf("up selected %s", sel())
	}
	h.press("k")
	if sel() != "mug-blue" {
		t.Errorf("k past the top selected %s", sel())
	}
	if !strings.Contains(h.view(), "› Speckled Mug") {
		t.Errorf("selection not marked:\n%s", h.view())
	}

	h.sess.forget()
	h.pressSettle("+", "+")
	if q := h.m.Cart().Lines()[0].Qty; q != 3 {
		t.Errorf("after ++ qty = %d", q)
	}
	h.pressSettle("-")
	if q := h.m.Cart().Lines()[0].Qty; q != 2 {
		t.Errorf("after - qty = %d", q)
	}
	add := protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 1}
	rem := protocol.CartSignal{Action: protocol.CartRemove, ProductID: "mug", VariantID: "mug-blue", Qty: 1}
	if got := h.sess.cartSignals(); !reflect.DeepEqual(got, []protocol.CartSignal{add, add, rem}) {
		t.Errorf("signals = %+v", got)
	}
	h.mustShow("×2 $48.00")

	h.sess.forget()
	h.pressSettle("d")
	if got := h.m.Cart().Lines(); len(got) != 1 || got[0].VariantID != "scarf-red" {
		t.Errorf("after d: %+v", got)
	}
	if got := h.sess.cartSignals(); !reflect.DeepEqual(got, []protocol.CartSignal{{Action: protocol.CartRemove, ProductID: "mug", VariantID: "mug-blue", Qty: 2}}) {
		t.Errorf("d sent %+v", got)
	}
	if saved, _ := h.store.get(testCartKey); saved.Len() != 1 {
		t.Errorf("saved cart has %d lines", saved.Len())
	}
	h.mustNotShow("Speckled Mug (Blue)")

	// - on the last unit removes the line; the cart is then empty.
	h.pressSettle("-")
	if !h.m.Cart().IsEmpty() {
		t.Errorf("cart = %+v", h.m.Cart().Lines())
	}
	h.mustShow("Empty · a adds the pinned product")

	h.press("c")
	if h.m.mode != modeShow {
		t.Error("c did not close the cart")
	}
	h.press("c", "esc")
	if h.m.mode != modeShow {
		t.Error("esc did not close the cart")
	}
}

func TestCartMoreRespectsStock(t *testing.T) {
	h := live(t, 80, 24)
	h.events(env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "candle", VariantID: "candle-fig"}))
	h.pressSettle("a", "c", "+")
	if q := h.m.Cart().Lines()[0].Qty; q != 1 {
		t.Errorf("qty = %d beyond the stock of 1", q)
	}
	if h.m.toastKind != toastError || !strings.Contains(h.m.toast, "only 1 left") {
		t.Errorf("toast = %q", h.m.toast)
	}
}

func TestCheckoutOpensBrowser(t *testing.T) {
	h := live(t, 80, 24)
	h.pressSettle("a", "a")
	h.events(env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}))
	h.pressSettle("a", "x")
	want := "http://127.0.0.1:7420/cart/mug-blue:2,scarf-red:1"
	if got := h.opener.URLs(); !reflect.DeepEqual(got, []string{want}) {
		t.Fatalf("opened %q, want %q", got, want)
	}
	h.mustShow("Checkout opened in your browser")
	h.mustNotShow(want)
	if h.m.Cart().Units() != 3 {
		t.Error("checkout emptied the cart")
	}
}

func TestCheckoutOpenerFails(t *testing.T) {
	h := live(t, 80, 24)
	h.opener.err = errors.New("no DISPLAY")
	h.pressSettle("a", "x")
	want := "http://127.0.0.1:7420/cart/mug-blue:1"
	if got := h.opener.URLs(); len(got) != 1 {
		t.Fatalf("opener called %d times", len(got))
	}
	h.mustShow(want, "No browser could be opened", "esc hides the link")
	if h.m.Cart().Units() != 1 {
		t.Error("cart not kept")
	}
	h.press("esc")
	h.mustNotShow(want)
}

func TestCheckoutLinkWithoutBrowser(t *testing.T) {
	h := live(t, 40, 24, func(o *Options) { o.OpenBrowser = false })
	// Enough lines for the link to be longer than the screen is wide.
	for _, pin := range []protocol.Pin{{ProductID: "mug", VariantID: "mug-blue"}, {ProductID: "mug", VariantID: "mug-green"}, {ProductID: "scarf", VariantID: "scarf-red"}} {
		h.events(env(t, protocol.TypePin, 101, pin))
		h.pressSettle("a")
	}
	h.pressSettle("x")
	if got := h.opener.URLs(); len(got) != 0 {
		t.Fatalf("opener called with %q", got)
	}
	want := "http://127.0.0.1:7420/cart/mug-blue:1,mug-green:1,scarf-red:1"
	if h.m.linkURL != want {
		t.Fatalf("link = %q", h.m.linkURL)
	}
	// The link is whole in the view, wrapped across rows without a cut,
	// and no row runs past the screen.
	checkScreen(t, h.m.View().Content, 40, 24)
	flat := strings.ReplaceAll(h.view(), "\n", "")
	if !strings.Contains(flat, want) {
		t.Errorf("View does not hold the whole link:\n%s", h.view())
	}
	h.mustShow("Open the link below")
}

func TestCheckoutEmptyCart(t *testing.T) {
	h := live(t, 80, 24)
	h.pressSettle("x")
	if got := h.opener.URLs(); len(got) != 0 {
		t.Fatalf("opened %q with an empty cart", got)
	}
	if h.m.linkURL != "" {
		t.Errorf("link = %q", h.m.linkURL)
	}
	// x is disabled with an empty cart, so the key does nothing; checkout
	// itself still refuses and says why.
	m, _ := h.m.checkout()
	if !strings.Contains(m.toast, "Your cart is empty") {
		t.Errorf("toast = %q", m.toast)
	}
}

func TestCheckoutRefusesUnsafeTemplate(t *testing.T) {
	for _, tmpl := range []string{"javascript:alert(1)//{items}", "http://evil.example/cart/{items}", "https://shop/{items}/{items}", ""} {
		t.Run(tmpl, func(t *testing.T) {
			w := testWelcome()
			w.Checkout = tmpl
			h := newHarness(t, 80, 24)
			h.connect(w, 1)
			h.pressSettle("a", "x")
			if got := h.opener.URLs(); len(got) != 0 {
				t.Fatalf("opened %q", got)
			}
			if h.m.linkURL != "" {
				t.Errorf("link shown: %q", h.m.linkURL)
			}
			h.mustShow("Cannot check out")
			h.mustNotShow("javascript")
		})
	}
}

func TestChatInput(t *testing.T) {
	h := live(t, 80, 24)
	h.press("enter")
	if h.m.mode != modeInput {
		t.Fatal("enter did not focus the input")
	}
	h.mustShow("enter send", "esc leave chat", "ctrl+c quit")
	h.mustNotShow("? help")
	r := run(t, h.press("q", "a", "?", "x", "c", "space", "h", "i", "/"))
	if r.has(isQuit) {
		t.Fatal("q quit while typing")
	}
	if got := h.m.input.Value(); got != "qa?xc hi/" {
		t.Errorf("input = %q", got)
	}
	if !h.m.Cart().IsEmpty() || h.m.help.ShowAll || h.m.mode != modeInput {
		t.Error("keys typed into the input also triggered actions")
	}
	h.mustShow("› qa?xc hi/")

	h.pressSettle("enter")
	want := sentCmd{protocol.TypeSay, protocol.Say{Text: "qa?xc hi/"}}
	if got := h.sess.Sent(); !reflect.DeepEqual(got, []sentCmd{want}) {
		t.Errorf("sent %+v, want %+v", got, want)
	}
	if h.m.input.Value() != "" || h.m.mode != modeInput {
		t.Errorf("after send: input %q, mode %v", h.m.input.Value(), h.m.mode)
	}
	// Enter on an empty (or blank) input sends nothing.
	h.pressSettle("space", "enter")
	if n := len(h.sess.Sent()); n != 1 {
		t.Errorf("blank input sent: %d commands", n)
	}

	h.press("esc")
	if h.m.mode != modeShow || h.m.input.Focused() {
		t.Error("esc did not leave the input")
	}
	h.press("/")
	if h.m.mode != modeInput {
		t.Error("/ did not focus the input")
	}
	if !run(t, h.press("ctrl+c")).has(isQuit) {
		t.Error("ctrl+c did not quit while typing")
	}
}

func TestHelp(t *testing.T) {
	h := live(t, 80, 24)
	h.mustShow("a add pinned to cart", "c cart", "? help", "q quit")
	h.mustNotShow("x check out", "r reconnect", "scroll chat back")

	h.press("?")
	h.mustShow("scroll chat back", "newest chat")
	h.press("?")
	h.mustNotShow("scroll chat back")

	h.pressSettle("a")
	h.mustShow("x check out")
}

func TestCartPersistsToDisk(t *testing.T) {
	dir := t.TempDir()
	store := cart.Store{Dir: dir}
	h := live(t, 80, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	h.pressSettle("a")
	got, err := store.Load(testCartKey)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(got.Lines(), h.m.Cart().Lines()) || got.Units() != 1 {
		t.Errorf("on disk %+v, in memory %+v", got.Lines(), h.m.Cart().Lines())
	}

	// A second viewer on the same show, while the first holds the cart,
	// says so and keeps its changes to itself.
	h2 := live(t, 80, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	if !strings.Contains(h2.m.toast, "open in another livecart") || h2.m.saving {
		t.Errorf("second viewer: toast %q, saving %v", h2.m.toast, h2.m.saving)
	}
	// The toast goes; that the cart is not saved stays.
	h2.send(toastExpiredMsg{id: h2.m.toastID})
	h2.mustShow("Cart not saved: the cart for this show is open in another livecart")
	h2.pressSettle("a")
	h2.pressSettle("a")
	if got, _ := store.Load(testCartKey); got.Units() != 1 {
		t.Errorf("the locked-out viewer wrote the cart: %+v", got.Lines())
	}

	// Once the first quits, a new session finds the cart.
	h.m.Close()
	h3 := live(t, 80, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	if h3.m.Cart().Units() != 1 || !h3.m.saving || h3.m.unsaved != "" {
		t.Errorf("new session loaded %+v", h3.m.Cart().Lines())
	}
	h3.m.Close()
}

func TestDamagedCart(t *testing.T) {
	dir := t.TempDir()
	store := cart.Store{Dir: dir}
	path := store.Path(testCartKey)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := live(t, 200, 24, func(o *Options) { o.Carts = CartFiles{Store: store} })
	if h.m.toastKind != toastError || !strings.Contains(h.m.toast, "Saved cart was damaged") || !strings.Contains(h.m.toast, path+".damaged-") {
		t.Errorf("toast = %q", h.m.toast)
	}
	h.mustShow("Saved cart was damaged", "kept a copy at "+path+".damaged-")
	if !h.m.Cart().IsEmpty() || !h.m.cartLoaded {
		t.Error("a damaged cart did not start an empty one")
	}
	// The cart still works and saves over the damaged one's place.
	h.pressSettle("a")
	if got, err := store.Load(testCartKey); err != nil || got.Units() != 1 {
		t.Errorf("after a: %+v, %v", got.Lines(), err)
	}
}

func TestCartLoadError(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.store.loadErr = errors.New("permission denied")
	h.connect(testWelcome(), 1)
	if !strings.Contains(h.m.toast, "Could not load the saved cart: permission denied") {
		t.Errorf("toast = %q", h.m.toast)
	}
}

func TestSendErrorShown(t *testing.T) {
	h := live(t, 80, 24)
	h.sess.failSends(errors.New("send queue full"))
	h.pressSettle("a")
	h.mustShow("Could not send cart update: send queue full")
}

func TestToastExpires(t *testing.T) {
	h := live(t, 80, 24)
	var scheduled []func() tea.Msg
	h.m.opts.Tick = func(_ time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
		scheduled = append(scheduled, func() tea.Msg { return f(time.Time{}) })
		return nil
	}
	h.pressSettle("a")
	first := scheduled[len(scheduled)-1]()
	h.pressSettle("a")
	second := scheduled[len(scheduled)-1]()
	h.send(first) // an older toast's timer does not clear the newer one
	if h.m.toast == "" {
		t.Error("an expired older toast cleared the current one")
	}
	h.send(second)
	if h.m.toast != "" {
		t.Errorf("toast %q outlived its timer", h.m.toast)
	}
}

func TestSavesLandInOrder(t *testing.T) {
	h := live(t, 80, 24)
	// Two adds whose saves run in the wrong order, as concurrent commands
	// may: the older cart must not overwrite the newer one.
	first := h.press("a")
	second := h.press("a")
	run(t, second)
	run(t, first)
	saved, saves := h.store.get(testCartKey)
	if saved.Units() != 2 {
		t.Errorf("store holds %d units after the late older save, want 2", saved.Units())
	}
	if saves != 1 {
		t.Errorf("%d saves reached the store, want only the newer one", saves)
	}
}

func TestChatScrollKeys(t *testing.T) {
	h := live(t, 80, 24)
	h.press("pgup")
	h.mustShow("scrolled back · end to return")
	h.events(env(t, protocol.TypeChat, 101, protocol.Chat{ID: "n1", Author: viewer("u-eve", "eve"), Text: "while you read"}))
	h.mustShow("1 new message · end to return")
	h.mustNotShow("eve: while you read")
	h.press("end")
	h.mustShow("eve: while you read")
	h.mustNotShow("end to return")

	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	h.mustShow("scrolled back")
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.mustNotShow("scrolled back")
}

func TestPasteGoesToInputOnly(t *testing.T) {
	h := live(t, 80, 24)
	h.send(tea.PasteMsg{Content: "ignored"})
	if h.m.input.Value() != "" {
		t.Errorf("paste outside the input landed: %q", h.m.input.Value())
	}
	h.press("enter")
	h.send(tea.PasteMsg{Content: "pasted text"})
	if h.m.input.Value() != "pasted text" {
		t.Errorf("input = %q", h.m.input.Value())
	}
}
