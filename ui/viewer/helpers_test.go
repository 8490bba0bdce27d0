package viewer

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

const (
	testCheckout = "http://127.0.0.1:7420/cart/{items}"
	testCartKey  = "cosy@127.0.0.1"
)

// harness is the shared driver around a viewer, and what the viewer is
// wired to.
type harness struct {
	*uitest.Driver[Model]
	sess   *uitest.Session
	store  *memStore
	opener *opener
}

// cartSignals returns the cart signals sent so far.
func cartSignals(s *uitest.Session) []protocol.CartSignal {
	var out []protocol.CartSignal
	for _, c := range s.Sent() {
		if c.Type == protocol.TypeCart {
			out = append(out, c.Data.(protocol.CartSignal))
		}
	}
	return out
}

// memStore is an in-memory CartStore.
type memStore struct {
	mu      sync.Mutex
	carts   map[string]cart.Cart
	saves   int
	loadErr error
	openErr error // e.g. a *cart.LockedError
	saveErr error // every Save fails with it, the cart unchanged
	opened  int
	closed  int
}

func newMemStore() *memStore { return &memStore{carts: map[string]cart.Cart{}} }

func (s *memStore) Open(show string) (CartFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.openErr != nil {
		return nil, s.openErr
	}
	s.opened++
	return &memFile{s: s, show: show}, nil
}

// memFile is one show's cart in a memStore.
type memFile struct {
	s    *memStore
	show string
}

func (f *memFile) Load() (cart.Cart, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.s.carts[f.show], f.s.loadErr
}

func (f *memFile) Save(c cart.Cart) error {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if f.s.saveErr != nil {
		return f.s.saveErr
	}
	f.s.carts[f.show] = c
	f.s.saves++
	return nil
}

func (f *memFile) Close() error {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	f.s.closed++
	return nil
}

// set changes the store under its lock.
func (s *memStore) set(f func(*memStore)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *memStore) get(show string) (cart.Cart, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.carts[show], s.saves
}

// opener records the URLs it is asked to open.
type opener struct {
	mu   sync.Mutex
	urls []string
	err  error
}

func (o *opener) Opener() checkout.Opener {
	return checkout.OpenerFunc(func(url string) error {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.urls = append(o.urls, url)
		return o.err
	})
}

func (o *opener) URLs() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.urls...)
}

// testWelcome is the fixed show every test starts from.
func testWelcome() protocol.Welcome {
	mug := uitest.Product("mug", "Speckled Mug", 2400,
		protocol.Variant{ID: "mug-blue", Name: "Blue", Stock: 12},
		protocol.Variant{ID: "mug-sand", Name: "Sand", Stock: 0},
		protocol.Variant{ID: "mug-green", Name: "Green", Stock: 4})
	mug.Description = "Hand-thrown stoneware, 350 ml, dishwasher safe"
	scarf := uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	candle := uitest.Product("candle", "Fig Candle", 1850, protocol.Variant{ID: "candle-fig", Name: "Fig", Stock: 1})
	host := protocol.Identity{ID: "maya", Name: "Maya", Role: protocol.RoleHost}
	return protocol.Welcome{
		Version: protocol.Version,
		You:     uitest.Viewer("u-me", "me"),
		Show:    protocol.ShowInfo{ID: "cosy", Title: "Cosy Corner Live", Host: "Maya"},
		Catalog: []protocol.Product{mug, scarf, candle},
		Pinned:  &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
		Chat: append(uitest.Opening(host),
			uitest.Say(8, host, "350 ml, a proper tea mug"),
			uitest.Say(9, uitest.Bo, "adding one"),
			uitest.Say(10, uitest.Cy, "I bought the green one last month and honestly it is the mug I reach for every single morning, the glaze holds up beautifully in the dishwasher"),
			uitest.Say(11, uitest.Dee, "same"),
			uitest.Say(12, uitest.Ana, "scarf next?"),
			uitest.Say(13, host, "Scarf after the mugs"),
			uitest.Say(14, uitest.Bo, "lol"),
			uitest.Say(15, uitest.Dee, "🍵🍵🍵"),
		),
		Viewers:  128,
		Checkout: testCheckout,
	}
}

// newHarness builds a model of the given size around a test session, not
// yet started.
func newHarness(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	hs := &harness{sess: uitest.NewSession(), store: newMemStore(), opener: &opener{}}
	opts := Options{
		URL:         uitest.URL,
		Name:        "me",
		Theme:       "dark",
		OpenBrowser: true,
		Opener:      hs.opener.Opener(),
		Carts:       hs.store,
		Tick:        uitest.NoTick,
		Location:    time.UTC, // a time of day on screen is the same on every machine
	}
	for _, f := range tweak {
		f(&opts)
	}
	// Every state a test reaches draws the same from the frame cache as
	// fresh.
	hs.Driver = uitest.NewDriver(t, New(opts, hs.sess), w, h, func(m Model) { checkFrameCache(t, m) })
	return hs
}

// joined is a harness connected to testWelcome with its cart loaded.
func joined(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	hs := newHarness(t, w, h, tweak...)
	hs.Join(testWelcome(), 100)
	if !hs.M.cartLoaded {
		t.Fatal("cart did not load on connect")
	}
	return hs
}

// drop delivers the link going down: the next attempt, number attempt,
// is in wait from h.Now.
func (h *harness) drop(err error, attempt int, wait time.Duration) uitest.Ran {
	h.T.Helper()
	return h.Updates(uitest.Waiting(err, attempt, h.Now.Add(wait)))
}

// resumed is a lossless reconnect: the welcome carries no catalog or chat.
func resumed(seq uint64, viewers int) client.Update {
	w := testWelcome()
	w.Resumed, w.Catalog, w.Chat, w.Pinned = true, nil, nil, nil
	w.Viewers = viewers
	return client.Update{Kind: client.UpdateResumed, Welcome: w, Seq: seq}
}

// checkFrameCache fails when the model draws anything other than what it
// draws with nothing memoised: a part whose memo key misses something it
// is drawn from would show stale data. Every state any harness test
// reaches is checked.
func checkFrameCache(t *testing.T, m Model) {
	t.Helper()
	got := m.View().Content
	fresh := m
	fresh.cache = newFrameCache()
	if want := fresh.View().Content; got != want {
		t.Fatalf("the memoised frame differs from a fresh one:\n--- fresh\n%s\n--- memoised\n%s", ansi.Strip(want), ansi.Strip(got))
	}
}

// chatEnv is a chat event.
func chatEnv(t *testing.T, seq uint64, id, who, text string) protocol.Envelope {
	t.Helper()
	return uitest.Env(t, protocol.TypeChat, seq, protocol.Chat{ID: id, Author: uitest.Viewer("u-"+who, who), Text: text})
}

// mustShowWrapped fails unless the screen shows text whole, wrapped
// across rows or not: it compares with every space and row break taken
// out.
func (h *harness) mustShowWrapped(texts ...string) {
	h.T.Helper()
	v := squash(h.View())
	for _, text := range texts {
		if !strings.Contains(v, squash(text)) {
			h.T.Errorf("View lacks %q, even wrapped:\n%s", text, h.View())
		}
	}
}

// squash takes every space and row break out of s.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}
