package viewer

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// runWait runs the single wait in r, as the program would.
func runWait(t *testing.T, r uitest.Ran) tea.Msg {
	t.Helper()
	if len(r.Waits) != 1 {
		t.Fatalf("%d waits armed, want 1", len(r.Waits))
	}
	return r.Waits[0]()
}

// header is the view's first row, plain.
func (h *harness) header() string {
	h.T.Helper()
	return strings.SplitN(h.View(), "\n", 2)[0]
}

// typeLine focuses the chat input if needed, types text and presses enter.
func (h *harness) typeLine(text string) uitest.Ran {
	h.T.Helper()
	if h.M.mode != modeInput {
		h.Press("enter")
	}
	h.Send(tea.PasteMsg{Content: text})
	return h.PressSettle("enter")
}

// The runner starts the session with the viewer's address and name, and
// the bridge's batching, before the program runs; the screen is built
// around it.
func TestAppStartsTheSession(t *testing.T) {
	var got []client.SessionOptions
	sess := uitest.NewSession()
	app := App(Options{URL: uitest.URL, Name: "me", Theme: "dark"})
	app.Start = func(_ context.Context, o client.SessionOptions) live.Session {
		got = append(got, o)
		return sess
	}
	s, started := app.Open(context.Background())
	if len(got) != 1 || got[0].URL != uitest.URL || got[0].Name != "me" || got[0].MaxBatch != live.MaxBatch {
		t.Fatalf("Open started %+v", got)
	}
	if m, ok := s.(Model); !ok || m.Session() != live.Session(sess) || started != live.Session(sess) {
		t.Errorf("Open built %T around another session", s)
	}
}

func TestInitArmsTheBridge(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.MustShow("Connecting to "+uitest.URL, "q quits")

	// The session's updates come in through one bridge, armed once.
	r := uitest.Run(t, h.M.Init())
	if len(r.Waits) != 1 || len(r.Msgs) != 0 {
		t.Fatalf("Init armed %d waits and yielded %v, want one wait", len(r.Waits), r.Msgs)
	}
	// The first dial keeps the connecting screen.
	h.Updates(uitest.Connecting(1))
	h.MustShow("Connecting to " + uitest.URL)
	// q quits from the connecting screen.
	if !uitest.Run(t, h.Press("q")).Has(uitest.IsQuit) {
		t.Error("q did not quit while connecting")
	}
	// Close leaves the session to the runner that started it.
	h.M.Close()
	if n := h.sess.Closes(); n != 0 {
		t.Errorf("Close closed the session %d times", n)
	}
	New(Options{}, nil).Close()
}

func TestConnectShowsLiveView(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.Start()
	cmd := h.Send(live.UpdatesMsg{Updates: []client.Update{uitest.Connecting(1), uitest.Snapshot(testWelcome(), 100, false)}, At: uitest.T0})
	r := uitest.Run(t, cmd)
	if r.Count(isCartLoaded) != 1 {
		t.Errorf("connect yielded %v, want one cartLoadedMsg", r.Msgs)
	}
	if len(r.Waits) != 1 {
		t.Errorf("connect armed %d waits, want 1", len(r.Waits))
	}
	h.MustShow("LIVE", "Cosy Corner Live", "with Maya", "● connected",
		"PINNED Speckled Mug", "◀ Blue 12 left ▶", "$24.00",
		"dee: 🍵🍵🍵", "HOST  Maya: Scarf after the mugs")
	h.MustNotShow("missed", "offline")
	if h.M.Show.Seq != 100 {
		t.Errorf("Seq = %d", h.M.Show.Seq)
	}
	if got := h.M.View().WindowTitle; got != "livecart · Cosy Corner Live" {
		t.Errorf("WindowTitle = %q", got)
	}
	// Recent chat is shown oldest first: the last welcome line is lowest.
	v := h.View()
	if strings.Index(v, "hi everyone!") > strings.Index(v, "dee: 🍵") {
		t.Error("recent chat not oldest first")
	}
	// The cart is keyed by show and host, not port.
	for _, m := range r.Msgs {
		if cl, ok := m.(cartLoadedMsg); ok && cl.key != testCartKey {
			t.Errorf("cart key = %q, want %q", cl.key, testCartKey)
		}
	}
	if h.M.Err() != nil {
		t.Errorf("Err = %v while live", h.M.Err())
	}
}

