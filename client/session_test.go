package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// waitFor bounds every wait on a session: a deadline for a condition, never
// a delay.
const waitFor = 10 * time.Second

// startSession starts a session and closes it when the test ends.
func startSession(t *testing.T, opts client.SessionOptions) *client.Session {
	t.Helper()
	if opts.HandshakeTimeout == 0 {
		opts.HandshakeTimeout = waitFor
	}
	s := client.StartSession(context.Background(), opts)
	t.Cleanup(s.Close)
	return s
}

// nextUpdate returns the session's next update.
func nextUpdate(t *testing.T, s *client.Session) client.Update {
	t.Helper()
	timer := time.NewTimer(waitFor)
	defer timer.Stop()
	select {
	case u, ok := <-s.Updates():
		if !ok {
			t.Fatal("updates closed")
		}
		return u
	case <-timer.C:
		t.Fatalf("no update within %s", waitFor)
	}
	panic("unreachable")
}

// expect returns the next update and fails unless it is of kind k.
func expect(t *testing.T, s *client.Session, k client.UpdateKind) client.Update {
	t.Helper()
	u := nextUpdate(t, s)
	if u.Kind != k {
		t.Fatalf("update %s (%+v), want %s", u.Kind, u, k)
	}
	return u
}

// skipTo returns the next update of kind k, passing over events.
func skipTo(t *testing.T, s *client.Session, k client.UpdateKind) client.Update {
	t.Helper()
	for {
		u := nextUpdate(t, s)
		if u.Kind == k {
			return u
		}
		if u.Kind != client.UpdateEvents {
			t.Fatalf("update %s (%+v) while waiting for %s", u.Kind, u, k)
		}
	}
}

// expectEnd waits for the update channel to close.
func expectEnd(t *testing.T, s *client.Session) {
	t.Helper()
	timer := time.NewTimer(waitFor)
	defer timer.Stop()
	for {
		select {
		case u, ok := <-s.Updates():
			if !ok {
				return
			}
			t.Fatalf("update %s after the end", u.Kind)
		case <-timer.C:
			t.Fatal("updates not closed")
		}
	}
}

// drainEnd waits for the update channel to close, passing over what was
// queued before the end.
func drainEnd(t *testing.T, s *client.Session) {
	t.Helper()
	timer := time.NewTimer(waitFor)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-s.Updates():
			if !ok {
				return
			}
		case <-timer.C:
			t.Fatal("updates not closed")
		}
	}
}

func TestSessionConnectsAndSends(t *testing.T) {
	_, url := startShow(t)
	s := startSession(t, client.SessionOptions{Options: client.Options{URL: url, Name: "ana"}})

	if u := expect(t, s, client.UpdateConnecting); u.Attempt != 1 {
		t.Fatalf("first attempt = %d, want 1", u.Attempt)
	}
	snap := expect(t, s, client.UpdateSnapshot)
	if snap.Missed || snap.Welcome.You.Name != "ana" || len(snap.Welcome.Catalog) == 0 {
		t.Fatalf("snapshot = %+v", snap)
	}
	if err := s.Send(protocol.TypeSay, protocol.Say{Text: "hello show"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	for {
		u := expect(t, s, client.UpdateEvents)
		for _, env := range u.Events {
			if env.Type != protocol.TypeChat {
				continue
			}
			if c, err := protocol.Decode[protocol.Chat](env); err != nil || c.Text != "hello show" {
				t.Fatalf("chat = %+v, %v", c, err)
			}
			if env.Seq <= snap.Seq {
				t.Fatalf("chat seq %d not after the snapshot's %d", env.Seq, snap.Seq)
			}
			return
		}
	}
}

// A server going away (1001) asks for a wait of at least ServerBackoff even
// when the jitter draws zero; Retry skips it, and the new server's snapshot
// says events may have been missed.
func TestSessionServerRestartBacksOffAndRetry(t *testing.T) {
	show := showtest.Start(t, plainConfig(t))
	const floor = 3 * time.Second
	s := startSession(t, client.SessionOptions{
		Options:       client.Options{URL: show.WS, Name: "ana"},
		ServerBackoff: floor,
		Rand:          func() float64 { return 0 },
	})
	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)

	show.Stop()
	w := skipTo(t, s, client.UpdateWaiting)
	var ce *client.CloseError
	if !errors.As(w.Err, &ce) || ce.Code != protocol.CloseGoingAway {
		t.Fatalf("waiting err = %v, want close 1001", w.Err)
	}
	if left := time.Until(w.RetryAt); left < floor/2 {
		t.Fatalf("retry in %s, want about %s: the server's backoff was not honoured", left, floor)
	}
	if w.Attempt != 2 {
		t.Fatalf("next attempt = %d, want 2", w.Attempt)
	}
	if err := s.Send(protocol.TypeSay, protocol.Say{Text: "anyone?"}); !errors.Is(err, client.ErrOffline) {
		t.Fatalf("Send while offline = %v, want ErrOffline", err)
	}

	showtest.StartAt(t, show.Addr, plainConfig(t))
	s.Retry()
	if u := expect(t, s, client.UpdateConnecting); u.Attempt != 2 {
		t.Fatalf("attempt = %d, want 2", u.Attempt)
	}
	if time.Now().After(w.RetryAt) {
		t.Fatal("Retry did not cut the wait short")
	}
	if snap := expect(t, s, client.UpdateSnapshot); !snap.Missed {
		t.Fatal("snapshot from a restarted server not marked Missed")
	}
}

// A full show answers 503 with Retry-After; the session waits that long
// even though its own backoff would have it try again at once.
func TestSessionHonoursRetryAfter(t *testing.T) {
	url := showtest.Start(t, server.Config{Catalog: showtest.Catalog(t, demo.Catalog()), MaxConns: 1}).WS
	first := startSession(t, client.SessionOptions{Options: client.Options{URL: url}})
	expect(t, first, client.UpdateConnecting)
	expect(t, first, client.UpdateSnapshot)

	s := startSession(t, client.SessionOptions{
		Options: client.Options{URL: url}, ServerBackoff: time.Millisecond, Rand: func() float64 { return 0 },
	})
	expect(t, s, client.UpdateConnecting)
	w := expect(t, s, client.UpdateWaiting)
	var de *client.DialError
	if !errors.As(w.Err, &de) || de.Status != http.StatusServiceUnavailable || de.RetryIn < time.Second {
		t.Fatalf("waiting err = %#v, want a 503 asking to wait a second or more", w.Err)
	}
	if left := time.Until(w.RetryAt); left < de.RetryIn-time.Second {
		t.Fatalf("retry in %s; the server asked for %s", left, de.RetryIn)
	}
}

// Retry pressed while connected must not shorten a later wait.
func TestSessionRetryWhileConnectedIsIgnored(t *testing.T) {
	show := showtest.Start(t, plainConfig(t))
	s := startSession(t, client.SessionOptions{
		Options:       client.Options{URL: show.WS, Name: "ana"},
		ServerBackoff: 300 * time.Millisecond,
		Rand:          func() float64 { return 0 },
	})
	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)
	s.Retry()
	show.Stop()
	w := skipTo(t, s, client.UpdateWaiting)
	expect(t, s, client.UpdateConnecting)
	if early := time.Until(w.RetryAt); early > 0 {
		t.Fatalf("dialed %s before RetryAt", early)
	}
}

