package server

import (
	"bytes"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// writerGoroutines counts the goroutines running or parked in a
// connection's write loop.
func writerGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], []byte("server.(*conn).writeLoop("))
		}
		buf = make([]byte, 2*len(buf))
	}
}

// readAll reads c until its connection ends, counting the show events
// it gets, so that the server never finds its queue full.
func readAll(c *client, wg *sync.WaitGroup, got *atomic.Int64) {
	wg.Go(func() {
		for {
			env, err := c.read()
			if err != nil {
				return
			}
			if env.Type == protocol.TypeChat {
				got.Add(1)
			}
		}
	})
}

// A batch is written to a connection that keeps up by the flusher, not by
// a writer of the connection's: across many batches no writer starts, and
// none is left running.
func TestBatchesAreWrittenByTheFlusher(t *testing.T) {
	s, ts := startServer(t, unlimited)
	const viewers, lines = 8, 60
	var readers sync.WaitGroup
	var got atomic.Int64
	for i := range viewers {
		readAll(dial(t, ts.URL, fmt.Sprintf("v%d", i), ""), &readers, &got)
	}
	// A viewer, not a host: a host gets its metrics one by one, through
	// its writer.
	talker := dial(t, ts.URL, "talker", "")
	started := s.hub.writers.Load()
	for i := range lines {
		text := fmt.Sprintf("line %d", i)
		talker.send(protocol.TypeSay, protocol.Say{Text: text})
		for {
			env := talker.nextOf(protocol.TypeChat)
			if c, err := protocol.Decode[protocol.Chat](env); err == nil && c.Text == text {
				break
			}
		}
	}
	waitUntil(t, "every viewer has every line", func() bool { return got.Load() == viewers*lines })
	if n := s.hub.writers.Load() - started; n != 0 {
		t.Errorf("%d writers started during %d batches to %d connections that keep up, want none", n, lines, viewers+1)
	}
	waitUntil(t, "no writer left running", func() bool { return writerGoroutines() == 0 })
	talker.ws.Close()
	s.Close()
	readers.Wait()
}

// A writer takes its write deadline off the socket as it stops: with one
// left behind, every batch after it expired would find the socket
// refusing the flusher's write, and start a writer.
func TestWriterLeavesNoDeadlineBehind(t *testing.T) {
	s, ts := startServer(t, unlimited)
	s.hub.writeWait = 50 * time.Millisecond
	var readers sync.WaitGroup
	var got atomic.Int64
	const viewers = 4
	for i := range viewers {
		// Each welcome is written by a writer, which set a deadline.
		readAll(dial(t, ts.URL, fmt.Sprintf("v%d", i), ""), &readers, &got)
	}
	talker := dial(t, ts.URL, "talker", "")
	expired := time.Now().Add(3 * s.hub.writeWait)
	waitUntil(t, "the writers' deadlines are past", func() bool { return time.Now().After(expired) })
	started := s.hub.writers.Load()
	talker.send(protocol.TypeSay, protocol.Say{Text: "after the deadline"})
	waitUntil(t, "every viewer has the line", func() bool { return got.Load() == viewers })
	if n := s.hub.writers.Load() - started; n != 0 {
		t.Errorf("%d writers started for a batch to %d connections that keep up, want none", n, viewers+1)
	}
	talker.ws.Close()
	s.Close()
	readers.Wait()
}

// A connection whose socket cannot take a whole batch gets the rest from
// its writer, before anything else: a viewer that stops reading, with
// small buffers on both sides, and lines of many lengths, so that the
// socket fills in the middle of a frame, then reads every line, whole and
// in order.
func TestBatchThatDoesNotFitIsFinishedByTheWriter(t *testing.T) {
	s, ts := startServerWith(t, func(l net.Listener) net.Listener { return smallBuffers{l} }, unlimited)
	paused := dial(t, ts.URL, "paused", "")
	if tc, ok := paused.ws.NetConn().(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 10)
	}
	talker := dial(t, ts.URL, "talker", "")

	started := s.hub.writers.Load()
	var said []string
	say := func() {
		i := len(said)
		text := fmt.Sprintf("%04d %s", i, strings.Repeat("x", 40+i*37%200))
		said = append(said, text)
		talker.send(protocol.TypeSay, protocol.Say{Text: text})
		for {
			env := talker.nextOf(protocol.TypeChat)
			if c, err := protocol.Decode[protocol.Chat](env); err == nil && c.Text == text {
				return
			}
		}
	}
	// Lines until the paused viewer's socket is full and a writer has
	// the rest of a batch, then a few more, which queue behind it.
	for s.hub.writers.Load() == started {
		if len(said) == 2000 {
			t.Fatal("2000 lines and the paused viewer's socket never filled")
		}
		say()
	}
	for range 5 {
		say()
	}
	for i, want := range said {
		env := paused.nextOf(protocol.TypeChat)
		c, err := protocol.Decode[protocol.Chat](env)
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if c.Text != want {
			t.Fatalf("line %d is %.20q, want %.20q", i, c.Text, want)
		}
	}
}

