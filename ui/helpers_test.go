package ui

import (
	"context"
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

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/link"
)

const (
	testURL      = "ws://127.0.0.1:7420/ws"
	testCheckout = "http://127.0.0.1:7420/cart/{items}"
	testCartKey  = "cosy@127.0.0.1"
)

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
	// Room for more than one bridge message's worth of updates.
	return &testSession{updates: make(chan client.Update, 2*link.MaxUpdatesPerMsg)}
}

func (s *testSession) Updates() <-chan client.Update { return s.updates }

// Send records the command and fails with the error set by failSends.
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

// Close counts, and closes the updates channel once, as the real session
// does when it ends.
func (s *testSession) Close() {
	s.mu.Lock()
	s.closes++
	s.mu.Unlock()
	s.once.Do(func() { close(s.updates) })
}

// failSends makes every Send from now on return err (nil: succeed).
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

// forget clears the record of what was sent.
func (s *testSession) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = nil
}

func (s *testSession) Retries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.retries
}

func (s *testSession) Closes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closes
}

// cartSignals returns the cart signals sent so far.
func (s *testSession) cartSignals() []protocol.CartSignal {
	var out []protocol.CartSignal
	for _, c := range s.Sent() {
		if c.Type == protocol.TypeCart {
			out = append(out, c.Data.(protocol.CartSignal))
		}
	}
	return out
}

// says returns the chat lines sent so far, in order.
func (s *testSession) says() []string {
	var out []string
	for _, c := range s.Sent() {
		if c.Type == protocol.TypeSay {
			out = append(out, c.Data.(protocol.Say).Text)
		}
	}
	return out
}

// starter is the model's Options.Start: it hands out its session and
// records what it was asked.
type starter struct {
	mu    sync.Mutex
	sess  *testSession
	calls []client.SessionOptions
}

func (st *starter) start(_ context.Context, opts client.SessionOptions) Session {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.calls = append(st.calls, opts)
	return st.sess
}

func (st *starter) Calls() []client.SessionOptions {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]client.SessionOptions(nil), st.calls...)
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

// noTick replaces the clock: toasts never expire on their own in tests.
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// t0 is the fixed time the tests' updates are stamped with.
var t0 = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// ticker is an Options.Tick that records what was scheduled, for the test
// to fire with a time of its choosing. It returns no command, so nothing
// ever waits on a real clock.
type ticker struct {
	delays []time.Duration
	fns    []func(time.Time) tea.Msg
}

func (tk *ticker) tick(d time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
	tk.delays = append(tk.delays, d)
	tk.fns = append(tk.fns, f)
	return nil
}

// clocks returns the countdown ticks scheduled so far, fired at at.
func (tk *ticker) clocks(at time.Time) []clockMsg {
	var out []clockMsg
	for _, f := range tk.fns {
		if c, ok := f(at).(clockMsg); ok {
			out = append(out, c)
		}
	}
	return out
}

// lastClock is the newest countdown tick, fired at at.
func (tk *ticker) lastClock(t *testing.T, at time.Time) clockMsg {
	t.Helper()
	cs := tk.clocks(at)
	if len(cs) == 0 {
		t.Fatal("no countdown tick was scheduled")
	}
	return cs[len(cs)-1]
}

