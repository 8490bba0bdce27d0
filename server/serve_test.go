package server

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// serveLoopback runs a server for the test catalog with Serve on a
// loopback port. cancel ends Serve, which then sends its result on served.
func serveLoopback(t *testing.T) (addr string, cancel func(), served <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	result := make(chan error, 1)
	go func() { result <- s.Serve(ctx, ln) }()
	return ln.Addr().String(), cancel, result
}

func TestServeShutsDownOnCancel(t *testing.T) {
	addr, cancel, served := serveLoopback(t)
	base := "http://" + addr
	a := dial(t, base, "a", "")
	b := dial(t, base, "b", "")
	if resp, body := get(t, base, "/healthz"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}

	cancel()
	expectClose(t, a.ws, protocol.CloseGoingAway)
	expectClose(t, b.ws, protocol.CloseGoingAway)
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v, want nil", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Serve did not return")
	}
	d := websocket.Dialer{HandshakeTimeout: waitFor}
	if ws, _, err := d.Dial(wsURL(base), nil); err == nil {
		ws.Close()
		t.Fatal("dialed a stopped server")
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	s, ts := startServer(t)
	a := dial(t, ts.URL, "a", "")
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(s.Close)
	}
	expectClose(t, a.ws, protocol.CloseGoingAway)
	wg.Wait()
	s.Close()

	// A closed server refuses new sockets before upgrading them.
	d := websocket.Dialer{HandshakeTimeout: waitFor}
	ws, resp, err := d.Dial(wsURL(ts.URL), nil)
	if err == nil {
		ws.Close()
		t.Fatal("closed server accepted a socket")
	}
	if resp == nil || resp.StatusCode != 503 {
		t.Fatalf("closed server: %v, %+v", err, resp)
	}
}

// TestServeDoesNotWaitForSilentConnections: a connection that never sends
// a request (a browser's spare, pre-opened one) must not hold shutdown up
// until the shutdown deadline.
func TestServeDoesNotWaitForSilentConnections(t *testing.T) {
	addr, cancel, served := serveLoopback(t)
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// The server has accepted it once it answers a request on another.
	if resp, _ := get(t, "http://"+addr, "/healthz"); resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v", err)
		}
	case <-time.After(shutdownWait / 2):
		t.Fatal("Serve waited for a connection that never sent a request")
	}
}