// frameLog reads a connection and records when each frame (events, pings,
// pongs) arrived and which were pings.
type frameLog struct {
	mu     sync.Mutex
	frames []time.Time
	pings  int
}

func (l *frameLog) note(ping bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames = append(l.frames, time.Now())
	if ping {
		l.pings++
	}
}

func (l *frameLog) snapshot() (frames []time.Time, pings int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.frames...), l.pings
}

// logFrames reads ws until it ends, answering pings as gorilla would.
func logFrames(ws *websocket.Conn, wg *sync.WaitGroup) *frameLog {
	l := &frameLog{}
	ws.SetPingHandler(func(data string) error {
		l.note(true)
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(waitFor))
	})
	ws.SetPongHandler(func(string) error { l.note(false); return nil })
	wg.Go(func() {
		for {
			_ = ws.SetReadDeadline(time.Now().Add(waitFor))
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
			l.note(false)
		}
	})
	return l
}

// The server pings a connection only when it has been silent, one way or
// the other: one that talks and gets events, or that pings on its own,
// gets no ping; one that only listens is pinged, and never goes longer
// than pingAfterMax periods (plus the pinger's slice) without a frame.
func TestPingsOnlyTheSilent(t *testing.T) {
	_, ts := startServer(t, unlimited, func(c *Config) { c.PingPeriod = testPing })
	var readers sync.WaitGroup
	talker := dial(t, ts.URL, "talker", "")
	pinger := dial(t, ts.URL, "pinger", "")
	listener := dial(t, ts.URL, "listener", "")
	logs := map[string]*frameLog{
		"talker":   logFrames(talker.ws, &readers),
		"pinger":   logFrames(pinger.ws, &readers),
		"listener": logFrames(listener.ws, &readers),
	}
	start := time.Now()
	var talk sync.WaitGroup
	stop := make(chan struct{})
	talk.Go(func() {
		tick := time.NewTicker(testPing / 4)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			say, _ := protocol.Encode(protocol.TypeSay, 0, time.Time{}, protocol.Say{Text: fmt.Sprintf("line %d", i)})
			if talker.ws.WriteMessage(websocket.TextMessage, say) != nil {
				return
			}
			if i%2 == 0 && pinger.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(waitFor)) != nil {
				return
			}
		}
	})
	// Four periods: at least two pings are due to the listener.
	waitUntil(t, "four periods and two pings to the listener", func() bool {
		_, pings := logs["listener"].snapshot()
		return pings >= 2 && time.Since(start) >= 4*testPing
	})
	close(stop)
	talk.Wait()
	for _, name := range []string{"talker", "pinger"} {
		if _, pings := logs[name].snapshot(); pings != 0 {
			t.Errorf("the %s got %d pings, want none: the link was busy both ways", name, pings)
		}
	}
	talker.ws.Close()
	pinger.ws.Close()

	// Alone and silent now, the listener still hears from the server in
	// time: a ping within pingAfterMax periods and the pinger's slice.
	quiet := time.Now()
	waitUntil(t, "pings to the silent listener", func() bool {
		frames, _ := logs["listener"].snapshot()
		return len(frames) > 0 && frames[len(frames)-1].Sub(quiet) > 2*testPing
	})
	frames, _ := logs["listener"].snapshot()
	limit := time.Duration(pingAfterMax*float64(testPing)) + testPing/pingSlices + testPing/4
	for i := 1; i < len(frames); i++ {
		if gap := frames[i].Sub(frames[i-1]); gap > limit {
			t.Errorf("the listener heard nothing for %s, want at most %s", gap, limit)
		}
	}
	listener.ws.Close()
	readers.Wait()
}

// countingConn counts the write deadlines that reach the socket.
type countingConn struct {
	net.Conn
	deadlines int
}

func (c *countingConn) SetWriteDeadline(time.Time) error { c.deadlines++; return nil }
func (c *countingConn) SetDeadline(time.Time) error      { c.deadlines++; return nil }

func TestDeadlineConnSkipsTheSameDeadline(t *testing.T) {
	under := &countingConn{}
	d := &deadlineConn{Conn: under}
	t1 := time.Now().Add(time.Second)
	for range 5 {
		_ = d.SetWriteDeadline(t1)
	}
	if under.deadlines != 1 {
		t.Errorf("the same deadline five times reached the socket %d times, want once", under.deadlines)
	}
	_ = d.SetWriteDeadline(t1.Add(time.Millisecond))
	_ = d.SetDeadline(time.Time{})
	_ = d.SetWriteDeadline(time.Time{})
	_ = d.SetWriteDeadline(t1)
	if under.deadlines != 4 {
		t.Errorf("three changes after the first reached the socket %d times in all, want 4", under.deadlines)
	}
}
