package host

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

const (
	testURL   = "ws://127.0.0.1:7420/ws"
	testToken = "s3cret-h0st-t0ken-7f1c"
	testHint  = "livecart watch ws://127.0.0.1:7420/ws"
)

// t0 is the fixed time the tests' updates are stamped with, by our clock
// and by the server's.
var t0 = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// testSession is the model's input: an updates channel the test feeds, and
// a record of everything the model asks of it.
type testSession struct {
	updates chan client.Update

	mu      sync.Mutex
	sent    []sentCmd
	sendErr error
	retries int
	closes  int
	once    sync.Once
}

type sentCmd struct {
	Type protocol.Type
	Data any
}

func newTestSession() *testSession {
	return &testSession{updates: make(chan client.Update, 2*live.MaxBatch)}
}

func (s *testSession) Updates() <-chan client.Update { return s.updates }

func (s *testSession) Send(typ protocol.Type, data any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sentCmd{typ, data})
	return s.sendErr
}

func (s *testSession) Retry() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retries++
}

func (s *testSession) Close() {
	s.mu.Lock()
	s.closes++
	s.mu.Unlock()
	s.once.Do(func() { close(s.updates) })
}

func (s *testSession) failSends(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sendErr = err
}

func (s *testSession) Sent() []sentCmd {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentCmd(nil), s.sent...)
}

func (s *testSession) Closes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closes
}

// noTick replaces the clock: statuses never expire on their own in tests.
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// ticker records what was scheduled, for the test to fire at a time of its
// choosing.
type ticker struct {
	fns []func(time.Time) tea.Msg
}

func (tk *ticker) tick(_ time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
	tk.fns = append(tk.fns, f)
	return nil
}

// clocks returns the clock ticks scheduled so far.
func (tk *ticker) clocks() []func(time.Time) tea.Msg {
	var out []func(time.Time) tea.Msg
	for _, f := range tk.fns {
		if _, ok := f(time.Time{}).(live.ClockMsg); ok {
			out = append(out, f)
		}
	}
	return out
}

// lastClock is the newest clock tick, fired at at.
func (tk *ticker) lastClock(t *testing.T, at time.Time) tea.Msg {
	t.Helper()
	for i := len(tk.fns) - 1; i >= 0; i-- {
		if c, ok := tk.fns[i](at).(live.ClockMsg); ok {
			return c
		}
	}
	t.Fatal("no clock tick was scheduled")
	return nil
}

// harness holds a model and everything it is wired to.
type harness struct {
	t    *testing.T
	m    Model
	sess *testSession
	now  time.Time // stamped on updates, and on events as the server's time
}

func product(id, name string, cents int64, variants ...protocol.Variant) protocol.Product {
	return protocol.Product{ID: id, Name: name, Price: money.New(cents, "USD"), Variants: variants}
}

func viewer(id, name string) protocol.Identity {
	return protocol.Identity{ID: id, Name: name, Role: protocol.RoleViewer}
}

var hostID = protocol.Identity{ID: "h1", Name: "Maya", Role: protocol.RoleHost}

func testCatalog() []protocol.Product {
	return []protocol.Product{
		product("mug", "Speckled Mug", 2400,
			protocol.Variant{ID: "mug-blue", Name: "Blue", Stock: 12},
			protocol.Variant{ID: "mug-sand", Name: "Sand", Stock: 0},
			protocol.Variant{ID: "mug-green", Name: "Green", Stock: 4}),
		product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7}),
		product("candle", "Fig Candle", 1850, protocol.Variant{ID: "candle-fig", Name: "Fig", Stock: 1}),
		product("tote", "Canvas Market Tote", 1800,
			protocol.Variant{ID: "tote-natural", Name: "Natural", Stock: 60},
			protocol.Variant{ID: "tote-black", Name: "Black", Stock: 45}),
		product("lamp", "Mushroom Desk Lamp", 5400,
			protocol.Variant{ID: "lamp-white", Name: "White", Stock: 0},
			protocol.Variant{ID: "lamp-amber", Name: "Amber", Stock: 0}),
	}
}