// harness holds a model and everything it is wired to.
type harness struct {
	t       *testing.T
	m       Model
	sess    *testSession
	starter *starter
	store   *memStore
	opener  *opener
	now     time.Time // stamped on the updates the harness delivers
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

// newHarness builds a model of the given size, its session not yet started.
func newHarness(t *testing.T, w, h int, tweak ...func(*Options)) *harness {
	t.Helper()
	sess := newTestSession()
	hs := &harness{t: t, sess: sess, starter: &starter{sess: sess}, store: newMemStore(), opener: &opener{}, now: t0}
	opts := Options{
		URL:         testURL,
		Name:        "me",
		Theme:       "dark",
		OpenBrowser: true,
		Opener:      hs.opener.Opener(),
		Carts:       hs.store,
		Start:       hs.starter.start,
		Tick:        noTick,
	}
	for _, f := range tweak {
		f(&opts)
	}
	hs.m = New(opts)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// start hands the session to the model, as Init's command would, and
// returns what that armed.
func (h *harness) start() ran {
	h.t.Helper()
	return h.settle(h.send(link.StartedMsg{Session: h.sess}))
}

// updates delivers updates in one message, as the bridge would, stamped
// with h.now, and runs what they return.
func (h *harness) updates(ups ...client.Update) ran {
	h.t.Helper()
	return h.settle(h.send(link.UpdatesMsg{Updates: ups, At: h.now}))
}

// connect starts the session and delivers a first connection with a
// snapshot; the cart loads. It returns what the snapshot ran.
func (h *harness) connect(w protocol.Welcome, seq uint64) ran {
	h.t.Helper()
	h.start()
	return h.updates(connecting(1), snapshot(w, seq, false))
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

// drop delivers the link going down: the next attempt, number attempt,
// is in wait from h.now.
func (h *harness) drop(err error, attempt int, wait time.Duration) ran {
	h.t.Helper()
	return h.updates(waiting(err, attempt, h.now.Add(wait)))
}

func connecting(attempt int) client.Update {
	return client.Update{Kind: client.UpdateConnecting, Attempt: attempt}
}

func snapshot(w protocol.Welcome, seq uint64, missed bool) client.Update {
	return client.Update{Kind: client.UpdateSnapshot, Welcome: w, Seq: seq, Missed: missed}
}

// resumed is a lossless reconnect: the welcome carries no catalog or chat.
func resumed(seq uint64, viewers int) client.Update {
	w := testWelcome()
	w.Resumed, w.Catalog, w.Chat, w.Pinned = true, nil, nil, nil
	w.Viewers = viewers
	return client.Update{Kind: client.UpdateResumed, Welcome: w, Seq: seq}
}

func waiting(err error, attempt int, at time.Time) client.Update {
	return client.Update{Kind: client.UpdateWaiting, Attempt: attempt, RetryAt: at, Err: err}
}

func failed(err error) client.Update {
	return client.Update{Kind: client.UpdateFailed, Err: err}
}

func eventsUpdate(envs ...protocol.Envelope) client.Update {
	return client.Update{Kind: client.UpdateEvents, Events: envs}
}

// update calls Update and asserts the model's type.
func update(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		t.Fatalf("Update returned %T, want ui.Model", next)
	}
	checkFrameCache(t, nm)
	return nm, cmd
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
	waits []tea.Cmd // link.Wait commands, armed but not run
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
// and the cursor's (they sleep) and link.Wait (it blocks on the
// session), which is returned in waits for the test to run when it has
// queued an update. A batch promises no order, so its commands run last
// first: a test cannot pass by relying on one. A sequence runs in order.
func run(t *testing.T, cmd tea.Cmd) ran {
	t.Helper()
	var out ran
	if cmd == nil {
		return out
	}
	// Closure names depend on inlining ("ui.Model.handleUpdates.
	// Wait.func1"), so they are matched on a part that stays.
	name := funcName(cmd)
	switch {
	case strings.Contains(name, "link.Wait.func"), strings.Contains(name, ".Wait.func"):
		out.waits = append(out.waits, cmd)
		return out
	case strings.HasPrefix(name, "charm.land/bubbles/v2/"):
		// The spinner's tick and the cursor's blink: timers, never run.
		return out
	case strings.HasPrefix(name, "github.com/livecart/livecart/ui."),
		strings.HasPrefix(name, "github.com/livecart/livecart/ui/link."),
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
		_, batch := msg.(tea.BatchMsg)
		for i := range v.Len() {
			j := i
			if batch {
				j = v.Len() - 1 - i
			}
			r := run(t, v.Index(j).Interface().(tea.Cmd))
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

// events delivers show events in one update, as the session would.
func (h *harness) events(envs ...protocol.Envelope) ran {
	h.t.Helper()
	return h.updates(eventsUpdate(envs...))
}

// chatEnv is a chat event.
func chatEnv(t *testing.T, seq uint64, id, who, text string) protocol.Envelope {
	t.Helper()
	return env(t, protocol.TypeChat, seq, protocol.Chat{ID: id, Author: viewer("u-"+who, who), Text: text})
}
