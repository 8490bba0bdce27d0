package host

import (
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

const (
	testToken = "s3cret-h0st-t0ken-7f1c"
	testHint  = "livecart watch ws://127.0.0.1:7420/ws"
)

// harness is the shared driver around a dashboard, its session and its
// clock, which fires only when a test says.
type harness struct {
	*uitest.Driver[Model]
	sess *uitest.Session
	tk   *uitest.Ticker
}

var hostID = protocol.Identity{ID: "h1", Name: "Maya", Role: protocol.RoleHost}

func testCatalog() []protocol.Product {
	return []protocol.Product{
		uitest.Product("mug", "Speckled Mug", 2400,
			protocol.Variant{ID: "mug-blue", Name: "Blue", Stock: 12},
			protocol.Variant{ID: "mug-sand", Name: "Sand", Stock: 0},
			protocol.Variant{ID: "mug-green", Name: "Green", Stock: 4}),
		uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7}),
		uitest.Product("candle", "Fig Candle", 1850, protocol.Variant{ID: "candle-fig", Name: "Fig", Stock: 1}),
		uitest.Product("tote", "Canvas Market Tote", 1800,
			protocol.Variant{ID: "tote-natural", Name: "Natural", Stock: 60},
			protocol.Variant{ID: "tote-black", Name: "Black", Stock: 45}),
		uitest.Product("lamp", "Mushroom Desk Lamp", 5400,
			protocol.Variant{ID: "lamp-white", Name: "White", Stock: 0},
			protocol.Variant{ID: "lamp-amber", Name: "Amber", Stock: 0}),
	}
}

// testWelcome is the fixed show every test starts from, welcoming the host.
func testWelcome() protocol.Welcome {
	return protocol.Welcome{
		Version: protocol.Version,
		Epoch:   "e1",
		You:     hostID,
		Show:    protocol.ShowInfo{ID: "cosy", Title: "Cosy Corner Live", Host: "Maya"},
		Catalog: testCatalog(),
		Pinned:  &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
		Chat: append(uitest.Opening(hostID),
			uitest.Say(8, uitest.Bo, "buy cheap followers at spam.example"),
			uitest.Say(9, uitest.Cy, "I bought the green one last month and honestly it is the mug I reach for every single morning"),
			uitest.Say(10, uitest.Dee, "scarf next?"),
		),
		Viewers:  128,
		Checkout: "http://127.0.0.1:7420/cart/{items}",
	}
}

func newHarness(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	hs := &harness{sess: uitest.NewSession(), tk: &uitest.Ticker{}}
	opts := Options{
		URL:       uitest.URL,
		Token:     testToken,
		Name:      "maya",
		Theme:     "dark",
		Tick:      hs.tk.Tick,
		WatchHint: testHint,
	}
	for _, f := range tweak {
		f(&opts)
	}
	hs.Driver = uitest.NewDriver(t, New(opts, hs.sess), w, h, nil)
	return hs
}

// joined is a harness connected to testWelcome as the host.
func joined(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	hs := newHarness(t, w, h, tweak...)
	hs.Join(testWelcome(), 100)
	if hs.M.Phase != live.PhaseLive {
		t.Fatalf("phase %d after the welcome, want live", hs.M.Phase)
	}
	return hs
}

// answer replaces the open prompt's text with s and presses enter.
func (h *harness) answer(s string) uitest.Ran {
	h.T.Helper()
	h.M.input.SetValue("")
	h.TypeText(s)
	return h.PressSettle("enter")
}

// env builds an event stamped with the harness's time as the server's.
func (h *harness) env(typ protocol.Type, seq uint64, data any) protocol.Envelope {
	h.T.Helper()
	e := uitest.Env(h.T, typ, seq, data)
	e.TS = h.Now
	return e
}

// serverError delivers an error event.
func (h *harness) serverError(code, message string) {
	h.T.Helper()
	h.Events(h.env(protocol.TypeError, 0, protocol.Error{Code: code, Message: message}))
}

// metricsAt delivers a metrics event.
func (h *harness) metricsEvent(mt protocol.Metrics) {
	h.T.Helper()
	h.Events(h.env(protocol.TypeMetrics, 0, mt))
}

// lastSent is the newest command the model sent, which must be of typ.
func (h *harness) lastSent(typ protocol.Type) any {
	h.T.Helper()
	sent := h.sess.Sent()
	if len(sent) == 0 {
		h.T.Fatalf("nothing was sent, want %s", typ)
	}
	c := sent[len(sent)-1]
	if c.Type != typ {
		h.T.Fatalf("sent %s (%+v), want %s", c.Type, c.Data, typ)
	}
	return c.Data
}

// mustSendNothing fails if any command was sent since n commands.
func (h *harness) mustSendNothing(n int) {
	h.T.Helper()
	if sent := h.sess.Sent(); len(sent) != n {
		h.T.Fatalf("sent %+v, want nothing", sent[n:])
	}
}

// baseMetrics is a plausible metrics event.
func baseMetrics() protocol.Metrics {
	return protocol.Metrics{
		Viewers: 128, PeakViewers: 140, ChatPerMinute: 42,
		Products: []protocol.ProductMetrics{
			{ProductID: "mug", Adds: 31, Removes: 4, Sold: 12},
			{ProductID: "scarf", Adds: 9, Removes: 1, Sold: 3},
		},
		CheckoutsStarted: 19, Orders: 14, UnitsSold: 15,
		Revenue: money.New(41250, "USD"),
		Funnel:  protocol.Funnel{Viewers: 150, AddedToCart: 36, CheckedOut: 14},
		UpNext:  []string{"scarf", "candle"},
	}
}

// slowAnswers lets every command sent so far wait longer than slowAnswer:
// it fires their timers.
func (h *harness) slowAnswers() {
	h.T.Helper()
	fired := 0
	for i, f := range h.tk.Fns {
		if msg, ok := f(time.Time{}).(slowMsg); ok {
			if h.tk.Delays[i] != slowAnswer {
				h.T.Fatalf("the wait for an answer is %v, want %v", h.tk.Delays[i], slowAnswer)
			}
			h.Settle(h.Send(msg))
			fired++
		}
	}
	if fired == 0 {
		h.T.Fatal("no command is waiting for its answer")
	}
}
