package server

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/livecart/livecart/protocol"
)

// queued takes everything waiting in c's send queue.
func queued(c *conn) [][]byte {
	var out [][]byte
	for {
		select {
		case f := <-c.send:
			out = append(out, f)
		default:
			return out
		}
	}
}

// quietAudience is an audience whose queues nobody drains, so a test can
// look at exactly what each connection was offered.
func quietAudience(t *testing.T, n int) *audience {
	t.Helper()
	a := newAudience(t, 0)
	h := a.s.hub
	h.locked(func() {
		for i := range n {
			c := newConn(h, nil, "")
			c.id = protocol.Identity{ID: fmt.Sprintf("q%d", i), Name: fmt.Sprintf("quiet%d", i), Role: protocol.RoleViewer}
			c.writing.Store(true) // no writer: the test reads the queue
			h.conns[c] = struct{}{}
			h.addJoinedLocked(c)
			a.conns = append(a.conns, c)
		}
	})
	return a
}

// A batch to an audience large enough to be split over goroutines reaches
// every connection once, and a full queue in any part evicts its
// connection and no other.
func TestLargeFanOutReachesEveryConnection(t *testing.T) {
	const n = 8*shardConns + 3 // parts of unequal size on any machine
	a := quietAudience(t, n)
	full := []*conn{a.conns[1], a.conns[n/2], a.conns[n-1]}
	for _, c := range full {
		for len(c.send) < cap(c.send) {
			c.send <- []byte("old")
		}
	}
	a.sayN(t, 1)
	for i, c := range a.conns {
		if slices.Contains(full, c) {
			continue
		}
		if frames := queued(c); len(frames) != 1 {
			t.Fatalf("viewer %d was offered %d frames, want 1", i, len(frames))
		}
	}
	a.s.hub.locked(func() {
		for i, c := range a.conns {
			if want := slices.Contains(full, c); c.ended != want {
				t.Errorf("viewer %d: ended %v, want %v", i, c.ended, want)
			}
		}
	})
}