// The first connection fails: the error screen says why and counts down to
// the next attempt, which r brings forward; the session gets through.
func TestFirstConnectionFailsThenSucceeds(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.Start()
	h.Updates(uitest.Connecting(1))
	cause := errors.New("dial tcp 127.0.0.1:7420: connection refused" + "\x1b]0;pwn\x07")
	r := h.drop(cause, 2, 5*time.Second)
	if len(r.Waits) != 1 {
		t.Errorf("the wait armed %d waits", len(r.Waits))
	}
	h.MustShow("Can't reach the show", "connection refused", "○ trying again · attempt 2 in 5s", "r try now", "q quit")
	h.MustNotShow("reconnect")
	h.MustNotShow("]0;pwn", "Gave up", "LIVE")
	assertSafeView(t, h.M.View().Content)
	err := h.M.Err()
	if err == nil || !errors.Is(err, cause) || !strings.Contains(err.Error(), uitest.URL) {
		t.Errorf("Err = %v, want the reason wrapped with the URL", err)
	}

	// r cuts the wait short.
	h.PressSettle("r")
	if n := h.sess.Retries(); n != 1 {
		t.Fatalf("r called Retry %d times, want 1", n)
	}
	// The dial it started is on screen; r does nothing while it is in
	// flight.
	h.Updates(uitest.Connecting(2))
	h.MustShow("Can't reach the show", "trying again · attempt 2")
	h.MustNotShow("r try now", "in 5s")
	h.PressSettle("r")
	if n := h.sess.Retries(); n != 1 {
		t.Errorf("r called Retry during a dial (%d calls)", n)
	}

	// It gets through: the show, connected, the cart loaded, no error.
	r = h.Updates(uitest.Snapshot(testWelcome(), 7, false))
	if !r.Has(isCartLoaded) || !h.M.cartLoaded {
		t.Error("the first snapshot after a failure did not load the cart")
	}
	h.MustShow("Cosy Corner Live", "● connected", "dee: 🍵🍵🍵")
	h.MustNotShow("Can't reach", "missed")
	if h.M.Err() != nil {
		t.Errorf("Err = %v once live", h.M.Err())
	}
}

// The session gives up before it ever reached the show: the error screen
// says so, r does nothing, q quits.
func TestFirstConnectionGivesUp(t *testing.T) {
	h := newHarness(t, 80, 24)
	r := h.Start()
	h.Updates(uitest.Connecting(1))
	h.drop(errors.New("connection refused"), 2, time.Second)
	cause := errors.New("connect to ws://127.0.0.1:7420/ws: server said 404 Not Found")
	r = h.Updates(uitest.Failed(cause))
	h.MustShow("Can't reach the show", "server said 404 Not Found", "Gave up", "q quit")
	h.MustNotShow("connection refused", "trying again", "r try now")
	if err := h.M.Err(); err == nil || !errors.Is(err, cause) || !strings.Contains(err.Error(), uitest.URL) {
		t.Errorf("Err = %v, want the final reason wrapped with the URL", err)
	}
	h.PressSettle("r")
	if n := h.sess.Retries(); n != 0 {
		t.Errorf("r called Retry %d times after the session gave up", n)
	}
	if !uitest.Run(t, h.Press("q")).Has(uitest.IsQuit) {
		t.Error("q did not quit from the error screen")
	}
	if !uitest.Run(t, h.Press("ctrl+c")).Has(uitest.IsQuit) {
		t.Error("ctrl+c did not quit from the error screen")
	}

	// The stream closes after a failure: the bridge says so once and is
	// not armed again; the screen stays.
	h.sess.Close()
	msg := r.Wait(t)
	if _, ok := msg.(live.EndedMsg); !ok {
		t.Fatalf("the bridge on a closed stream yielded %#v", msg)
	}
	if cmd := h.Send(msg); cmd != nil {
		t.Error("sessionEndedMsg armed another command")
	}
	h.MustShow("Can't reach the show", "Gave up")
	if h.M.Err() == nil {
		t.Error("Err is nil after giving up")
	}
}