// testWelcome is the fixed show every test starts from, welcoming the host.
func testWelcome() protocol.Welcome {
	say := func(i int, who protocol.Identity, text string) protocol.Chat {
		return protocol.Chat{ID: fmt.Sprintf("c%02d", i), Author: who, Text: text}
	}
	ana, bo, cy, dee := viewer("u-ana", "ana"), viewer("u-bo", "bo"), viewer("u-cy", "cy_knits"), viewer("u-dee", "dee")
	return protocol.Welcome{
		Version: protocol.Version,
		Epoch:   "e1",
		You:     hostID,
		Show:    protocol.ShowInfo{ID: "cosy", Title: "Cosy Corner Live", Host: "Maya"},
		Catalog: testCatalog(),
		Pinned:  &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
		Chat: []protocol.Chat{
			say(1, ana, "hi everyone!"),
			say(2, bo, "first time here"),
			say(3, hostID, "Welcome in! Tonight: mugs, scarves and candles"),
			say(4, cy, "that blue is gorgeous"),
			say(5, dee, "is the sand one coming back?"),
			say(6, hostID, "Sand is sold out, more next week"),
			say(7, ana, "how big is the mug?"),
			say(8, bo, "buy cheap followers at spam.example"),
			say(9, cy, "I bought the green one last month and honestly it is the mug I reach for every single morning"),
			say(10, dee, "scarf next?"),
		},
		Viewers:  128,
		Checkout: "http://127.0.0.1:7420/cart/{items}",
	}
}

func newHarness(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	sess := newTestSession()
	hs := &harness{t: t, sess: sess, now: t0}
	opts := Options{
		URL:       testURL,
		Token:     testToken,
		Name:      "maya",
		Theme:     "dark",
		Tick:      noTick,
		WatchHint: testHint,
	}
	for _, f := range tweak {
		f(&opts)
	}
	hs.m = New(opts, sess)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// start runs Init, as the program would.
func (h *harness) start() ran {
	h.t.Helper()
	return h.settle(h.m.Init())
}

func (h *harness) updates(ups ...client.Update) ran {
	h.t.Helper()
	return h.settle(h.send(live.UpdatesMsg{Updates: ups, At: h.now}))
}

// joined is a harness connected to testWelcome as the host.
func joined(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	hs := newHarness(t, w, h, tweak...)
	hs.start()
	hs.updates(connecting(1), snapshot(testWelcome(), 100))
	if hs.m.Phase != live.PhaseLive {
		t.Fatalf("phase %d after the welcome, want live", hs.m.Phase)
	}
	return hs
}

func connecting(attempt int) client.Update {
	return client.Update{Kind: client.UpdateConnecting, Attempt: attempt}
}

func snapshot(w protocol.Welcome, seq uint64) client.Update {
	return client.Update{Kind: client.UpdateSnapshot, Welcome: w, Seq: seq}
}

func waiting(err error, attempt int, at time.Time) client.Update {
	return client.Update{Kind: client.UpdateWaiting, Attempt: attempt, RetryAt: at, Err: err}
}

func (h *harness) send(msg tea.Msg) tea.Cmd {
	h.t.Helper()
	next, cmd := h.m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		h.t.Fatalf("Update returned %T, want host.Model", next)
	}
	h.m = nm
	return cmd
}

// press sends key presses and runs what they return through the model.
func (h *harness) press(keys ...string) ran {
	h.t.Helper()
	var all ran
	for _, k := range keys {
		r := h.settle(h.send(keyPress(h.t, k)))
		all.msgs = append(all.msgs, r.msgs...)
	}
	return all
}

// typeText types s into the focused input, one key per rune.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.settle(h.send(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
}

// answer replaces the open prompt's text with s and presses enter.
func (h *harness) answer(s string) ran {
	h.t.Helper()
	h.m.input.SetValue("")
	h.typeText(s)
	return h.press("enter")
}

