package client_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
)

// The failover tests run a session against several URLs of one show. A
// cluster whose edges share an epoch and a seq space does not exist yet,
// so they use either real show servers, each with its own epoch, or fake
// edges that share a scripted one.

// noBackoff makes any back-off wait half an hour: a session that moves to
// the next URL without waiting shows it in UpdateWaiting.RetryAt, with no
// clock to watch.
func noBackoff(urls ...string) client.SessionOptions {
	return client.SessionOptions{
		URLs:       urls,
		MinBackoff: time.Hour, MaxBackoff: time.Hour, ServerBackoff: time.Hour,
		Rand: func() float64 { return 0.5 },
	}
}

// expectMove returns the session's next updates: the wait after a URL
// failed, which must be none, and the dial of url.
func expectMove(t *testing.T, s *client.Session, url string) client.Update {
	t.Helper()
	w := skipTo(t, s, client.UpdateWaiting)
	if w.Err == nil {
		t.Fatal("waiting without a reason")
	}
	if late := time.Until(w.RetryAt); late > 0 {
		t.Fatalf("waits %s after %v before the next URL, want no wait", late, w.Err)
	}
	c := expect(t, s, client.UpdateConnecting)
	if c.URL != url {
		t.Fatalf("dials %s after %v, want %s", c.URL, w.Err, url)
	}
	return w
}

// (a) Two real shows: when the first stops, the session dials the second
// at once, though the first asked for a back-off, and takes its snapshot:
// another epoch, so events may have been missed.
func TestFailoverRealShows(t *testing.T) {
	first := showtest.Start(t, plainConfig(t))
	second := showtest.Start(t, plainConfig(t))
	opts := noBackoff(first.WS, second.WS)
	opts.Name = "ana"
	s := startSession(t, opts)

	if u := expect(t, s, client.UpdateConnecting); u.URL != first.WS || u.Attempt != 1 {
		t.Fatalf("first dial = %s, attempt %d; want %s, attempt 1", u.URL, u.Attempt, first.WS)
	}
	snap := expect(t, s, client.UpdateSnapshot)
	if snap.URL != first.WS {
		t.Fatalf("snapshot from %s, want %s", snap.URL, first.WS)
	}

	first.Stop()
	w := expectMove(t, s, second.WS)
	var ce *client.CloseError
	if !errors.As(w.Err, &ce) || ce.Code != protocol.CloseGoingAway {
		t.Fatalf("left the first show with %v, want its 1001", w.Err)
	}
	again := expect(t, s, client.UpdateSnapshot)
	if again.URL != second.WS || !again.Missed || again.Welcome.Epoch == snap.Welcome.Epoch {
		t.Fatalf("second snapshot from %s, missed %v, epoch %q (first %q); want %s, missed, another epoch",
			again.URL, again.Missed, again.Welcome.Epoch, snap.Welcome.Epoch, second.WS)
	}
	if err := s.Send(protocol.TypeSay, protocol.Say{Text: "still here"}); err != nil {
		t.Fatalf("Send on the second show: %v", err)
	}
}

// edgeScript is what a fake edge does.
type edgeScript struct {
	epoch  string
	events [][]byte // events[i] has seq i+1
	// upTo is the last seq a connection sends; then it waits for the
	// client to leave, or drops the connection at once with hangUp.
	upTo   uint64
	hangUp bool
	// overlap is how many events before the resumed seq a resumed
	// connection sends again, as a sloppy server might.
	overlap uint64
	// closeCode, when set, answers every hello with this close code.
	closeCode  int
	alternates []string // in every welcome
}

// fakeEdge is one edge of a scripted show: it speaks the protocol's
// handshake with a fixed epoch, resumes a client that names the epoch
// after the seq it asks for, and serves the script's events.
type fakeEdge struct {
	edgeScript
	url  string
	hs   *httptest.Server
	stop chan struct{} // closed at the end of the test
	wg   sync.WaitGroup

	mu     sync.Mutex
	conns  []*websocket.Conn
	hellos []protocol.Hello
	dials  int // WebSocket requests, hello or not
}

func startEdge(t *testing.T, script edgeScript) *fakeEdge {
	t.Helper()
	e := &fakeEdge{edgeScript: script, stop: make(chan struct{})}
	e.hs = httptest.NewServer(http.HandlerFunc(e.serve))
	e.url = "ws" + strings.TrimPrefix(e.hs.URL, "http") + "/ws"
	t.Cleanup(func() {
		close(e.stop)
		e.kill()
		e.wg.Wait()
	})
	return e
}

