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
	"go.uber.org/goleak"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// toxiproxy's cutting toxics (reset_peer, limit_data, timeout) stop
		// reading a link once they close it, and the proxy goroutines still
		// feeding that link stay blocked for the life of the process. They
		// belong to the fault tests' tool, not to the code under test.
		goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2.(*ToxicLink).read"),
		goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2.(*ToxicLink).write"),
		goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2/toxics.(*ToxicStub).Run"),
	)
}

// plainConfig is the demo show with a host token and the default limits.
func plainConfig(t *testing.T) server.Config {
	t.Helper()
	return server.Config{Catalog: showtest.Catalog(t, demo.Catalog()), HostToken: "secret-host-token"}
}

// startShow runs a real show server on loopback and returns its URL.
func startShow(t *testing.T) (*server.Server, string) {
	t.Helper()
	show := showtest.Start(t, plainConfig(t))
	return show.Server, show.WS
}

func dial(t *testing.T, url, name, token string) *client.Conn {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{URL: url, Name: name, Token: token})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// next waits for the next event of type typ, failing after a deadline.
func next(t *testing.T, c *client.Conn, typ protocol.Type) protocol.Envelope {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case frame, ok := <-c.Events():
			if !ok {
				t.Fatalf("connection ended waiting for %s: %v", typ, c.Err())
			}
			for _, env := range frame {
				if env.Type == typ {
					return env
				}
			}
		case <-deadline:
			t.Fatalf("no %s event within 5s", typ)
		}
	}
}

func TestDialWelcomeAndChat(t *testing.T) {
	_, url := startShow(t)
	a := dial(t, url, "ana", "")
	b := dial(t, url, "bo", "")

	w, _ := a.Welcome()
	if w.You.Name != "ana" || w.You.Role != protocol.RoleViewer || len(w.Catalog) == 0 {
		t.Fatalf("welcome = %+v", w.You)
	}
	if err := a.Send(protocol.TypeSay, protocol.Say{Text: "hello show"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client.Conn{a, b} {
		env := next(t, c, protocol.TypeChat)
		chat, err := protocol.Decode[protocol.Chat](env)
		if err != nil || chat.Text != "hello show" || chat.Author.Name != "ana" {
			t.Fatalf("chat = %+v, %v", chat, err)
		}
	}
}

func TestDialHostToken(t *testing.T) {
	_, url := startShow(t)
	h := dial(t, url, "maya", "secret-host-token")
	if w, _ := h.Welcome(); w.You.Role != protocol.RoleHost {
		t.Fatalf("role = %s, want host", w.You.Role)
	}
}

func TestDialUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	_, err = client.Dial(context.Background(), client.Options{URL: "ws://" + addr + "/ws", Name: "x"})
	var de *client.DialError
	if !errors.As(err, &de) || !de.Retryable {
		t.Fatalf("err = %#v, want a retryable DialError", err)
	}
	if !strings.Contains(err.Error(), "cannot reach server") {
		t.Errorf("err = %q, want it to say the server cannot be reached", err)
	}
}

func TestDialNotAShow(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	defer hs.Close()
	_, err := client.Dial(context.Background(), client.Options{URL: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"})
	var de *client.DialError
	if !errors.As(err, &de) || de.Retryable || de.Status != http.StatusNotFound {
		t.Fatalf("err = %#v, want a final DialError with status 404", err)
	}
}

// A show server that does not answer to the name in the URL says so with
// 421; dialling it again under that name cannot help.
func TestDialMisdirected(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not this host", http.StatusMisdirectedRequest)
	}))
	defer hs.Close()
	_, err := client.Dial(context.Background(), client.Options{URL: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"})
	var de *client.DialError
	if !errors.As(err, &de) || de.Retryable || de.Status != http.StatusMisdirectedRequest || !strings.Contains(err.Error(), "--allowed-hosts") {
		t.Fatalf("err = %#v, want a final DialError with status 421 that says what to configure", err)
	}
}

func TestDialBadURL(t *testing.T) {
	for _, u := range []string{"http://x/ws", "ws://", "::", "file:///etc/passwd"} {
		if _, err := client.Dial(context.Background(), client.Options{URL: u}); err == nil {
			t.Errorf("Dial(%q) accepted", u)
		}
	}
}

// A server that closes during the handshake with a code that says "do not
// retry" must be reported as final, with the reason.
func TestDialRefusedVersion(t *testing.T) {
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		ws.ReadMessage() // the hello
		msg := websocket.FormatCloseMessage(protocol.CloseUnsupportedVersion, "version 1 not spoken")
		ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		ws.ReadMessage() // wait for the client's close
	}))
	defer hs.Close()
	_, err := client.Dial(context.Background(), client.Options{URL: "ws" + strings.TrimPrefix(hs.URL, "http")})
	var de *client.DialError
	if !errors.As(err, &de) || de.Retryable || de.Close != protocol.CloseUnsupportedVersion {
		t.Fatalf("err = %#v, want final DialError with close 4001", err)
	}
}

func TestServerShutdownEndsEvents(t *testing.T) {
	srv, url := startShow(t)
	c := dial(t, url, "ana", "")
	srv.Close()
	for range c.Events() {
	}
	var ce *client.CloseError
	if err := c.Err(); !errors.As(err, &ce) || ce.Code != protocol.CloseGoingAway {
		t.Fatalf("Err = %v, want close 1001", err)
	}
	if err := c.Send(protocol.TypeSay, protocol.Say{Text: "x"}); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("Send after end = %v, want ErrClosed", err)
	}
}

func TestCloseIsCleanAndIdempotent(t *testing.T) {
	_, url := startShow(t)
	c, err := client.Dial(context.Background(), client.Options{URL: url, Name: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c.Close()
	if err := c.Err(); err != nil {
		t.Fatalf("Err after Close = %v, want nil", err)
	}
	if _, ok := <-c.Events(); ok {
		// Draining is fine; the channel must end.
		for range c.Events() {
		}
	}
}

func TestSessionSendsClientID(t *testing.T) {
	if id := client.NewClientID(); !protocol.ValidID(id) || id == client.NewClientID() {
		t.Fatalf("NewClientID = %q: want a valid, fresh id", id)
	}
}
