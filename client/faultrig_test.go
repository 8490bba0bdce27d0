package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// The fault tests run a real show, a host publishing a known stream, a
// reference viewer that is never disturbed and a viewer whose link is
// damaged; the damaged viewer must end with the reference's events.
const (
	// pingPeriod is the heartbeat on both sides: short, so a silent link
	// is found in well under a second.
	pingPeriod = 200 * time.Millisecond
	// faultBudget bounds a whole fault test, waits included.
	faultBudget = 40 * time.Second
	// endLine is the host's last chat line: once a viewer has it, the
	// stream it must hold is complete.
	endLine = "end of show"
)

// showConfig is a show with the test heartbeat and no rate limits in the
// host's way.
func showConfig(t *testing.T) server.Config {
	t.Helper()
	cfg := plainConfig(t)
	unlimited := server.Rate{PerSecond: math.Inf(1), Burst: 1000}
	cfg.PingPeriod = pingPeriod
	cfg.ChatRate = unlimited
	cfg.CommandRate = unlimited
	cfg.RateStrikes = -1
	return cfg
}

// wsAt is the show URL of addr, such as a proxy's.
func wsAt(addr string) string { return "ws://" + addr + "/ws" }

// startProxy runs a toxiproxy in this process in front of upstream and
// stops it when the test ends.
func startProxy(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "show", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("start proxy: %v", err)
	}
	t.Cleanup(p.Stop)
	return p
}

// addToxic adds a toxic to every link of p, present and future.
func addToxic(t *testing.T, p *toxiproxy.Proxy, name, typ, stream string, toxicity float64, attrs map[string]any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"name": name, "type": typ, "stream": stream, "toxicity": toxicity, "attributes": attrs,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(string(body))); err != nil {
		t.Fatalf("add toxic %s: %v", name, err)
	}
}

func removeToxic(t *testing.T, p *toxiproxy.Proxy, name string) {
	t.Helper()
	if err := p.Toxics.RemoveToxic(context.Background(), name); err != nil {
		t.Fatalf("remove toxic %s: %v", name, err)
	}
}

// shown is a show event as a viewer ended up with it.
type shown struct {
	Seq  uint64
	Type protocol.Type
	Data string
}

// mark is an update other than events, with when it arrived and how many
// show events had been recorded by then.
type mark struct {
	client.Update
	at     time.Time
	events int
}

// recorder consumes a stream of updates as a UI would, on its own
// goroutine, and keeps what the fault tests compare.
type recorder struct {
	name string
	done chan struct{} // closed when the stream has ended

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every update
	events  []shown
	marks   []mark
	chats   map[string]bool
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, done: make(chan struct{}), changed: make(chan struct{}), chats: make(map[string]bool)}
}

// record follows a session until it ends; the session is closed when the
// test ends.
func record(t *testing.T, name string, opts client.SessionOptions) (*recorder, *client.Session) {
	t.Helper()
	opts.Name = name
	if opts.PingPeriod == 0 {
		opts.PingPeriod = pingPeriod
	}
	if opts.HandshakeTimeout == 0 {
		opts.HandshakeTimeout = 2 * time.Second
	}
	// Quick retries: a test spends its time on the fault, not on waiting.
	if opts.MinBackoff == 0 {
		opts.MinBackoff, opts.MaxBackoff, opts.ServerBackoff = 50*time.Millisecond, time.Second, 50*time.Millisecond
	}
	s := client.StartSession(context.Background(), opts)
	r := newRecorder(name)
	go func() {
		defer close(r.done)
		for u := range s.Updates() {
			r.add(u)
		}
	}()
	t.Cleanup(func() { s.Close(); <-r.done })
	return r, s
}

// recordConn follows a plain connection that resumed from the start of an
// epoch, as a reference that holds every event of it.
func recordConn(t *testing.T, name string, c *client.Conn) *recorder {
	t.Helper()
	r := newRecorder(name)
	w, seq := c.Welcome()
	r.add(client.Update{Kind: client.UpdateSnapshot, Welcome: w, Seq: seq})
	go func() {
		defer close(r.done)
		for frame := range c.Events() {
			r.add(client.Update{Kind: client.UpdateEvents, Events: frame})
		}
	}()
	t.Cleanup(func() { c.Close(); <-r.done })
	return r
}

func (r *recorder) add(u client.Update) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u.Kind == client.UpdateEvents {
		for _, env := range u.Events {
			if env.Seq == 0 {
				continue
			}
			r.events = append(r.events, shown{Seq: env.Seq, Type: env.Type, Data: string(env.Data)})
			if env.Type == protocol.TypeChat {
				if c, err := protocol.Decode[protocol.Chat](env); err == nil {
					r.chats[c.Text] = true
				}
			}
		}
	} else {
		r.marks = append(r.marks, mark{Update: u, at: time.Now(), events: len(r.events)})
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

// waitUntil waits for cond, called with the recorder locked, to hold.
func (r *recorder) waitUntil(t *testing.T, deadline time.Time, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		r.mu.Lock()
		ok, changed := cond(), r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-r.done:
			r.mu.Lock()
			ok = cond()
			r.mu.Unlock()
			if !ok {
				t.Fatalf("%s: stream ended before %s", r.name, what)
			}
			return
		case <-timer.C:
			t.Fatalf("%s: no %s by the deadline; updates: %s", r.name, what, r.summary())
		}
	}
}

