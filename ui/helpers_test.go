package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

const (
	testURL      = "ws://127.0.0.1:7420/ws"
	testCheckout = "http://127.0.0.1:7420/cart/{items}"
	testCartKey  = "cosy@127.0.0.1"
)

// testConn is the model's input: a welcome, an events channel the test
// feeds, and a record of everything the model sends.
type testConn struct {
	welcome protocol.Welcome
	seq     uint64
	events  chan []protocol.Envelope

	mu      sync.Mutex
	sent    []sentCmd
	sendErr error
	err     error
	closed  int
}

type sentCmd struct {
	Type protocol.Type
	Data any
}

func newTestConn(w protocol.Welcome, seq uint64) *testConn {
	return &testConn{welcome: w, seq: seq, events: make(chan []protocol.Envelope, 16)}
}

func (c *testConn) Welcome() (protocol.Welcome, uint64) { return c.welcome, c.seq }
func (c *testConn) Events() <-chan []protocol.Envelope  { return c.events }

func (c *testConn) Send(typ protocol.Type, data any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, sentCmd{typ, data})
	return c.sendErr
}

func (c *testConn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *testConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed++
	return nil
}

func (c *testConn) Sent() []sentCmd {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sentCmd(nil), c.sent...)
}

func (c *testConn) Closed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// cartSignals returns the cart signals sent so far.
func (c *testConn) cartSignals() []protocol.CartSignal {
	var out []protocol.CartSignal
	for _, s := range c.Sent() {
		if s.Type == protocol.TypeCart {
			out = append(out, s.Data.(protocol.CartSignal))
		}
	}
	return out
}

// dialer is the model's Options.Dial: it hands out the results it was given
// in order and records what it was asked.
type dialer struct {
	mu      sync.Mutex
	results []dialResult
	calls   []client.Options
}

type dialResult struct {
	conn Conn
	err  error
}

func (d *dialer) push(conn Conn, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.results = append(d.results, dialResult{conn, err})
}

func (d *dialer) dial(_ context.Context, opts client.Options) (Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, opts)
	if len(d.results) == 0 {
		return nil, errors.New("test dialer: no result queued")
	}
	r := d.results[0]
	d.results = d.results[1:]
	return r.conn, r.err
}

func (d *dialer) Calls() []client.Options {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]client.Options(nil), d.calls...)
}

// memStore is an in-memory CartStore.
type memStore struct {
	mu      sync.Mutex
	carts   map[string]cart.Cart
	saves   int
	loadErr error
}

func newMemStore() *memStore { return &memStore{carts: map[string]cart.Cart{}} }

func (s *memStore) Load(show string) (cart.Cart, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.carts[show], s.loadErr
}

func (s *memStore) Save(show string, c cart.Cart) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.carts[show] = c
	s.saves++
	return nil
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

// noTick replaces the clock: toasts never expire on their own in tests.
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// harness holds a model and everything it is wired to.
type harness struct {
	t      *testing.T
	m      Model
	conn   *testConn
	dialer *dialer
	store  *memStore
	opener *opener
}

func product(id, name string, cents int64, variants ...protocol.Variant) protocol.Product {
	return protocol.Product{ID: id, Name: name, Price: money.New(cents, "USD"), Variants: variants}
}

func viewer(id, name string) protocol.Identity {
	return protocol.Identity{ID: id, Name: name, Role: protocol.RoleViewer}
}

