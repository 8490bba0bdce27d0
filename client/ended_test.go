package client_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// countedShow is a real show on loopback that counts the WebSocket dials
// it gets.
type countedShow struct {
	srv   *server.Server
	url   string
	dials atomic.Int32
	stop  func() // closes the server (1001) and its listener
}

func startCountedShow(t *testing.T, ln net.Listener) *countedShow {
	t.Helper()
	cat, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Catalog: cat, HostToken: "secret-host-token"})
	if err != nil {
		t.Fatal(err)
	}
	cs := &countedShow{srv: srv}
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			cs.dials.Add(1)
		}
		srv.ServeHTTP(w, r)
	}))
	if ln != nil {
		hs.Listener.Close()
		hs.Listener = ln
	}
	hs.Start()
	cs.stop = sync.OnceFunc(func() { srv.Close(); hs.Close() })
	t.Cleanup(cs.stop)
	cs.url = "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
	return cs
}

// expectShowEnded waits for the session's last update, which must say the
// show has ended, and for the update channel to close: the session's loop
// has returned, so it dials no more.
func expectShowEnded(t *testing.T, s *client.Session) client.Update {
	t.Helper()
	u := skipTo(t, s, client.UpdateFailed)
	if !errors.Is(u.Err, client.ErrShowEnded) {
		t.Fatalf("failed with %v, want ErrShowEnded", u.Err)
	}
	if u.Err.Error() == "" || !strings.Contains(u.Err.Error(), "the show has ended") {
		t.Fatalf("reason %q does not say the show has ended", u.Err)
	}
	expectEnd(t, s)
	return u
}

// TestSessionShowEndedIsFinal: a show that ends tells its viewers so, and
// they stop: no dial after the one that was connected.
func TestSessionShowEndedIsFinal(t *testing.T) {
	show := startCountedShow(t, nil)
	s := startSession(t, client.SessionOptions{
		Options:    client.Options{URL: show.url, Name: "ana"},
		MinBackoff: time.Millisecond, ServerBackoff: time.Millisecond,
	})
	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)

	show.srv.End()
	u := expectShowEnded(t, s)
	var ce *client.CloseError
	if !errors.As(u.Err, &ce) || ce.Code != protocol.CloseShowEnded {
		t.Fatalf("failed with %v, want close %d", u.Err, protocol.CloseShowEnded)
	}
	if n := show.dials.Load(); n != 1 {
		t.Fatalf("%d dials, want 1: the session came back to an ended show", n)
	}
}

// TestSessionDialsAnEndedShow: a session that dials a show that has
// ended (it was waiting to reconnect, or started late) is told so by the
// refusal and does not try again.
func TestSessionDialsAnEndedShow(t *testing.T) {
	show := startCountedShow(t, nil)
	show.srv.End()
	s := startSession(t, client.SessionOptions{
		Options:    client.Options{URL: show.url, Name: "late"},
		MinBackoff: time.Millisecond, ServerBackoff: time.Millisecond,
	})
	expect(t, s, client.UpdateConnecting)
	u := expectShowEnded(t, s)
	var de *client.DialError
	if !errors.As(u.Err, &de) || de.Status != http.StatusGone || de.Retryable {
		t.Fatalf("failed with %#v, want a 410 that is not retryable", u.Err)
	}
	if n := show.dials.Load(); n != 1 {
		t.Fatalf("%d dials, want 1", n)
	}
}

// TestSessionRestartIsNotTheEnd: a server that goes away (1001) is waited
// for; when it is back on the same address the session joins it again.
func TestSessionRestartIsNotTheEnd(t *testing.T) {
	first := startCountedShow(t, nil)
	addr := strings.TrimSuffix(strings.TrimPrefix(first.url, "ws://"), "/ws")
	s := startSession(t, client.SessionOptions{
		Options:    client.Options{URL: first.url, Name: "ana"},
		MinBackoff: time.Millisecond, MaxBackoff: 50 * time.Millisecond, ServerBackoff: time.Millisecond,
	})
	expect(t, s, client.UpdateConnecting)
	expect(t, s, client.UpdateSnapshot)

	first.stop()
	w := skipTo(t, s, client.UpdateWaiting)
	var ce *client.CloseError
	if !errors.As(w.Err, &ce) || ce.Code != protocol.CloseGoingAway || errors.Is(w.Err, client.ErrShowEnded) {
		t.Fatalf("waiting with %v, want close 1001 that is not the end", w.Err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	second := startCountedShow(t, ln)
	for {
		u := nextUpdate(t, s)
		if u.Kind == client.UpdateFailed {
			t.Fatalf("gave up on a restarting server: %v", u.Err)
		}
		if u.Kind == client.UpdateSnapshot {
			if !u.Missed {
				t.Fatal("snapshot from the restarted server not marked Missed")
			}
			break
		}
	}
	if second.dials.Load() < 1 {
		t.Fatal("joined without dialling the new server")
	}
}

// TestShowEndedOnlyForItsCode: of all the close codes, only the show's end
// reads as ErrShowEnded.
func TestShowEndedOnlyForItsCode(t *testing.T) {
	for code := 1000; code <= 1015; code++ {
		if errors.Is(&client.CloseError{Code: code}, client.ErrShowEnded) {
			t.Errorf("close %d reads as the show's end", code)
		}
	}
	for code := 4000; code <= 4099; code++ {
		got := errors.Is(&client.CloseError{Code: code}, client.ErrShowEnded)
		if got != (code == protocol.CloseShowEnded) {
			t.Errorf("close %d: ErrShowEnded %v", code, got)
		}
	}
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden, http.StatusServiceUnavailable} {
		if errors.Is(&client.DialError{Status: status}, client.ErrShowEnded) {
			t.Errorf("HTTP %d reads as the show's end", status)
		}
	}
}