func TestHeaderConnectionState(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {120, 40}}, func(t *testing.T, width, height int) {
		h := joined(t, width, height)
		steps := []struct {
			name    string
			do      func()
			want    string
			notWant []string
		}{
			{"up", func() {}, "● connected", []string{"reconnecting", "offline"}},
			{"waiting", func() { h.drop(errors.New("reset"), 2, 5*time.Second) }, "○ reconnecting · attempt 2 in 5s", []string{"● connected"}},
			{"dialling again", func() { h.Updates(uitest.Connecting(2)) }, "reconnecting · attempt 2", []string{" in ", "○"}},
			{"waiting longer", func() { h.drop(errors.New("refused"), 3, 12*time.Second) }, "○ reconnecting · attempt 3 in 12s", nil},
			{"back", func() { h.Updates(uitest.Connecting(3), resumed(100, 128)) }, "● connected", []string{"reconnecting"}},
			// After a stable connection the count starts again at 1.
			{"first dial again", func() { h.Updates(uitest.Waiting(errors.New("x"), 1, h.Now), uitest.Connecting(1)) }, "connecting", []string{"reconnecting", "attempt"}},
			{"given up", func() { h.Updates(uitest.Failed(errors.New("the show has ended"))) }, "○ offline", []string{"connecting"}},
		}
		for _, st := range steps {
			st.do()
			hd := h.header()
			if !strings.Contains(hd, st.want) {
				t.Errorf("%s: header %q lacks %q", st.name, hd, st.want)
			}
			for _, nw := range st.notWant {
				if strings.Contains(hd, nw) {
					t.Errorf("%s: header %q holds %q", st.name, hd, nw)
				}
			}
			if !strings.Contains(hd, "Cosy Corner Live") {
				t.Errorf("%s: header %q lost the title", st.name, hd)
			}
			h.Fits()
		}
	})
}