// testWelcome is the fixed show every test starts from.
func testWelcome() protocol.Welcome {
	mug := product("mug", "Speckled Mug", 2400,
		protocol.Variant{ID: "mug-blue", Name: "Blue", Stock: 12},
		protocol.Variant{ID: "mug-sand", Name: "Sand", Stock: 0},
		protocol.Variant{ID: "mug-green", Name: "Green", Stock: 4})
	mug.Description = "Hand-thrown stoneware, 350 ml, dishwasher safe"
	scarf := product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	candle := product("candle", "Fig Candle", 1850, protocol.Variant{ID: "candle-fig", Name: "Fig", Stock: 1})
	host := protocol.Identity{ID: "maya", Name: "Maya", Role: protocol.RoleHost}
	say := func(i int, who protocol.Identity, text string) protocol.Chat {
		return protocol.Chat{ID: fmt.Sprintf("c%02d", i), Author: who, Text: text}
	}
	ana, bo, cy, dee := viewer("u-ana", "ana"), viewer("u-bo", "bo"), viewer("u-cy", "cy_knits"), viewer("u-dee", "dee")
	return protocol.Welcome{
		Version: protocol.Version,
		You:     viewer("u-me", "me"),
		Show:    protocol.ShowInfo{ID: "cosy", Title: "Cosy Corner Live", Host: "Maya"},
		Catalog: []protocol.Product{mug, scarf, candle},
		Pinned:  &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
		Chat: []protocol.Chat{
			say(1, ana, "hi everyone!"),
			say(2, bo, "first time here"),
			say(3, host, "Welcome in! Tonight: mugs, scarves and candles"),
			say(4, cy, "that blue is gorgeous"),
			say(5, dee, "is the sand one coming back?"),
			say(6, host, "Sand is sold out, more next week"),
			say(7, ana, "how big is the mug?"),
			say(8, host, "350 ml, a proper tea mug"),
			say(9, bo, "adding one"),
			say(10, cy, "I bought the green one last month and honestly it is the mug I reach for every single morning, the glaze holds up beautifully in the dishwasher"),
			say(11, dee, "same"),
			say(12, ana, "scarf next?"),
			say(13, host, "Scarf after the mugs"),
			say(14, bo, "lol"),
			say(15, dee, "🍵🍵🍵"),
		},
		Viewers:  128,
		Checkout: testCheckout,
	}
}

// newHarness builds a model of the given size, not yet connected.
func newHarness(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	hs := &harness{t: t, dialer: &dialer{}, store: newMemStore(), opener: &opener{}}
	opts := Options{
		URL:         testURL,
		Name:        "me",
		Theme:       "dark",
		OpenBrowser: true,
		Opener:      hs.opener.Opener(),
		Carts:       hs.store,
		Dial:        hs.dialer.dial,
		Tick:        noTick,
	}
	for _, f := range tweak {
		f(&opts)
	}
	hs.m = New(opts)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// connect delivers a successful first connection and lets the cart load.
// It returns the command of the connect step.
func (h *harness) connect(w protocol.Welcome, seq uint64) tea.Cmd {
	h.t.Helper()
	h.conn = newTestConn(w, seq)
	cmd := h.send(connectedMsg{gen: h.m.gen, conn: h.conn})
	h.settle(cmd)
	return cmd
}

// live is a harness connected to testWelcome with its cart loaded.
func live(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	hs := newHarness(t, w, h, tweak...)
	hs.connect(testWelcome(), 100)
	if !hs.m.cartLoaded {
		t.Fatal("cart did not load on connect")
	}
	return hs
}

// update calls Update and asserts the model's type.
func update(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		t.Fatalf("Update returned %T, want ui.Model", next)
	}
	return nm, cmd
}

func (h *harness) send(msg tea.Msg) tea.Cmd {
	h.t.Helper()
	var cmd tea.Cmd
	h.m, cmd = update(h.t, h.m, msg)
	return cmd
}

// press sends key presses, named as key.Binding names them.
func (h *harness) press(keys ...string) tea.Cmd {
	h.t.Helper()
	var cmds []tea.Cmd
	for _, k := range keys {
		cmds = append(cmds, h.send(keyPress(h.t, k)))
	}
	return tea.Batch(cmds...)
}

// pressSettle presses keys and runs what they return through the model.
func (h *harness) pressSettle(keys ...string) ran {
	h.t.Helper()
	var all ran
	for _, k := range keys {
		r := h.settle(h.send(keyPress(h.t, k)))
		all.msgs = append(all.msgs, r.msgs...)
		all.waits = append(all.waits, r.waits...)
	}
	return all
}

// settle runs cmd, feeds every message it yields back into the model and
// runs the commands those return, until nothing is left: a program loop
// without the program. Waits for events are collected, not run.
func (h *harness) settle(cmd tea.Cmd) ran {
	h.t.Helper()
	var all ran
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100 {
			h.t.Fatal("settle: the model keeps producing commands")
		}
		r := run(h.t, queue[0])
		queue = queue[1:]
		all.msgs = append(all.msgs, r.msgs...)
		all.waits = append(all.waits, r.waits...)
		for _, msg := range r.msgs {
			if _, quit := msg.(tea.QuitMsg); quit {
				continue
			}
			queue = append(queue, h.send(msg))
		}
	}
	return all
}