func TestSessionRefusalIsFinal(t *testing.T) {
	closeAfterHello := func(code int) string {
		return startScripted(t, func(_ int, ws *websocket.Conn, _ <-chan struct{}) {
			readHello(t, ws)
			msg := websocket.FormatCloseMessage(code, "no")
			_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			_, _, _ = ws.ReadMessage() // the client's answer
		})
	}
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	cases := map[string]string{
		"version refused": closeAfterHello(protocol.CloseUnsupportedVersion),
		"bad hello":       closeAfterHello(protocol.CloseBadHello),
		"no show (404)":   "ws" + strings.TrimPrefix(notFound.URL, "http") + "/ws",
	}
	cases["invalid data after the welcome"] = startScripted(t, func(_ int, ws *websocket.Conn, _ <-chan struct{}) {
		readHello(t, ws)
		writeEvents(t, ws, welcomeFrame("e1", 1, false))
		msg := websocket.FormatCloseMessage(protocol.CloseInvalidData, "not UTF-8")
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		_, _, _ = ws.ReadMessage()
	})
	for name, url := range cases {
		t.Run(name, func(t *testing.T) {
			s := startSession(t, client.SessionOptions{Options: client.Options{URL: url}, MinBackoff: time.Millisecond})
			expect(t, s, client.UpdateConnecting)
			u := nextUpdate(t, s)
			if u.Kind == client.UpdateSnapshot {
				u = nextUpdate(t, s)
			}
			if u.Kind != client.UpdateFailed || u.Err == nil {
				t.Fatalf("update %s (%v), want failed with a reason", u.Kind, u.Err)
			}
			expectEnd(t, s)
			if err := s.Send(protocol.TypeSay, protocol.Say{Text: "x"}); !errors.Is(err, client.ErrOffline) {
				t.Fatalf("Send after the end = %v, want ErrOffline", err)
			}
		})
	}
}