// The countdown is worked out from RetryAt and the time each clock tick
// carries, never from the wall clock.
func TestReconnectCountdown(t *testing.T) {
	tk := &uitest.Ticker{}
	h := joined(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	h.drop(errors.New("reset"), 2, 5*time.Second)
	h.MustShow("○ reconnecting · attempt 2 in 5s")
	if d := tk.Delays[len(tk.Delays)-1]; d != time.Second {
		t.Errorf("countdown ticks every %v, want 1s", d)
	}
	first := tk.LastClockFunc(t)

	for _, step := range []struct {
		after time.Duration
		want  string
	}{
		{time.Second, "in 4s"},
		{1500 * time.Millisecond, "in 4s"}, // whole seconds, rounded up
		{4200 * time.Millisecond, "in 1s"},
		{5 * time.Second, "in 0s"},
		{7 * time.Second, "in 0s"}, // never negative while the dial starts
	} {
		n := len(tk.Fns)
		h.Send(tk.LastClock(t, uitest.T0.Add(step.after)))
		if !strings.Contains(h.header(), step.want) {
			t.Errorf("%v after the drop: header %q, want %q", step.after, h.header(), step.want)
		}
		if len(tk.Fns) != n+1 {
			t.Errorf("%v: a tick scheduled %d ticks, want 1", step.after, len(tk.Fns)-n)
		}
	}

	// A new wait starts a new countdown; ticks of the old one are dropped
	// and schedule nothing.
	h.Now = uitest.T0.Add(8 * time.Second)
	h.Updates(uitest.Connecting(3))
	h.drop(errors.New("refused"), 3, 10*time.Second)
	h.MustShow("attempt 3 in 10s")
	stale := first(uitest.T0.Add(17 * time.Second))
	n := len(tk.Fns)
	if cmd := h.Send(stale); cmd != nil || len(tk.Fns) != n {
		t.Error("a tick of an old countdown scheduled another")
	}
	h.MustShow("attempt 3 in 10s")
	h.Send(tk.LastClock(t, uitest.T0.Add(11*time.Second)))
	h.MustShow("attempt 3 in 7s")

	// Once the link is back the countdown stops.
	last := tk.LastClock(t, uitest.T0.Add(12*time.Second))
	h.Updates(uitest.Connecting(3), resumed(100, 128))
	n = len(tk.Fns)
	h.Send(last)
	if len(tk.Fns) != n {
		t.Error("the countdown kept ticking once connected")
	}
	h.MustShow("● connected")
}

func TestRetryOnlyWhileWaiting(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("r")
	if n := h.sess.Retries(); n != 0 {
		t.Fatalf("r called Retry %d times while connected", n)
	}
	h.drop(errors.New("reset"), 2, 30*time.Second)
	h.PressSettle("r")
	if n := h.sess.Retries(); n != 1 {
		t.Fatalf("r called Retry %d times while waiting, want 1", n)
	}
	h.MustShow("Reconnecting to " + uitest.URL)

	// While typing, r is a letter.
	h.typeLine("r")
	if n := h.sess.Retries(); n != 1 {
		t.Errorf("r typed into the chat called Retry")
	}
	h.Press("esc")

	h.Updates(uitest.Connecting(2))
	h.PressSettle("r")
	h.Updates(uitest.Failed(errors.New("the show has ended")))
	h.PressSettle("r")
	if n := h.sess.Retries(); n != 1 {
		t.Errorf("r called Retry %d times in all, want 1", n)
	}
}

// A drop and a lossless resume: one offline line, a toast, no missed
// marker; the cart stays as it is.
func TestOfflineAndResume(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a")
	before := h.M.chat.Len()
	h.drop(errors.New("the link went silent"), 1, 2*time.Second)
	h.MustShow("○ reconnecting · attempt 1 in 2s", "— offline · the link went silent —", "r reconnect", "Cosy Corner Live")
	h.MustNotShow("● connected")

	// One offline line per outage: failed attempts add none.
	h.Updates(uitest.Connecting(2))
	h.drop(errors.New("connection refused"), 3, 4*time.Second)
	if got := h.M.chat.Len(); got != before+1 {
		t.Errorf("chat grew by %d lines during one outage, want 1", got-before)
	}
	h.MustNotShow("offline · connection refused")

	// Back without loss; the events missed while away follow the resume.
	r := h.Updates(uitest.Connecting(3), resumed(100, 140),
		uitest.EventsUpdate(chatEnv(t, 101, "n1", "eve", "while you were away")))
	h.MustShow("● connected", "Reconnected · nothing was missed", "140 watching", "eve: while you were away")
	h.MustNotShow("some messages were missed", "reconnecting", "r reconnect")
	if got := h.M.chat.Len(); got != before+2 {
		t.Errorf("chat grew by %d lines, want the offline line and the missed event", got-before)
	}
	if h.M.Status.Kind != live.StatusGood {
		t.Errorf("toast kind = %v", h.M.Status.Kind)
	}
	if r.Has(isCartLoaded) {
		t.Error("a resume reloaded the cart over the one in memory")
	}
	if len(r.Waits) != 1 {
		t.Errorf("the resume armed %d waits", len(r.Waits))
	}
	if h.M.Cart().Units() != 1 || h.M.Show.Seq != 101 {
		t.Errorf("after the resume: %d units, seq %d", h.M.Cart().Units(), h.M.Show.Seq)
	}
	// The catalog and pin survive a resume, which carries neither.
	h.MustShow("PINNED Speckled Mug")
	if h.M.Err() != nil {
		t.Errorf("Err = %v while live", h.M.Err())
	}
}

// A reconnect that could not resume: a fresh snapshot, a marker that lines
// were missed, and only the snapshot's lines the pane does not hold.
func TestReconnectWithSnapshot(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a")
	h.drop(errors.New("fell too far behind the show"), 1, time.Second)
	before := h.M.chat.Len()

	w := testWelcome()
	w.Chat = append(w.Chat[10:],
		protocol.Chat{ID: "c16", Author: uitest.Viewer("u-eve", "eve"), Text: "missed one"},
		protocol.Chat{ID: "c17", Author: uitest.Viewer("u-bo", "bo"), Text: "missed two"})
	w.Viewers = 300
	w.Pinned = &protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}
	r := h.Updates(uitest.Connecting(2), uitest.Snapshot(w, 250, true))

	if got := h.M.chat.Len(); got != before+3 {
		t.Errorf("chat grew by %d lines, want the marker and 2 new ones", got-before)
	}
	h.MustShow("— you were offline · some messages were missed —", "eve: missed one", "bo: missed two",
		"● connected", "300 watching", "PINNED Merino Scarf", "Reconnected")
	v := h.View()
	if strings.Count(v, "dee: same") != 1 || strings.Count(v, "bo: lol") != 1 {
		t.Errorf("lines the pane held were added again:\n%s", v)
	}
	if strings.Index(v, "some messages were missed") > strings.Index(v, "missed one") {
		t.Error("the marker is not above the lines it introduces")
	}
	if r.Has(isCartLoaded) || h.M.Cart().Units() != 1 {
		t.Errorf("a later snapshot touched the cart (reloaded: %v, %d units)", r.Has(isCartLoaded), h.M.Cart().Units())
	}
	if h.M.Show.Seq != 250 {
		t.Errorf("Seq = %d", h.M.Show.Seq)
	}

	// A snapshot that lost nothing says nothing about missed lines.
	h.drop(errors.New("reset"), 1, time.Second)
	n := h.M.chat.Len()
	h.Updates(uitest.Connecting(2), uitest.Snapshot(w, 250, false))
	if got := h.M.chat.Len(); got != n {
		t.Errorf("a snapshot with nothing new added %d lines", got-n)
	}
	if strings.Count(h.View(), "some messages were missed") != 1 {
		t.Error("a lossless snapshot added a missed marker")
	}
}