func (h *harness) view() string {
	h.t.Helper()
	return ansi.Strip(h.m.View().Content)
}

func (h *harness) mustShow(parts ...string) {
	h.t.Helper()
	v := h.view()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			h.t.Errorf("View lacks %q:\n%s", p, v)
		}
	}
}

func (h *harness) mustNotShow(parts ...string) {
	h.t.Helper()
	v := h.view()
	for _, p := range parts {
		if strings.Contains(v, p) {
			h.t.Errorf("View shows %q:\n%s", p, v)
		}
	}
}

// keyPress builds the key press whose String() is name.
func keyPress(t *testing.T, name string) tea.KeyPressMsg {
	t.Helper()
	var k tea.KeyPressMsg
	switch name {
	case "enter":
		k = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		k = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		k = tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgup":
		k = tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "end":
		k = tea.KeyPressMsg{Code: tea.KeyEnd}
	case "space":
		k = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c":
		k = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	default:
		r := []rune(name)
		if len(r) != 1 {
			t.Fatalf("keyPress: no key named %q", name)
		}
		k = tea.KeyPressMsg{Code: r[0], Text: name}
	}
	if k.String() != name {
		t.Fatalf("keyPress(%q).String() = %q", name, k.String())
	}
	return k
}

// ran is what running a command produced.
type ran struct {
	msgs  []tea.Msg
	waits []tea.Cmd // waitForEvents commands, armed but not run
}

func (r ran) count(match func(tea.Msg) bool) int {
	n := 0
	for _, m := range r.msgs {
		if match(m) {
			n++
		}
	}
	return n
}

func (r ran) has(match func(tea.Msg) bool) bool { return r.count(match) > 0 }

func isQuit(m tea.Msg) bool { _, ok := m.(tea.QuitMsg); return ok }

var cmdType = reflect.TypeFor[tea.Cmd]()

// funcName names the function behind a command.
func funcName(cmd tea.Cmd) string {
	return runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
}

// run executes cmd and every command in the batches and sequences it yields,
// and returns the messages. Commands that wait are not run: the spinner's
// and the cursor's (they sleep) and waitForEvents (it blocks on the
// connection), which is returned in waits for the test to run when it has
// queued a frame.
func run(t *testing.T, cmd tea.Cmd) ran {
	t.Helper()
	var out ran
	if cmd == nil {
		return out
	}
	// Closure names depend on inlining ("ui.Model.handleConnected.
	// waitForEvents.func3"), so they are matched on a part that stays.
	name := funcName(cmd)
	switch {
	case strings.Contains(name, "waitForEvents"):
		out.waits = append(out.waits, cmd)
		return out
	case strings.HasPrefix(name, "charm.land/bubbles/v2/"):
		// The spinner's tick and the cursor's blink: timers, never run.
		return out
	case strings.HasPrefix(name, "github.com/livecart/livecart/ui."),
		strings.HasPrefix(name, "charm.land/bubbletea/v2."):
	default:
		// Anything else might block: say so rather than hang.
		t.Fatalf("run: unknown command %s", name)
	}
	msg := cmd()
	if msg == nil {
		return out
	}
	// tea.BatchMsg, and tea's unexported sequenceMsg: both are []tea.Cmd.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		for i := range v.Len() {
			r := run(t, v.Index(i).Interface().(tea.Cmd))
			out.msgs = append(out.msgs, r.msgs...)
			out.waits = append(out.waits, r.waits...)
		}
		return out
	}
	out.msgs = append(out.msgs, msg)
	return out
}

// env builds a show event.
func env(t *testing.T, typ protocol.Type, seq uint64, data any) protocol.Envelope {
	t.Helper()
	e := protocol.Envelope{Type: typ, Seq: seq}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		e.Data = raw
	}
	return e
}

// events delivers one frame of events, as the bridge would.
func (h *harness) events(envs ...protocol.Envelope) ran {
	h.t.Helper()
	return h.settle(h.send(eventsMsg{gen: h.m.gen, frames: [][]protocol.Envelope{envs}}))
}