// settle runs cmd and feeds what it yields back into the model, until
// nothing is left: a program loop without the program.
func (h *harness) settle(cmd tea.Cmd) ran {
	h.t.Helper()
	var all ran
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 200 {
			h.t.Fatal("settle: the model keeps producing commands")
		}
		r := run(h.t, queue[0])
		queue = queue[1:]
		all.msgs = append(all.msgs, r.msgs...)
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
	case "tab":
		k = tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		k = tea.KeyPressMsg{Code: tea.KeyDown}
	case "end":
		k = tea.KeyPressMsg{Code: tea.KeyEnd}
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
type ran struct{ msgs []tea.Msg }

var cmdType = reflect.TypeFor[tea.Cmd]()

func funcName(cmd tea.Cmd) string {
	return runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
}

// run executes cmd and every command in the batches and sequences it yields,
// and returns the messages. Commands that wait are not run: the spinner's
// and the cursor's timers, and live.Wait, which blocks on the session.
// A batch runs last first: a test cannot pass by relying on its order.
func run(t *testing.T, cmd tea.Cmd) ran {
	t.Helper()
	var out ran
	if cmd == nil {
		return out
	}
	name := funcName(cmd)
	switch {
	case strings.Contains(name, "live.Wait.func"), strings.Contains(name, ".Wait.func"):
		return out
	case strings.HasPrefix(name, "charm.land/bubbles/v2/"):
		return out
	case strings.HasPrefix(name, "github.com/livecart/livecart/ui/host."),
		strings.HasPrefix(name, "github.com/livecart/livecart/ui/live."),
		strings.HasPrefix(name, "charm.land/bubbletea/v2."):
	default:
		t.Fatalf("run: unknown command %s", name)
	}
	msg := cmd()
	if msg == nil {
		return out
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		_, batch := msg.(tea.BatchMsg)
		for i := range v.Len() {
			j := i
			if batch {
				j = v.Len() - 1 - i
			}
			r := run(t, v.Index(j).Interface().(tea.Cmd))
			out.msgs = append(out.msgs, r.msgs...)
		}
		return out
	}
	out.msgs = append(out.msgs, msg)
	return out
}

// env builds an event stamped with the harness's time as the server's.
func (h *harness) env(typ protocol.Type, seq uint64, data any) protocol.Envelope {
	h.t.Helper()
	e := protocol.Envelope{Type: typ, Seq: seq, TS: h.now}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			h.t.Fatal(err)
		}
		e.Data = raw
	}
	return e
}

// events delivers events in one update, as the session would.
func (h *harness) events(envs ...protocol.Envelope) ran {
	h.t.Helper()
	return h.updates(client.Update{Kind: client.UpdateEvents, Events: envs})
}

// serverError delivers an error event.
func (h *harness) serverError(code, message string) {
	h.t.Helper()
	h.events(h.env(protocol.TypeError, 0, protocol.Error{Code: code, Message: message}))
}

// metricsAt delivers a metrics event.
func (h *harness) metricsEvent(mt protocol.Metrics) {
	h.t.Helper()
	h.events(h.env(protocol.TypeMetrics, 0, mt))
}

// lastSent is the newest command the model sent, which must be of typ.
func (h *harness) lastSent(typ protocol.Type) any {
	h.t.Helper()
	sent := h.sess.Sent()
	if len(sent) == 0 {
		h.t.Fatalf("nothing was sent, want %s", typ)
	}
	c := sent[len(sent)-1]
	if c.Type != typ {
		h.t.Fatalf("sent %s (%+v), want %s", c.Type, c.Data, typ)
	}
	return c.Data
}

// mustSendNothing fails if any command was sent since n commands.
func (h *harness) mustSendNothing(n int) {
	h.t.Helper()
	if sent := h.sess.Sent(); len(sent) != n {
		h.t.Fatalf("sent %+v, want nothing", sent[n:])
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