func TestGiveUpWhileLive(t *testing.T) {
	h := joined(t, 80, 24)
	h.drop(errors.New("reset"), 2, time.Second)
	h.Updates(uitest.Connecting(2))
	h.Updates(uitest.Failed(errors.New("the show has ended")))
	h.MustShow("○ offline", "— disconnected for good · the show has ended —", "Disconnected: the show has ended", "Cosy Corner Live")
	h.MustNotShow("r reconnect", "reconnecting")
	if h.M.Status.Kind != live.StatusError {
		t.Errorf("toast kind = %v", h.M.Status.Kind)
	}
	if h.M.Err() != nil {
		t.Errorf("Err = %v: the show was reached, so the program ends normally", h.M.Err())
	}
	// The cart still works.
	h.sess.FailSends(client.ErrOffline)
	h.PressSettle("a")
	if h.M.Cart().Units() != 1 {
		t.Error("the cart refused an add after the session gave up")
	}
}

func TestSessionEnded(t *testing.T) {
	h := joined(t, 80, 24)
	if cmd := h.Send(live.EndedMsg{}); cmd != nil {
		t.Error("sessionEndedMsg armed a command")
	}
	h.MustShow("○ offline", "Cosy Corner Live")
}

// Lines typed while offline wait, visibly, and go out in order when the
// link is back.
func TestChatQueuedWhileOffline(t *testing.T) {
	for _, back := range []struct {
		name string
		ups  []client.Update
	}{
		{"resumed", []client.Update{uitest.Connecting(2), resumed(100, 128)}},
		{"snapshot", []client.Update{uitest.Connecting(2), uitest.Snapshot(testWelcome(), 300, true)}},
	} {
		t.Run(back.name, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.drop(errors.New("timeout"), 1, 3*time.Second)
			h.sess.FailSends(client.ErrOffline) // the real session while down
			h.typeLine("hi")
			if v := h.M.input.Value(); v != "" {
				t.Errorf("the queued line stayed in the box: %q", v)
			}
			if n := len(h.sess.Sent()); n != 0 {
				t.Errorf("sent %d commands while offline", n)
			}
			h.MustShow("— waiting to send: hi —", "Offline · 1 message(s) will be sent when the show is back")
			h.typeLine("again")
			// A dial in flight is not a link: lines still wait.
			h.Updates(uitest.Connecting(2))
			h.typeLine("third")
			h.MustShow("waiting to send: again", "waiting to send: third", "3 message(s) will be sent")
			if n := len(h.sess.Sent()); n != 0 {
				t.Errorf("sent %d commands while offline", n)
			}

			h.sess.FailSends(nil)
			r := h.Updates(back.ups...)
			want := []uitest.Sent{
				{Type: protocol.TypeSay, Data: protocol.Say{Text: "hi"}},
				{Type: protocol.TypeSay, Data: protocol.Say{Text: "again"}},
				{Type: protocol.TypeSay, Data: protocol.Say{Text: "third"}},
			}
			if got := h.sess.Sent(); !reflect.DeepEqual(got, want) {
				t.Errorf("on reconnect sent %+v, want %+v", got, want)
			}
			if len(h.M.pending) != 0 {
				t.Errorf("still waiting: %q", h.M.pending)
			}
			if len(r.Waits) != 1 {
				t.Errorf("reconnect armed %d waits", len(r.Waits))
			}
			// Sent once: a later reconnect sends nothing again.
			h.drop(errors.New("timeout"), 1, time.Second)
			h.Updates(back.ups...)
			if n := len(h.sess.Sent()); n != 3 {
				t.Errorf("%d commands sent after a second reconnect, want 3", n)
			}
			// Connected, a line goes straight out.
			h.typeLine("now")
			if got := h.sess.Says(); len(got) != 4 || got[3] != "now" {
				t.Errorf("says = %q", got)
			}
		})
	}
}