// waitMarks waits for the n-th update of kind k and returns it.
func (r *recorder) waitMarks(t *testing.T, deadline time.Time, k client.UpdateKind, n int) mark {
	t.Helper()
	var m mark
	r.waitUntil(t, deadline, fmt.Sprintf("%s #%d", k, n), func() bool {
		seen := 0
		for _, x := range r.marks {
			if x.Kind == k {
				if seen++; seen == n {
					m = x
					return true
				}
			}
		}
		return false
	})
	return m
}

// waitRecovery waits for the first connection after the first one: a
// resume or a second snapshot.
func (r *recorder) waitRecovery(t *testing.T, deadline time.Time) mark {
	t.Helper()
	var m mark
	r.waitUntil(t, deadline, "reconnection", func() bool {
		snapshots := 0
		for _, x := range r.marks {
			if x.Kind == client.UpdateSnapshot {
				snapshots++
			}
			if x.Kind == client.UpdateResumed || snapshots == 2 {
				m = x
				return true
			}
		}
		return false
	})
	return m
}

func (r *recorder) waitChat(t *testing.T, deadline time.Time, text string) {
	t.Helper()
	r.waitUntil(t, deadline, fmt.Sprintf("chat %q", text), func() bool { return r.chats[text] })
}

func (r *recorder) count(k client.UpdateKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.marks {
		if m.Kind == k {
			n++
		}
	}
	return n
}

// summary lists the updates other than events, for failure messages.
func (r *recorder) summary() string {
	var b strings.Builder
	for _, m := range r.marks {
		fmt.Fprintf(&b, "%s", m.Kind)
		if m.Err != nil {
			fmt.Fprintf(&b, "(%v)", m.Err)
		}
		b.WriteString(" ")
	}
	return b.String()
}

// segments splits the recorded events at each snapshot: the seq each
// snapshot was at and the events delivered after it.
func (r *recorder) segments() (starts []uint64, missed []bool, parts [][]shown) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var cuts []int
	for _, m := range r.marks {
		if m.Kind == client.UpdateSnapshot {
			starts = append(starts, m.Seq)
			missed = append(missed, m.Missed)
			cuts = append(cuts, m.events)
		}
	}
	for i, from := range cuts {
		to := len(r.events)
		if i+1 < len(cuts) {
			to = cuts[i+1]
		}
		parts = append(parts, slices.Clone(r.events[from:to]))
	}
	return starts, missed, parts
}

// seqOfChat returns the seq of the chat line with text.
func (r *recorder) seqOfChat(t *testing.T, text string) uint64 {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Type == protocol.TypeChat && strings.Contains(e.Data, fmt.Sprintf("%q", text)) {
			return e.Seq
		}
	}
	t.Fatalf("%s: no chat %q", r.name, text)
	return 0
}

// matchReference checks that got, delivered after a snapshot at seq after,
// is exactly the reference's events from after+1 on: same events, same
// order, none twice, none missing. through, when not zero, is a seq the
// segment must reach.
func matchReference(t *testing.T, ref *recorder, after uint64, got []shown, through uint64) {
	t.Helper()
	ref.mu.Lock()
	want := slices.Clone(ref.events)
	ref.mu.Unlock()
	i := slices.IndexFunc(want, func(e shown) bool { return e.Seq > after })
	if i < 0 || want[i].Seq != after+1 {
		t.Fatalf("%s does not hold the events after seq %d", ref.name, after)
	}
	want = want[i:]
	if len(got) > len(want) {
		t.Fatalf("got %d events after seq %d, the reference only %d", len(got), after, len(want))
	}
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("event %d after seq %d: got %+v, want %+v", k, after, got[k], want[k])
		}
	}
	if through != 0 && (len(got) == 0 || got[len(got)-1].Seq < through) {
		t.Fatalf("stream after seq %d stops short of seq %d (%d events)", after, through, len(got))
	}
}

// host publishes the show's stream through a session of its own, pacing
// itself on its own echo so no rate or queue is ever the limit.
type host struct {
	t       *testing.T
	rec     *recorder
	sess    *client.Session
	catalog []protocol.Product
	said    string // the last line sent
	pending int    // commands sent since the echo was last awaited
}

func startHost(t *testing.T, url string, deadline time.Time) *host {
	t.Helper()
	rec, sess := record(t, "host", client.SessionOptions{Options: client.Options{URL: url, Token: "secret-host-token"}})
	snap := rec.waitMarks(t, deadline, client.UpdateSnapshot, 1)
	return &host{t: t, rec: rec, sess: sess, catalog: snap.Welcome.Catalog}
}

// publish sends chat lines from..to-1, with a pin after every 25th and an
// unpin after every 50th. at runs before the line with the same number.
func (h *host) publish(deadline time.Time, from, to int, at map[int]func()) {
	h.t.Helper()
	for i := from; i < to; i++ {
		if f := at[i]; f != nil {
			f()
		}
		h.say(fmt.Sprintf("line %03d", i))
		if i%25 == 24 {
			p := h.catalog[(i/25)%len(h.catalog)]
			h.send(protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: p.Variants[0].ID})
		}
		if i%50 == 49 {
			h.send(protocol.TypeUnpin, protocol.Unpin{})
		}
		if h.pending >= 16 {
			h.rec.waitChat(h.t, deadline, h.said)
			h.pending = 0
		}
	}
	h.rec.waitChat(h.t, deadline, h.said)
	h.pending = 0
}

func (h *host) say(text string) {
	h.t.Helper()
	h.send(protocol.TypeSay, protocol.Say{Text: text})
	h.said = text
}

func (h *host) send(typ protocol.Type, data any) {
	h.t.Helper()
	if err := h.sess.Send(typ, data); err != nil {
		h.t.Fatalf("host send %s: %v", typ, err)
	}
	h.pending++
}