func (e *fakeEdge) serve(w http.ResponseWriter, r *http.Request) {
	e.wg.Add(1)
	defer e.wg.Done()
	e.mu.Lock()
	e.dials++
	e.mu.Unlock()
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	e.mu.Lock()
	e.conns = append(e.conns, ws)
	e.mu.Unlock()

	hello, ok := e.readHello(ws)
	if !ok {
		return
	}
	if e.closeCode != 0 {
		msg := websocket.FormatCloseMessage(e.closeCode, "banned")
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		_, _, _ = ws.ReadMessage() // the client's answer
		return
	}
	var from uint64
	resumed := hello.Resume != nil && hello.Resume.Epoch == e.epoch && hello.Resume.Seq <= uint64(len(e.events))
	if resumed {
		from = hello.Resume.Seq
	}
	frames := [][]byte{encode(protocol.TypeWelcome, from, protocol.Welcome{
		Version: protocol.Version, Epoch: e.epoch, Resumed: resumed,
		You:        protocol.Identity{ID: "u1", Name: "ana", Role: protocol.RoleViewer},
		Show:       protocol.ShowInfo{ID: "test", Title: "Test Show"},
		Alternates: e.alternates,
	})}
	if resumed {
		from -= min(from, e.overlap)
	}
	for seq := from + 1; seq <= e.upTo; seq++ {
		frames = append(frames, e.events[seq-1])
	}
	for _, f := range frames {
		if ws.WriteMessage(websocket.TextMessage, f) != nil {
			return
		}
	}
	if e.hangUp {
		ws.NetConn().Close()
		return
	}
	for { // answers pings, until the client leaves or the edge dies
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
	}
}

func (e *fakeEdge) readHello(ws *websocket.Conn) (protocol.Hello, bool) {
	_, frame, err := ws.ReadMessage()
	if err != nil {
		return protocol.Hello{}, false
	}
	envs, err := protocol.DecodeFrame(frame)
	if err != nil || envs[0].Type != protocol.TypeHello {
		return protocol.Hello{}, false
	}
	h, err := protocol.Decode[protocol.Hello](envs[0])
	if err != nil {
		return protocol.Hello{}, false
	}
	e.mu.Lock()
	e.hellos = append(e.hellos, h)
	e.mu.Unlock()
	return h, true
}

// drop cuts every connection without a close frame, as a crash would;
// the edge still takes new ones.
func (e *fakeEdge) drop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ws := range e.conns {
		ws.NetConn().Close()
	}
	e.conns = nil
}

// kill stops listening and cuts every connection: the edge is gone.
func (e *fakeEdge) kill() {
	e.hs.Close()
	e.drop()
}

// resumes returns the resume each hello asked for, "-" for none.
func (e *fakeEdge) resumes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, h := range e.hellos {
		if h.Resume == nil {
			out = append(out, "-")
		} else {
			out = append(out, fmt.Sprintf("%s@%d", h.Resume.Epoch, h.Resume.Seq))
		}
	}
	return out
}

func (e *fakeEdge) dialCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dials
}

// chatScript returns n chat events, seq 1 to n, made once so that every
// edge sends the same bytes.
func chatScript(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		seq := uint64(i + 1)
		out[i] = encode(protocol.TypeChat, seq, protocol.Chat{
			ID: fmt.Sprintf("c%d", seq), Author: protocol.Identity{ID: "h1", Name: "Maya", Role: protocol.RoleHost},
			Text: fmt.Sprintf("line %d", seq),
		})
	}
	return out
}

// collect appends the session's events to got until it holds n.
func collect(t *testing.T, s *client.Session, got []protocol.Envelope, n int) []protocol.Envelope {
	t.Helper()
	for len(got) < n {
		got = append(got, expect(t, s, client.UpdateEvents).Events...)
	}
	return got
}

// sameEvents fails unless got is exactly script's events, in order.
func sameEvents(t *testing.T, got []protocol.Envelope, script [][]byte) {
	t.Helper()
	if len(got) != len(script) {
		t.Fatalf("got %d events (seqs %v), want %d", len(got), seqs(got), len(script))
	}
	for i, raw := range script {
		want, err := protocol.DecodeFrame(raw)
		if err != nil {
			t.Fatal(err)
		}
		if g := got[i]; g.Seq != want[0].Seq || g.Type != want[0].Type || string(g.Data) != string(want[0].Data) {
			t.Fatalf("event %d = seq %d %s %s, want seq %d %s %s", i, g.Seq, g.Type, g.Data, want[0].Seq, want[0].Type, want[0].Data)
		}
	}
}

