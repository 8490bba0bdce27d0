package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/livecart/livecart/protocol"
)

// Every connection goroutine and viewers timer must be gone once the
// servers are closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitFor bounds every wait on the server. It is a deadline for a
// condition, never a delay: a passing test waits only as long as the server
// takes.
const waitFor = 10 * time.Second

const testToken = "host-secret-token-7f3a"

// testCatalogJSON is small on purpose: the tests know every number in it.
const testCatalogJSON = `{
  "show": {"id": "test", "title": "Test Show", "host": "Maya"},
  "products": [
    {"id": "mug", "name": "Speckled Mug", "description": "Stoneware, 350 ml",
     "price": {"amount": 2400, "currency": "USD"},
     "variants": [{"id": "mug-blue", "name": "Blue", "stock": 5}, {"id": "mug-sand", "name": "Sand", "stock": 12}]},
    {"id": "tote", "name": "Canvas Tote", "price": {"amount": 1800, "currency": "USD"},
     "variants": [{"id": "tote-natural", "name": "Natural", "stock": 3}]},
    {"id": "candle", "name": "Soy Candle", "price": {"amount": 1250, "currency": "USD"},
     "variants": [{"id": "candle-small", "name": "8 oz", "stock": 10}, {"id": "candle-large", "name": "16 oz", "stock": 0}]}
  ]
}`

func testCatalog(t *testing.T) Catalog {
	t.Helper()
	c, err := ParseCatalog([]byte(testCatalogJSON))
	if err != nil {
		t.Fatalf("test catalog: %v", err)
	}
	return c
}

// startServer runs a server for the test catalog on httptest and closes it
// when the test ends.
func startServer(t *testing.T, opts ...func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	return startServerWith(t, nil, opts...)
}

// startServerWith is startServer with a hook to wrap the listener.
func startServerWith(t *testing.T, wrap func(net.Listener) net.Listener, opts ...func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	cfg := Config{Catalog: testCatalog(t), HostToken: testToken}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewUnstartedServer(s)
	if wrap != nil {
		ts.Listener = wrap(ts.Listener)
	}
	ts.Start()
	// Registered before any client, so it runs after the clients' own
	// cleanups have closed them.
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s, ts
}

// unlimited turns the rate limits off, for tests that flood on purpose.
func unlimited(c *Config) {
	c.ChatRate = Rate{PerSecond: math.Inf(1)}
	c.CommandRate = Rate{PerSecond: math.Inf(1)}
	c.OrderRate = Rate{PerSecond: math.Inf(1)}
	c.ChatCap = -1
}

func wsURL(httpURL string) string {
	return "ws" + strings.TrimPrefix(httpURL, "http") + "/ws"
}