func TestChatQueueBounded(t *testing.T) {
	h := joined(t, 80, 24)
	h.drop(errors.New("timeout"), 1, 3*time.Second)
	var want []string
	for i := 1; i <= maxPending; i++ {
		text := fmt.Sprintf("m%02d", i)
		want = append(want, text)
		h.typeLine(text)
	}
	if !reflect.DeepEqual(h.M.pending, want) {
		t.Fatalf("pending = %q", h.M.pending)
	}
	h.MustShow("20 message(s) will be sent")

	h.typeLine("m21")
	h.MustShow("— not sent (too many waiting): m21 —", "too many messages waiting")
	if h.M.Status.Kind != live.StatusError {
		t.Errorf("toast kind = %v", h.M.Status.Kind)
	}
	if !reflect.DeepEqual(h.M.pending, want) {
		t.Errorf("pending after the 21st = %q", h.M.pending)
	}

	h.Updates(uitest.Connecting(2), resumed(100, 128))
	if got := h.sess.Says(); !reflect.DeepEqual(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
}

func TestChatSendFailures(t *testing.T) {
	h := joined(t, 80, 24)

	// Any error but offline: the line is shown as not sent.
	h.sess.FailSends(errors.New("send queue full"))
	h.typeLine("hello")
	h.MustShow("— not sent: hello —", "Your message was not sent: send queue full")
	if h.M.Status.Kind != live.StatusError || len(h.M.pending) != 0 {
		t.Errorf("toast kind %v, pending %q", h.M.Status.Kind, h.M.pending)
	}

	// The link dropped under the send, before the session said so: the
	// line waits instead.
	h.sess.FailSends(client.ErrOffline)
	h.typeLine("still here")
	h.MustShow("— waiting to send: still here —")
	h.MustNotShow("not sent: still here")

	// Down again while flushing: both go back in the queue, in order.
	h.drop(errors.New("reset"), 1, time.Second)
	h.typeLine("two")
	h.Updates(uitest.Connecting(2), resumed(100, 128))
	if want := []string{"still here", "two"}; !reflect.DeepEqual(h.M.pending, want) {
		t.Errorf("pending = %q, want %q", h.M.pending, want)
	}
	// And out when it holds.
	h.sess.Forget()
	h.sess.FailSends(nil)
	h.drop(errors.New("reset"), 1, time.Second)
	h.Updates(uitest.Connecting(2), resumed(100, 128))
	if got := h.sess.Says(); !reflect.DeepEqual(got, []string{"still here", "two"}) {
		t.Errorf("sent %q", got)
	}
}

// When the session gives up, lines still waiting are shown as not sent,
// and nothing typed later is kept waiting for a link that will not come.
func TestGiveUpFailsQueue(t *testing.T) {
	h := joined(t, 80, 24)
	h.drop(errors.New("timeout"), 1, time.Second)
	h.typeLine("one")
	h.typeLine("two")
	h.Updates(uitest.Failed(errors.New("the show has ended")))
	h.MustShow("— not sent: one —", "— not sent: two —", "disconnected for good")
	if len(h.M.pending) != 0 || len(h.sess.Sent()) != 0 {
		t.Errorf("pending %q, sent %+v", h.M.pending, h.sess.Sent())
	}

	h.sess.FailSends(client.ErrOffline)
	h.typeLine("late")
	h.Send(sentMsg{what: "chat message", text: "in flight", err: client.ErrOffline})
	h.MustShow("— not sent: late —", "— not sent: in flight —")
	h.MustNotShow("waiting to send: late", "waiting to send: in flight")
	if len(h.M.pending) != 0 {
		t.Errorf("pending after giving up = %q", h.M.pending)
	}
}

// The cart does not need the link: every key still changes and saves it,
// and the signal the host misses is not an error.
func TestCartWorksOffline(t *testing.T) {
	h := joined(t, 80, 24)
	h.drop(errors.New("reset"), 2, 5*time.Second)
	h.sess.FailSends(client.ErrOffline)

	h.PressSettle("a")
	h.MustShow("Added Speckled Mug (Blue)")
	h.PressSettle("c", "+")
	if q := h.M.Cart().Lines()[0].Qty; q != 2 {
		t.Errorf("after + qty = %d", q)
	}
	h.PressSettle("-")
	if q := h.M.Cart().Lines()[0].Qty; q != 1 {
		t.Errorf("after - qty = %d", q)
	}
	h.PressSettle("d")
	if !h.M.Cart().IsEmpty() {
		t.Errorf("after d: %+v", h.M.Cart().Lines())
	}
	saved, saves := h.store.get(testCartKey)
	if saves != 4 || !saved.IsEmpty() {
		t.Errorf("store: %d saves, %+v", saves, saved.Lines())
	}
	if n := len(cartSignals(h.sess)); n != 4 {
		t.Errorf("%d cart signals tried, want 4", n)
	}
	if h.M.Status.Kind == live.StatusError {
		t.Errorf("error toast for an offline cart signal: %q", h.M.Status.Text)
	}
	h.MustNotShow("Could not send")
}

// A chat flood arrives as one message: the pane keeps its cap, the index
// of held IDs with it, and the screen still fits and answers keys.
func TestChatFlood(t *testing.T) {
	const flood = 5000
	for _, tc := range []struct {
		name       string
		scrollback int
		w, h       int
		split      bool // one update per event instead of one update
	}{
		{"default cap", 0, 80, 24, false},
		{"default cap wide", 0, 120, 40, false},
		{"one update per event", 0, 80, 24, true},
		{"small cap", 50, 80, 24, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := joined(t, tc.w, tc.h, func(o *Options) { o.Scrollback = tc.scrollback })
			envs := make([]protocol.Envelope, flood)
			for i := range envs {
				envs[i] = chatEnv(t, uint64(101+i), fmt.Sprintf("f%04d", i), "eve", fmt.Sprintf("flood %d", i))
			}
			var ups []client.Update
			if tc.split {
				for _, e := range envs {
					ups = append(ups, uitest.EventsUpdate(e))
				}
			} else {
				ups = []client.Update{uitest.EventsUpdate(envs...)}
			}
			r := h.Updates(ups...)
			capLines := tc.scrollback
			if capLines == 0 {
				capLines = chat.DefaultScrollback
			}
			if got := h.M.chat.Len(); got != capLines {
				t.Errorf("chat holds %d lines, want %d", got, capLines)
			}
			if len(r.Waits) != 1 {
				t.Errorf("the flood armed %d waits", len(r.Waits))
			}
			if h.M.Show.Seq != 100+flood {
				t.Errorf("Seq = %d", h.M.Show.Seq)
			}
			if h.M.chat.Has("f0000") || h.M.chat.Has("c01") || !h.M.chat.Has(fmt.Sprintf("f%04d", flood-1)) {
				t.Error("the pane's ID index does not follow its cap")
			}
			h.Fits()
			h.MustShow(fmt.Sprintf("eve: flood %d", flood-1))
			h.MustNotShow("hi everyone")

			// Still answering keys.
			h.PressSettle("a")
			if h.M.Cart().Units() != 1 {
				t.Error("a did nothing after the flood")
			}
			h.Press("pgup")
			h.MustShow("scrolled back")
			h.Fits()
		})
	}
}