// (b) Two edges of one epoch: the session reads events 1..k on the first,
// which dies; it resumes on the second after k, at once, and ends with
// events 1..n, none missing and none twice, though the second sends a few
// again.
func TestFailoverResumesOnAnotherEdge(t *testing.T) {
	const k, n = 7, 20
	script := chatScript(n)
	a := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: k})
	b := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: n, overlap: 3})
	s := startSession(t, noBackoff(a.url, b.url))

	expect(t, s, client.UpdateConnecting)
	if u := expect(t, s, client.UpdateSnapshot); u.URL != a.url || u.Seq != 0 {
		t.Fatalf("snapshot from %s at %d, want %s at 0", u.URL, u.Seq, a.url)
	}
	got := collect(t, s, nil, k)

	a.kill()
	expectMove(t, s, b.url)
	if u := expect(t, s, client.UpdateResumed); u.URL != b.url || u.Seq != k {
		t.Fatalf("resumed on %s after %d, want %s after %d", u.URL, u.Seq, b.url, k)
	}
	got = collect(t, s, got, n)
	sameEvents(t, got, script)

	if r := a.resumes(); !slices.Equal(r, []string{"-"}) {
		t.Errorf("first edge's hellos asked to resume %v, want a snapshot", r)
	}
	if r := b.resumes(); !slices.Equal(r, []string{fmt.Sprintf("e1@%d", k)}) {
		t.Errorf("second edge's hellos asked to resume %v, want e1@%d", r, k)
	}
	if st := s.Stats(); st.Connections != 2 || st.Gaps != 0 || st.Duplicates != 3 {
		t.Errorf("stats = %+v, want 2 connections, no gap, the 3 resent events dropped", st)
	}
}

// deadURL is a loopback URL nothing listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "ws://" + addr + "/ws"
}

// (c) The welcome's alternates come after the user's URLs; hostile ones
// are never dialled.
func TestFailoverUsesAlternatesAfterUserURLs(t *testing.T) {
	const n = 6
	script := chatScript(n)
	trap := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: n})
	trapAddr := strings.TrimSuffix(strings.TrimPrefix(trap.url, "ws://"), "/ws")
	b := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: n})
	hostile := []string{
		"http://" + trapAddr + "/ws",
		"javascript:alert(1)",
		trap.url + "?pad=" + strings.Repeat("x", 3000),
		"ws://ana:secret@" + trapAddr + "/ws",
		"ws://" + trapAddr + "/ws#frag",
		"ws://" + trapAddr + "/ws\x1b[2J",
	}
	a := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: 2, alternates: append(hostile, b.url)})
	dead := deadURL(t)
	s := startSession(t, noBackoff(a.url, dead))

	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)
	got := collect(t, s, nil, 2)

	a.kill()
	expectMove(t, s, dead) // the user's URLs first
	w := expectMove(t, s, b.url)
	if de := (*client.DialError)(nil); !errors.As(w.Err, &de) || de.URL != dead {
		t.Fatalf("left %s with %v, want its dial error", dead, w.Err)
	}
	if u := expect(t, s, client.UpdateResumed); u.URL != b.url || u.Seq != 2 {
		t.Fatalf("resumed on %s after %d, want %s after 2", u.URL, u.Seq, b.url)
	}
	got = collect(t, s, got, n)
	sameEvents(t, got, script)
	if d := trap.dialCount(); d != 0 {
		t.Fatalf("a hostile alternate was dialled %d times", d)
	}
}

// (d) A ban ends the session whichever edge says it: it does not go back
// to the first, which would still take it.
func TestFailoverBanOnAnotherEdgeEnds(t *testing.T) {
	script := chatScript(3)
	a := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: 3})
	b := startEdge(t, edgeScript{epoch: "e1", closeCode: protocol.CloseBanned})
	s := startSession(t, noBackoff(a.url, b.url))

	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)
	collect(t, s, nil, 3)
	a.drop()
	expectMove(t, s, b.url)
	u := expect(t, s, client.UpdateFailed)
	var de *client.DialError
	if !errors.As(u.Err, &de) || de.Close != protocol.CloseBanned || de.URL != b.url {
		t.Fatalf("failed with %v, want the second edge's ban", u.Err)
	}
	expectEnd(t, s)
	if d := a.dialCount(); d != 1 {
		t.Fatalf("the first edge was dialled %d times, want once", d)
	}
}