func TestBatchIsEncodedOnceAndShared(t *testing.T) {
	a := quietAudience(t, 3)
	const lines = 16
	a.sayN(t, lines)
	var first []byte
	for i, c := range a.conns {
		frames := queued(c)
		if len(frames) != 1 {
			t.Fatalf("viewer %d was offered %d frames, want the batch as one", i, len(frames))
		}
		envs, err := protocol.DecodeFrame(frames[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(envs) != lines {
			t.Fatalf("the batch holds %d events, want %d", len(envs), lines)
		}
		for k, env := range envs {
			if env.Type != protocol.TypeChat || env.Seq != uint64(k+1) {
				t.Fatalf("event %d is %s seq %d, want chat seq %d", k, env.Type, env.Seq, k+1)
			}
		}
		if i == 0 {
			first = frames[0]
		} else if &frames[0][0] != &first[0] {
			t.Errorf("viewer %d got its own copy of the batch, want the same bytes", i)
		}
	}
	// The history replays the very events of the batch.
	var replay [][]byte
	a.s.hub.locked(func() { replay, _ = a.s.hub.history.since(0, a.s.hub.seq) })
	if got := string(bytes.Join(replay, []byte{'\n'})); got != string(first) {
		t.Errorf("history replays\n%s\nwant the batch\n%s", got, first)
	}
}

func TestProductChangedTwiceGoesOutOnceWithItsLatestState(t *testing.T) {
	a := quietAudience(t, 1)
	s := a.s
	s.hub.locked(func() {
		for _, n := range []int{7, 5, 2} {
			if e := s.setStockLocked(protocol.SetStock{VariantID: "candle-small", Stock: n}); e != nil {
				t.Fatalf("set_stock: %s", e.Message)
			}
		}
		if e := s.sayLocked(benchAuthor, "after", nil); e != nil {
			t.Fatalf("say: %s", e.Message)
		}
	})
	s.hub.flush(false)
	envs, err := protocol.DecodeFrame(bytes.Join(queued(a.conns[0]), []byte{'\n'}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, env := range envs {
		switch env.Type {
		case protocol.TypeProduct:
			got = append(got, fmt.Sprintf("%d:stock %d", env.Seq, decode[protocol.Product](t, env).Stock()))
		default:
			got = append(got, fmt.Sprintf("%d:%s", env.Seq, env.Type))
		}
	}
	if want := "1:stock 2 2:chat"; strings.Join(got, " ") != want {
		t.Errorf("sent %q, want %q", strings.Join(got, " "), want)
	}
}

func TestChatWaitsForTheIntervalButAPinDoesNot(t *testing.T) {
	a := quietAudience(t, 1)
	s := a.s
	c := a.conns[0]
	s.hub.locked(func() { s.hub.viewers = 10_000 })
	say := func(text string) {
		t.Helper()
		s.hub.locked(func() {
			if e := s.sayLocked(benchAuthor, text, nil); e != nil {
				t.Fatalf("say: %s", e.Message)
			}
		})
	}
	say("one")
	if wait := s.hub.flush(false); wait != 0 || len(queued(c)) != 1 {
		t.Fatalf("the first line after a quiet spell waited %s", wait)
	}
	say("two")
	wait := s.hub.flush(false)
	if wait <= 0 || wait > flushInterval(10_000, false) || len(c.send) != 0 {
		t.Fatalf("a line right after a batch went out (wait %s, %d queued), want it held for up to %s", wait, len(c.send), flushInterval(10_000, false))
	}
	s.hub.locked(func() { s.pinLocked(protocol.Pin{ProductID: "mug", VariantID: "mug-blue"}) })
	if wait := s.hub.flush(false); wait != 0 {
		t.Fatalf("a pin waited %s", wait)
	}
	envs, err := protocol.DecodeFrame(bytes.Join(queued(c), []byte{'\n'}))
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 2 || envs[0].Type != protocol.TypeChat || envs[1].Type != protocol.TypePin {
		t.Fatalf("after the pin: %v, want the held line, then the pin", envs)
	}
}

func TestFlushIntervalGrowsWithTheAudience(t *testing.T) {
	for _, tc := range []struct {
		viewers int
		want    time.Duration
	}{
		{0, minFlushInterval},
		{10, minFlushInterval},
		{1000, 5 * time.Millisecond},
		{10_000, 50 * time.Millisecond},
		{20_000, maxFlushInterval},
		{1_000_000, maxFlushInterval},
	} {
		if got := flushInterval(tc.viewers, false); got != tc.want {
			t.Errorf("flushInterval(%d) = %s, want %s", tc.viewers, got, tc.want)
		}
		if got := flushInterval(tc.viewers, true); got != stormFlushInterval {
			t.Errorf("flushInterval(%d) in a storm = %s, want %s", tc.viewers, got, stormFlushInterval)
		}
	}
}

// Once the chat cap holds a viewer's line back, the chat that does go out
// waits for the storm's longer interval.
func TestAStormHoldsChatLonger(t *testing.T) {
	a := quietAudience(t, 1)
	s := a.s
	host := protocol.Identity{ID: "u-host", Name: "maya", Role: protocol.RoleHost}
	say := func(who protocol.Identity, text string) {
		t.Helper()
		s.hub.locked(func() {
			if e := s.sayLocked(who, text, nil); e != nil {
				t.Fatalf("say: %s", e.Message)
			}
		})
	}
	s.hub.locked(func() { s.chatCap = rate.NewLimiter(1, 1) })
	say(benchAuthor, "one")
	if wait := s.hub.flush(false); wait != 0 {
		t.Fatalf("the first line waited %s", wait)
	}
	// Waits are measured from the batch before, so a stalled test sees
	// them shorter, never longer.
	say(host, "calm")
	if wait := s.hub.flush(false); wait > flushInterval(1, false) {
		t.Fatalf("with no storm a line right after a batch waits %s, want up to %s", wait, flushInterval(1, false))
	}
	s.hub.flush(true)
	say(benchAuthor, "two") // over the cap: held back
	say(host, "stormy")
	if wait := s.hub.flush(false); wait <= flushInterval(1, false) || wait > stormFlushInterval {
		t.Fatalf("in a storm a line right after a batch waits %s, want up to %s", wait, stormFlushInterval)
	}
}

func TestPongFollowsTheEventsPublishedBeforeIt(t *testing.T) {
	a := quietAudience(t, 1)
	s := a.s
	c := a.conns[0]
	s.hub.locked(func() {
		if e := s.sayLocked(benchAuthor, "before the ping", nil); e != nil {
			t.Fatalf("say: %s", e.Message)
		}
	})
	s.hub.pong(c)
	if n := len(c.send); n != 0 {
		t.Fatalf("%d frames queued before the batch went: the pong overtook the line", n)
	}
	s.hub.flush(true)
	frames := queued(c)
	if len(frames) != 2 {
		t.Fatalf("%d frames, want the batch and the pong", len(frames))
	}
	last, err := protocol.DecodeFrame(frames[1])
	if err != nil || last[0].Type != protocol.TypePong {
		t.Fatalf("last frame %q, want the pong", frames[1])
	}
	// With nothing waiting, a pong goes at once.
	s.hub.pong(c)
	if len(c.send) != 1 {
		t.Fatal("a pong with nothing waiting was held back")
	}
}

func TestFullQueueIsEvictedByTheFlush(t *testing.T) {
	a := quietAudience(t, 2)
	s := a.s
	slow := a.conns[0]
	for len(slow.send) < cap(slow.send) {
		slow.send <- []byte(`{"type":"pong"}`)
	}
	a.sayN(t, 1)
	s.hub.locked(func() {
		if !slow.ended || slow.closeCode != protocol.CloseSlowConsumer {
			t.Errorf("full queue: ended %v with %d, want evicted with %d", slow.ended, slow.closeCode, protocol.CloseSlowConsumer)
		}
		if a.conns[1].ended {
			t.Error("a viewer with room was ended too")
		}
		if len(s.hub.joined) != 1 || s.hub.joined[0] != a.conns[1] {
			t.Errorf("fan-out list %v, want only the healthy viewer", s.hub.joined)
		}
	})
}

func TestChatCapHoldsViewersLinesBackButNotTheirAuthorsOrTheHosts(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	const capacity = 3
	s, ts := startServer(t, unlimited, func(c *Config) {
		c.ChatCap = capacity
		c.Now = func() time.Time { return at } // the bucket never refills
	})
	host := dial(t, ts.URL, "host", testToken)
	ana := dial(t, ts.URL, "ana", "")
	bo := dial(t, ts.URL, "bo", "")
	const said = 10
	for i := range said {
		ana.send(protocol.TypeSay, protocol.Say{Text: fmt.Sprintf("ana %d", i)})
	}
	host.send(protocol.TypeSay, protocol.Say{Text: "host line"})
	anaSaw := ana.sync()
	host.sync()

	count := func(envs []protocol.Envelope) (shown, echoed int, hostLine bool) {
		for _, env := range envs {
			if env.Type != protocol.TypeChat {
				continue
			}
			line := decode[protocol.Chat](t, env)
			switch {
			case line.Author.Role == protocol.RoleHost:
				hostLine = true
			case env.Seq == 0:
				echoed++
			default:
				shown++
			}
		}
		return
	}
	if shown, echoed, hostLine := count(bo.sync()); shown != capacity || echoed != 0 || !hostLine {
		t.Errorf("another viewer saw %d of ana's lines (+%d unicast), host line %v; want %d and the host's", shown, echoed, hostLine, capacity)
	}
	if m := s.Metrics(); m.ChatHeld != said-capacity {
		t.Errorf("metrics chat_held = %d, want %d", m.ChatHeld, said-capacity)
	}
	// ana's own screen has every line she said: the held ones came to her
	// alone, without a seq.
	if shown, echoed, _ := count(anaSaw); shown != capacity || echoed != said-capacity {
		t.Errorf("ana saw %d of her lines broadcast and %d sent to her alone, want %d and %d", shown, echoed, capacity, said-capacity)
	}
}

// TestIdleConnectionHoldsOnlyItsReadLoop guards what an idle audience
// costs: once the welcomes are written, each connection keeps one
// goroutine (its read loop), not a writer and a timer besides.
func TestIdleConnectionHoldsOnlyItsReadLoop(t *testing.T) {
	_, ts := startServer(t)
	dial(t, ts.URL, "first", "") // starts the server's own loops
	base := runtime.NumGoroutine()
	const n = 40
	for i := range n {
		dial(t, ts.URL, fmt.Sprintf("idle%d", i), "")
	}
	// The server's loops (pinger, flusher, a pending viewers announcement)
	// may come and go; a writer or timer per connection would add n more.
	const slack = 4
	waitUntil(t, fmt.Sprintf("%d idle connections holding at most %d goroutines", n, n+slack), func() bool {
		return runtime.NumGoroutine() <= base+n+slack
	})
}

// TestNothingIsQueuedOrStartedAfterClose: a purchase that lands while the
// server shuts down (an order posted just then) must not start a flush
// loop the shutdown has stopped waiting for.
func TestNothingIsQueuedOrStartedAfterClose(t *testing.T) {
	s, _ := startServer(t)
	s.hub.locked(func() {
		// Queued and not yet taken when the server closes.
		s.hub.out.manual = true
		if e := s.setStockLocked(protocol.SetStock{VariantID: "mug-blue", Stock: 4}); e != nil {
			t.Fatalf("set_stock: %s", e.Message)
		}
		s.hub.out.manual = false
	})
	s.Close()
	s.hub.locked(func() {
		if e := s.setStockLocked(protocol.SetStock{VariantID: "mug-blue", Stock: 3}); e != nil {
			t.Fatalf("set_stock: %s", e.Message)
		}
		if s.hub.out.running || len(s.hub.out.events) > 0 {
			t.Errorf("after Close: flush loop running %v, %d events queued", s.hub.out.running, len(s.hub.out.events))
		}
		if s.hub.out.running {
			close(s.hub.out.stop) // or the test's own Close would wait for it forever
			s.hub.out.running = false
		}
	})
}

// The parts of a fan-out cover every connection once, in order, whatever
// the machine's size and the audience's.
func TestPartsCoverAll(t *testing.T) {
	for _, size := range []int{0, 1, 127, 128, 1000, 16_769, 36_289} {
		s := make([]int, size)
		for i := range s {
			s[i] = i
		}
		for n := 1; n <= 300; n++ {
			next := 0
			for i := range n {
				for _, v := range part(s, i, n) {
					if v != next {
						t.Fatalf("%d items in %d parts: part %d holds %d, want %d", size, n, i, v, next)
					}
					next++
				}
			}
			if next != size {
				t.Fatalf("%d items in %d parts cover %d", size, n, next)
			}
		}
	}
}
