package server

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// TestEndSaysTheShowIsOver: End closes every connection, host and viewers,
// with the show-ended code, and a later upgrade is refused with 410 Gone
// rather than asked to come back.
func TestEndSaysTheShowIsOver(t *testing.T) {
	s, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")

	s.End()
	expectClose(t, host.ws, protocol.CloseShowEnded)
	expectClose(t, ana.ws, protocol.CloseShowEnded)

	d := websocket.Dialer{HandshakeTimeout: waitFor}
	ws, resp, err := d.Dial(wsURL(ts.URL), nil)
	if err == nil {
		ws.Close()
		t.Fatal("an ended show accepted a socket")
	}
	if resp == nil || resp.StatusCode != http.StatusGone || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("ended show: %v, %+v; want 410 without Retry-After", err, resp)
	}
	s.End() // a second End, and a Close after it, change nothing
	s.Close()
}

// TestEndThenServeStops: a show run by Serve is ended by End and then
// stopped by its context; the connections hear that the show ended, not
// that the server is restarting.
func TestEndThenServeStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	a := dial(t, "http://"+ln.Addr().String(), "a", "")

	s.End()
	cancel()
	expectClose(t, a.ws, protocol.CloseShowEnded)
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v, want nil", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Serve did not return")
	}
}

// TestEndAfterCloseIsARestart: once the server is closed, End comes too
// late to change what the connections were told.
func TestEndAfterCloseIsARestart(t *testing.T) {
	s, ts := startServer(t)
	a := dial(t, ts.URL, "a", "")
	s.Close()
	s.End()
	expectClose(t, a.ws, protocol.CloseGoingAway)
	d := websocket.Dialer{HandshakeTimeout: waitFor}
	if ws, resp, err := d.Dial(wsURL(ts.URL), nil); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		if ws != nil {
			ws.Close()
		}
		t.Fatalf("closed server: %v, %+v; want 503", err, resp)
	}
}
