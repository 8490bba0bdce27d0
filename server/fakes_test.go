package server

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
)

// clock is a server clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// withClock makes the server read time from c.
func withClock(c *clock) func(*Config) {
	return func(cfg *Config) { cfg.Now = c.Now }
}

// timers stands in for the server's deal timer: it records what the server
// asked for and fires only when the test says so.
type timers struct {
	mu      sync.Mutex
	pending []*fakeTimer
}

type fakeTimer struct {
	d    time.Duration
	f    func()
	done bool // fired or stopped
}

// fakeTimers makes s's deal timers fake ones.
func fakeTimers(s *Server) *timers {
	ts := &timers{}
	s.hub.mu.Lock()
	s.deals.after = ts.after
	s.hub.mu.Unlock()
	return ts
}

func (ts *timers) after(d time.Duration, f func()) func() bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ft := &fakeTimer{d: d, f: f}
	ts.pending = append(ts.pending, ft)
	return func() bool {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		stopped := !ft.done
		ft.done = true
		return stopped
	}
}

// armed returns the durations of the timers neither fired nor stopped.
func (ts *timers) armed() []time.Duration {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []time.Duration
	for _, ft := range ts.pending {
		if !ft.done {
			out = append(out, ft.d)
		}
	}
	return out
}

// fire runs every armed timer, as if its time had come.
func (ts *timers) fire() {
	ts.mu.Lock()
	var due []*fakeTimer
	for _, ft := range ts.pending {
		if !ft.done {
			ft.done = true
			due = append(due, ft)
		}
	}
	ts.mu.Unlock()
	for _, ft := range due {
		ft.f()
	}
}

// dialClient connects and says hello with a client ID.
func dialClient(t *testing.T, httpURL, name, clientID string) *client {
	t.Helper()
	return dialHello(t, httpURL, protocol.Hello{Version: protocol.Version, Name: name, ClientID: clientID})
}

// fastMetrics makes s send metrics every few milliseconds, so a test
// waits for the numbers it expects rather than for a second to pass.
func fastMetrics(s *Server) {
	s.hub.mu.Lock()
	s.feed.every = 5 * time.Millisecond
	s.hub.mu.Unlock()
}

// awaitMetrics reads the host's events until a metrics event satisfies ok.
func (c *client) awaitMetrics(ok func(protocol.Metrics) bool) protocol.Metrics {
	c.t.Helper()
	var last protocol.Metrics
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		m, err := protocol.Decode[protocol.Metrics](c.nextOf(protocol.TypeMetrics))
		if err != nil {
			c.t.Fatal(err)
		}
		if ok(m) {
			return m
		}
		last = m
	}
	c.t.Fatalf("no metrics as expected within %s; last %+v", waitFor, last)
	return last
}

// postOrder posts the checkout form to /orders with the given headers and
// returns the status and page.
func postOrder(t *testing.T, base string, form url.Values, header http.Header) (int, string) {
	t.Helper()
	status, body, err := tryPostOrder(base, form, header)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

// tryPostOrder is postOrder for a test's goroutines.
func tryPostOrder(base string, form url.Values, header http.Header) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/orders", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// order is the form the checkout page's button posts, with a key of its
// own.
func order(items, ref string) url.Values {
	v := url.Values{"items": {items}, "key": {newOrderKey()}}
	if ref != "" {
		v.Set("ref", ref)
	}
	return v
}

// decode decodes env's data, failing the test on error.
func decode[T any](t *testing.T, env protocol.Envelope) T {
	t.Helper()
	v, err := protocol.Decode[T](env)
	if err != nil {
		t.Fatalf("%s: %v", env.Type, err)
	}
	return v
}