// rawDial opens a WebSocket to the server without greeting it.
func rawDial(t *testing.T, httpURL string, header http.Header) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: waitFor}
	ws, resp, err := d.Dial(wsURL(httpURL), header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// client is a test's view of one connection, after its welcome.
type client struct {
	t          *testing.T
	ws         *websocket.Conn
	welcome    protocol.Welcome
	welcomeSeq uint64
	last       uint64              // seq of the last show event (or welcome) read
	queued     []protocol.Envelope // decoded from a frame, not yet read
}

// dial connects, says hello with name and token, and reads the welcome.
func dial(t *testing.T, httpURL, name, token string) *client {
	t.Helper()
	return dialHello(t, httpURL, protocol.Hello{Version: protocol.Version, Name: name, Token: token})
}

// dialHello connects, says hello and reads the welcome.
func dialHello(t *testing.T, httpURL string, hello protocol.Hello) *client {
	t.Helper()
	c := &client{t: t, ws: rawDial(t, httpURL, nil)}
	c.send(protocol.TypeHello, hello)
	env := c.next()
	if env.Type != protocol.TypeWelcome {
		t.Fatalf("first event is %s, want welcome", env.Type)
	}
	w, err := protocol.Decode[protocol.Welcome](env)
	if err != nil {
		t.Fatalf("welcome: %v", err)
	}
	c.welcome, c.welcomeSeq = w, env.Seq
	return c
}

// encode returns one command as the client would send it.
func encode(t *testing.T, typ protocol.Type, data any) string {
	t.Helper()
	b, err := protocol.Encode(typ, 0, time.Time{}, data)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (c *client) send(typ protocol.Type, data any) {
	c.t.Helper()
	c.sendRaw(encode(c.t, typ, data))
}

func (c *client) sendRaw(frame string) {
	c.t.Helper()
	if err := c.write(frame); err != nil {
		c.t.Fatal(err)
	}
}

// write sends one text frame; safe to call from a test's goroutines.
func (c *client) write(frame string) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(waitFor))
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// read returns the next event; safe to call from a test's goroutines.
func (c *client) read() (protocol.Envelope, error) {
	for len(c.queued) == 0 {
		_ = c.ws.SetReadDeadline(time.Now().Add(waitFor))
		_, frame, err := c.ws.ReadMessage()
		if err != nil {
			return protocol.Envelope{}, fmt.Errorf("read: %w", err)
		}
		envs, err := protocol.DecodeFrame(frame)
		if err != nil {
			return protocol.Envelope{}, fmt.Errorf("decode %q: %w", frame, err)
		}
		c.queued = envs
	}
	env := c.queued[0]
	c.queued = c.queued[1:]
	if env.Seq != 0 {
		c.last = env.Seq
	}
	return env, nil
}

func (c *client) next() protocol.Envelope {
	c.t.Helper()
	env, err := c.read()
	if err != nil {
		c.t.Fatal(err)
	}
	return env
}

// nextOf skips to the next event of type typ. Viewer counts in particular
// come and go with the other tests' connections.
func (c *client) nextOf(typ protocol.Type) protocol.Envelope {
	c.t.Helper()
	for {
		if env := c.next(); env.Type == typ {
			return env
		}
	}
}

// nextShowEvent skips viewer counts and unicast events.
func (c *client) nextShowEvent() protocol.Envelope {
	c.t.Helper()
	for {
		if env := c.next(); env.Seq != 0 && env.Type != protocol.TypeViewers {
			return env
		}
	}
}

// expectError reads the next error event and checks its code.
func (c *client) expectError(code string) protocol.Error {
	c.t.Helper()
	e, err := protocol.Decode[protocol.Error](c.nextOf(protocol.TypeError))
	if err != nil {
		c.t.Fatalf("error event: %v", err)
	}
	if e.Code != code {
		c.t.Fatalf("error %s (%q), want %s", e.Code, e.Message, code)
	}
	return e
}

// sync sends a ping and returns every event that arrived before the pong:
// the server applies one connection's commands in order, so everything this
// client sent before has then been applied.
func (c *client) sync() []protocol.Envelope {
	c.t.Helper()
	c.send(protocol.TypePing, nil)
	var before []protocol.Envelope
	for {
		env := c.next()
		if env.Type == protocol.TypePong {
			return before
		}
		before = append(before, env)
	}
}

// expectClose reads until the connection ends, checks it ended with a
// close frame carrying code, and returns that frame.
func expectClose(t *testing.T, ws *websocket.Conn, code int) *websocket.CloseError {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(waitFor))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("connection ended with %v, want close code %d", err, code)
		}
		if ce.Code != code {
			t.Fatalf("close code %d (%q), want %d", ce.Code, ce.Text, code)
		}
		return ce
	}
}

// signalHandler is a slog handler that reports each record with a given
// message on a channel, so a test can wait for the server to do something
// it logs.
type signalHandler struct {
	msg string
	ch  chan<- struct{}
}

func (h *signalHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *signalHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.ch <- struct{}{}:
		default:
		}
	}
	return nil
}

func (h *signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *signalHandler) WithGroup(string) slog.Handler      { return h }

// logRecord is what a test learns from one log record.
type logRecord struct {
	msg   string
	attrs map[string]any
	at    time.Time
}

// recordHandler is a slog handler that passes the records with one of the
// given messages on to a channel, so a test can wait for the server to do
// something and see what it said about it. It never blocks the server: a
// record that finds the channel full is dropped.
type recordHandler struct {
	msgs []string
	ch   chan logRecord
}

func newRecordHandler(msgs ...string) *recordHandler {
	return &recordHandler{msgs: msgs, ch: make(chan logRecord, 1024)}
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	if !slices.Contains(h.msgs, r.Message) {
		return nil
	}
	rec := logRecord{msg: r.Message, attrs: make(map[string]any), at: time.Now()}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.Any()
		return true
	})
	select {
	case h.ch <- rec:
	default:
	}
	return nil
}

func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

// await returns the next record with message msg about identity id.
func (h *recordHandler) await(t *testing.T, msg, id string) logRecord {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		select {
		case rec := <-h.ch:
			if rec.msg == msg && rec.attrs["id"] == id {
				return rec
			}
		case <-deadline.C:
			t.Fatalf("no %q logged for %s within %s", msg, id, waitFor)
		}
	}
}

// waitUntil waits for cond to hold, checking it every few milliseconds, and
// fails the test if it does not within waitFor. It is for state the server
// changes without telling anyone.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, waitFor)
		}
		<-tick.C
	}
}