// The session drops repeated events, stops at a gap without delivering the
// event after it, and resumes from the last event it delivered.
func TestSessionDropsDuplicatesAndResumesAtGap(t *testing.T) {
	resumes := make(chan *protocol.Resume, 2)
	url := startScripted(t, func(n int, ws *websocket.Conn, _ <-chan struct{}) {
		resumes <- readHello(t, ws).Resume
		switch n {
		case 1:
			writeEvents(t, ws, welcomeFrame("e1", 10, false), unpinEvent(11), unpinEvent(12))
			pong := encode(protocol.TypePong, 0, nil)
			writeEvents(t, ws, unpinEvent(12), unpinEvent(11), pong, unpinEvent(14), unpinEvent(15))
			_, _, _ = ws.ReadMessage() // until the client hangs up
		case 2:
			writeEvents(t, ws, welcomeFrame("e1", 12, true), unpinEvent(12), unpinEvent(13))
			writeEvents(t, ws, unpinEvent(14), unpinEvent(15))
			_, _, _ = ws.ReadMessage() // answers the client's close when it leaves
		}
	})
	s := startSession(t, client.SessionOptions{Options: client.Options{URL: url}, MinBackoff: time.Millisecond})

	expect(t, s, client.UpdateConnecting)
	if u := expect(t, s, client.UpdateSnapshot); u.Seq != 10 || u.Missed {
		t.Fatalf("snapshot = %+v", u)
	}
	var got []protocol.Envelope
	for len(got) < 3 {
		got = append(got, expect(t, s, client.UpdateEvents).Events...)
	}
	if g := seqs(got); len(g) != 3 || g[0] != 11 || g[1] != 12 || g[2] != 0 || got[2].Type != protocol.TypePong {
		t.Fatalf("first connection delivered seqs %v, want [11 12 0(pong)]", g)
	}
	expect(t, s, client.UpdateWaiting)
	expect(t, s, client.UpdateConnecting)
	if u := expect(t, s, client.UpdateResumed); u.Seq != 12 {
		t.Fatalf("resumed at %d, want 12", u.Seq)
	}
	got = nil
	for len(got) < 3 {
		got = append(got, expect(t, s, client.UpdateEvents).Events...)
	}
	if g := seqs(got); len(g) != 3 || g[0] != 13 || g[1] != 14 || g[2] != 15 {
		t.Fatalf("after resuming got seqs %v, want [13 14 15]", g)
	}
	if first, second := <-resumes, <-resumes; first != nil || second == nil || *second != (protocol.Resume{Epoch: "e1", Seq: 12}) {
		t.Fatalf("resumes = %v, %v; want none, then e1 after 12", first, second)
	}
	if st := s.Stats(); st.Gaps != 1 || st.Duplicates != 3 || st.Connections != 2 {
		t.Fatalf("stats = %+v, want 1 gap, 3 duplicates, 2 connections", st)
	}
}

// A server that stops answering (no FIN, no pongs) is given up on within two
// ping periods.
func TestSessionNoticesSilentLink(t *testing.T) {
	url := startScripted(t, func(n int, ws *websocket.Conn, stop <-chan struct{}) {
		readHello(t, ws)
		writeEvents(t, ws, welcomeFrame("e1", 1, false))
		if n == 1 {
			<-stop // neither read (so pings go unanswered) nor write
		}
	})
	const period = 100 * time.Millisecond
	s := startSession(t, client.SessionOptions{
		Options: client.Options{URL: url}, PingPeriod: period, MinBackoff: time.Hour,
	})
	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)
	start := time.Now()
	w := expect(t, s, client.UpdateWaiting)
	took := time.Since(start)
	var ce *client.CloseError
	if !errors.As(w.Err, &ce) || ce.Code != protocol.CloseHeartbeat {
		t.Fatalf("err = %v, want the heartbeat close", w.Err)
	}
	if took > 2*period+period/2 {
		t.Fatalf("silence noticed after %s, want within two ping periods (%s)", took, 2*period)
	}
}

// closeWithin closes s and fails if that takes longer than waitFor.
func closeWithin(t *testing.T, s *client.Session) {
	t.Helper()
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(waitFor):
		t.Fatal("Close still waiting")
	}
}

// Close ends the session wherever it is: dialing a server that never
// answers, or waiting out a long backoff.
func TestSessionCloseEndsEverything(t *testing.T) {
	t.Run("while dialing", func(t *testing.T) {
		greeted := make(chan struct{}, 1)
		url := startScripted(t, func(_ int, ws *websocket.Conn, stop <-chan struct{}) {
			readHello(t, ws)
			greeted <- struct{}{}
			<-stop // no welcome, ever
		})
		s := client.StartSession(context.Background(), client.SessionOptions{
			Options: client.Options{URL: url, HandshakeTimeout: time.Hour},
		})
		<-greeted
		closeWithin(t, s)
		drainEnd(t, s)
		s.Close() // idempotent
	})
	t.Run("while waiting", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		s := client.StartSession(context.Background(), client.SessionOptions{
			Options: client.Options{URL: "ws://" + addr + "/ws"}, MinBackoff: time.Hour, MaxBackoff: time.Hour,
			Rand: func() float64 { return 0.5 },
		})
		expect(t, s, client.UpdateConnecting)
		expect(t, s, client.UpdateWaiting)
		closeWithin(t, s)
		drainEnd(t, s)
	})
	t.Run("when the context ends", func(t *testing.T) {
		_, url := startShow(t)
		ctx, cancel := context.WithCancel(context.Background())
		s := client.StartSession(ctx, client.SessionOptions{Options: client.Options{URL: url}})
		defer s.Close()
		expect(t, s, client.UpdateConnecting)
		expect(t, s, client.UpdateSnapshot)
		cancel()
		drainEnd(t, s)
	})
}