func TestWaitRearmedOncePerUpdate(t *testing.T) {
	h := joined(t, 80, 24)
	for i := range 3 {
		r := h.Events(uitest.Env(t, protocol.TypeViewers, uint64(101+i), protocol.Viewers{Count: i}))
		if len(r.Waits) != 1 {
			t.Fatalf("update %d armed %d waits", i, len(r.Waits))
		}
		// The armed wait reads the next update from the session.
		h.sess.Push(uitest.EventsUpdate(chatEnv(t, uint64(200+i), fmt.Sprintf("w%d", i), "wes", "queued")))
		um, ok := r.Wait(t).(live.UpdatesMsg)
		if !ok || len(um.Updates) != 1 || um.At.IsZero() {
			t.Fatalf("wait yielded %#v, want an updatesMsg with the queued update and its time", um)
		}
		// Fed back, it re-arms one wait again.
		if again := h.Settle(h.Send(um)); len(again.Waits) != 1 {
			t.Errorf("fed-back updatesMsg armed %d waits", len(again.Waits))
		}
	}
	h.MustShow("wes: queued")
}

// A line the host deleted while the viewer was away is gone after the
// snapshot, as on the dashboard.
func TestSnapshotAfterDropRemovesLinesDeletedMeanwhile(t *testing.T) {
	h := joined(t, 80, 24)
	h.MustShow("dee: same")
	h.drop(errors.New("fell too far behind the show"), 1, time.Second)
	w := testWelcome()
	w.Chat = append(w.Chat[:10:10], w.Chat[11:]...) // c11 was deleted while we were away
	h.Updates(uitest.Connecting(2), uitest.Snapshot(w, 250, true))
	if h.M.chat.Has("c11") {
		t.Error("a line deleted while offline is still held")
	}
	h.MustNotShow("dee: same")
	h.MustShow("some messages were missed", "ana: scarf next?")
}