// The back-off is between rounds: once every URL has failed since the
// last wait, the session waits; Retry cuts it short, and it starts again
// from the first URL.
func TestFailoverBacksOffAfterEveryURL(t *testing.T) {
	first, second := deadURL(t), deadURL(t)
	s := startSession(t, noBackoff(first, second))

	if u := expect(t, s, client.UpdateConnecting); u.URL != first {
		t.Fatalf("dials %s, want %s", u.URL, first)
	}
	expectMove(t, s, second)
	w := expect(t, s, client.UpdateWaiting)
	if left := time.Until(w.RetryAt); left < 29*time.Minute || w.Attempt != 2 {
		t.Fatalf("after both URLs failed: attempt %d in %s, want attempt 2 in about 30m", w.Attempt, left)
	}
	s.Retry()
	if u := expect(t, s, client.UpdateConnecting); u.URL != first || u.Attempt != 2 {
		t.Fatalf("after Retry dials %s, attempt %d; want %s, attempt 2", u.URL, u.Attempt, first)
	}
}

// Edges that take the session and drop it at once are not hammered: a
// connection shorter than StableAfter counts as a failed try of the round.
// One that lasted starts the round afresh.
func TestFailoverFlappingEdgesBackOff(t *testing.T) {
	script := chatScript(1)
	a := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: 1, hangUp: true})
	b := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: 1, hangUp: true})

	t.Run("short connections", func(t *testing.T) {
		s := startSession(t, noBackoff(a.url, b.url))
		expect(t, s, client.UpdateConnecting)
		skipTo(t, s, client.UpdateSnapshot)
		expectMove(t, s, b.url)
		skipTo(t, s, client.UpdateResumed)
		w := skipTo(t, s, client.UpdateWaiting)
		if left := time.Until(w.RetryAt); left < 29*time.Minute {
			t.Fatalf("after both edges dropped it at once, waits %s; want about 30m", left)
		}
	})
	t.Run("stable connections", func(t *testing.T) {
		opts := noBackoff(a.url, b.url)
		opts.StableAfter = time.Nanosecond
		s := startSession(t, opts)
		expect(t, s, client.UpdateConnecting)
		for _, next := range []string{b.url, a.url, b.url} {
			u := nextUpdate(t, s)
			if u.Kind != client.UpdateSnapshot && u.Kind != client.UpdateResumed {
				t.Fatalf("update %s, want a welcome", u.Kind)
			}
			w := expectMove(t, s, next)
			if w.Attempt != 1 {
				t.Fatalf("attempt %d after a stable connection, want 1", w.Attempt)
			}
		}
	})
}

// A URL with no show is taken off the list, and the session goes on with
// the others; the last one left failing so ends it.
func TestFailoverSkipsURLWithoutShow(t *testing.T) {
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	nowhere := "ws" + strings.TrimPrefix(notFound.URL, "http") + "/ws"
	show := showtest.Start(t, plainConfig(t))
	s := startSession(t, noBackoff(nowhere, show.WS))

	expect(t, s, client.UpdateConnecting)
	w := expectMove(t, s, show.WS)
	if de := (*client.DialError)(nil); !errors.As(w.Err, &de) || de.Status != http.StatusNotFound {
		t.Fatalf("left %s with %v, want its 404", nowhere, w.Err)
	}
	expect(t, s, client.UpdateSnapshot)

	show.Stop()
	// The show is the only URL left: it backs off (the restart asked for
	// it) and never dials the 404 again.
	w = skipTo(t, s, client.UpdateWaiting)
	if left := time.Until(w.RetryAt); left < 29*time.Minute {
		t.Fatalf("waits %s with one URL left, want the back-off", left)
	}
	s.Retry()
	if u := expect(t, s, client.UpdateConnecting); u.URL != show.WS {
		t.Fatalf("dials %s, want %s: the URL without a show was dialled again", u.URL, show.WS)
	}
}

// A session that carries a host token sends it only to the URLs its user
// named: a server's alternates are never dialled with it.
func TestFailoverHostIgnoresAlternates(t *testing.T) {
	const n = 4
	script := chatScript(n)
	other := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: n})
	a := startEdge(t, edgeScript{epoch: "e1", events: script, upTo: n, alternates: []string{other.url}})
	opts := noBackoff(a.url)
	opts.Token = "host-token-0123456789"
	s := startSession(t, opts)
	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)
	collect(t, s, nil, n)
	a.kill()
	w := skipTo(t, s, client.UpdateWaiting)
	if w.RetryAt.Before(time.Now().Add(10 * time.Minute)) {
		t.Fatalf("the host's session moved on at once (retry at %v): it followed an alternate", w.RetryAt)
	}
	if d := other.dialCount(); d != 0 {
		t.Fatalf("the alternate was dialled %d times with the host's token", d)
	}
}
