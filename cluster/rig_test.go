package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// The cluster tests run a NATS server with JetStream, an owner and edges
// in this process, each on its own loopback port and NATS connection,
// with viewers that are client.Sessions: the code `livecart serve
// --cluster` runs, without the processes.

const (
	hostToken = "cluster-test-host-token"
	// testBudget bounds the waits of one test.
	testBudget = 30 * time.Second
	// Test heartbeats: a dead edge is found in about a second. The ping
	// period leaves a pong the room a loaded race-enabled run needs.
	testPing        = time.Second
	testEdgeTimeout = time.Second
	testLostAfter   = 600 * time.Millisecond
)

// testLog is the rigs' log: LIVECART_TEST_LOG=1 shows it.
func testLog() *slog.Logger {
	if os.Getenv("LIVECART_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// rig is one show's cluster.
type rig struct {
	t    *testing.T
	nats *NATS
	dir  string // the owner's orders file lives here
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	n, err := StartNATS("127.0.0.1:0", filepath.Join(dir, "nats"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Stop)
	return &rig{t: t, nats: n, dir: dir}
}

// showConfig is the demo show with a host token and no rate limits in the
// host's way.
func (r *rig) showConfig() server.Config {
	unlimited := server.Rate{PerSecond: math.Inf(1), Burst: 1000}
	return server.Config{
		Catalog: showtest.Catalog(r.t, demo.Catalog()), HostToken: hostToken,
		ChatRate: unlimited, CommandRate: unlimited, RateStrikes: -1, ChatCap: -1,
		MaxConnsPerIP: -1, PingPeriod: testPing, OrdersFile: filepath.Join(r.dir, "orders.jsonl"),
		Logger: testLog().With("node", "owner"),
	}
}

// node is an owner or an edge serving on loopback.
type node struct {
	addr string
	ws   string
	ln   *trackedListener
	stop context.CancelFunc
	done chan error
}

// wait returns what Serve returned.
func (n *node) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-n.done:
		n.done <- err
		return err
	case <-time.After(testBudget):
		t.Fatal("node did not stop")
		return nil
	}
}

// shutdown stops the node as a signal would, and waits.
func (n *node) shutdown(t *testing.T) error {
	t.Helper()
	n.stop()
	return n.wait(t)
}

// kill cuts every socket of the node at once, as a killed process's would
// be, then lets its goroutines end.
func (n *node) kill(t *testing.T) {
	t.Helper()
	n.ln.cutAll()
	n.stop()
	n.wait(t)
}

func serveNode(t *testing.T, addr string, serve func(context.Context, net.Listener) error) *node {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tl := &trackedListener{Listener: ln, conns: make(map[net.Conn]struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{addr: ln.Addr().String(), ln: tl, stop: cancel, done: make(chan error, 1)}
	n.ws = "ws://" + n.addr + "/ws"
	go func() { n.done <- serve(ctx, tl) }()
	t.Cleanup(func() { cancel(); <-n.done; n.done <- nil })
	return n
}

// owner starts an owner of cfg's show on addr ("127.0.0.1:0" for any).
func (r *rig) owner(addr string, cfg server.Config) (*Owner, *node) {
	r.t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		r.t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	cfg.PublicURL = "http://" + addr
	o, err := NewOwner(context.Background(), OwnerConfig{NATS: r.nats.URL(), Show: cfg, EdgeTimeout: testEdgeTimeout, Logger: cfg.Logger})
	if err != nil {
		r.t.Fatalf("new owner: %v", err)
	}
	return o, serveNode(r.t, addr, o.Serve)
}

// edge starts an edge of the demo show.
func (r *rig) edge(name string, edit ...func(*EdgeConfig)) (*Edge, *node) {
	r.t.Helper()
	cfg := EdgeConfig{
		NATS: r.nats.URL(), ShowID: showtest.Catalog(r.t, demo.Catalog()).Show.ID,
		LostAfter: testLostAfter, MaxConnsPerIP: -1, PingPeriod: testPing, Logger: testLog().With("node", name),
	}
	for _, f := range edit {
		f(&cfg)
	}
	e, err := NewEdge(context.Background(), cfg)
	if err != nil {
		r.t.Fatalf("new edge: %v", err)
	}
	return e, serveNode(r.t, "127.0.0.1:0", e.Serve)
}

// trackedListener keeps every connection it accepted, so a test can cut
// them all as a dying process would.
type trackedListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	cut   bool
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cut {
		c.Close()
		return nil, errors.New("listener cut")
	}
	l.conns[c] = struct{}{}
	return c, nil
}

func (l *trackedListener) cutAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cut = true
	l.Listener.Close()
	for c := range l.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // a reset, as the kernel sends for a killed process
		}
		c.Close()
	}
}

// host connects the show's host to the owner.
func host(t *testing.T, ws string) *client.Conn {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{URL: ws, Name: "host", Token: hostToken})
	if err != nil {
		t.Fatalf("host dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		for range c.Events() {
		}
	}()
	return c
}

func say(t *testing.T, c *client.Conn, text string) {
	t.Helper()
	if err := c.Send(protocol.TypeSay, protocol.Say{Text: text}); err != nil {
		t.Fatalf("say %q: %v (the connection ended with: %v)", text, err, c.Err())
	}
}

// viewer is a session that keeps every show event it applied, by seq,
// and the updates other than events.
type viewer struct {
	name string
	s    *client.Session
	done chan struct{}

	mu      sync.Mutex
	changed chan struct{}
	events  map[uint64]string // seq -> type and data
	first   uint64            // the first welcome's seq
	kinds   []client.Update
	chats   map[string]bool
	unicast []string // type and data of each event for this viewer alone
}

func watch(t *testing.T, name string, urls ...string) *viewer {
	t.Helper()
	return watchAs(t, name, "", urls...)
}

// watchAs is watch for a client ID of the test's choosing ("" for none).
func watchAs(t *testing.T, name, clientID string, urls ...string) *viewer {
	t.Helper()
	s := client.StartSession(context.Background(), client.SessionOptions{
		URLs: urls, Options: client.Options{Name: name, ClientID: clientID, HandshakeTimeout: 2 * time.Second},
		PingPeriod: testPing, MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, ServerBackoff: 100 * time.Millisecond,
	})
	v := &viewer{name: name, s: s, done: make(chan struct{}), changed: make(chan struct{}), events: make(map[uint64]string), chats: make(map[string]bool)}
	go func() {
		defer close(v.done)
		for u := range s.Updates() {
			v.add(u)
		}
	}()
	t.Cleanup(func() { s.Close(); <-v.done })
	return v
}

func (v *viewer) add(u client.Update) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch u.Kind {
	case client.UpdateEvents:
		for _, env := range u.Events {
			if env.Seq == 0 {
				v.unicast = append(v.unicast, string(env.Type)+" "+string(env.Data))
				continue
			}
			v.events[env.Seq] = string(env.Type) + " " + string(env.Data)
			if env.Type == protocol.TypeChat {
				if c, err := protocol.Decode[protocol.Chat](env); err == nil {
					v.chats[c.Text] = true
				}
			}
		}
	case client.UpdateSnapshot:
		if v.first == 0 {
			v.first = u.Seq
		}
		u.Welcome = protocol.Welcome{Epoch: u.Welcome.Epoch, Resumed: u.Welcome.Resumed, Alternates: u.Welcome.Alternates, You: u.Welcome.You}
		v.kinds = append(v.kinds, u)
	default:
		u.Welcome = protocol.Welcome{Epoch: u.Welcome.Epoch, Resumed: u.Welcome.Resumed, Alternates: u.Welcome.Alternates, You: u.Welcome.You}
		u.Events = nil
		v.kinds = append(v.kinds, u)
	}
	close(v.changed)
	v.changed = make(chan struct{})
}

// waitFor waits until cond, called with v locked, holds.
func (v *viewer) waitFor(t *testing.T, deadline time.Time, what string, cond func() bool) {
	t.Helper()
	for {
		v.mu.Lock()
		ok, ch := cond(), v.changed
		v.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-v.done:
			t.Fatalf("%s: session ended before %s", v.name, what)
		case <-time.After(time.Until(deadline)):
			t.Fatalf("%s: no %s by the deadline; updates %v", v.name, what, v.summary())
		}
	}
}

func (v *viewer) waitChat(t *testing.T, deadline time.Time, text string) {
	t.Helper()
	v.waitFor(t, deadline, fmt.Sprintf("chat %q", text), func() bool { return v.chats[text] })
}

func (v *viewer) waitKind(t *testing.T, deadline time.Time, k client.UpdateKind, n int) client.Update {
	t.Helper()
	var got client.Update
	v.waitFor(t, deadline, fmt.Sprintf("%s #%d", k, n), func() bool {
		seen := 0
		for _, u := range v.kinds {
			if u.Kind == k {
				if seen++; seen == n {
					got = u
					return true
				}
			}
		}
		return false
	})
	return got
}

func (v *viewer) summary() []string {
	var out []string
	for _, u := range v.kinds {
		s := u.Kind.String()
		if u.Err != nil {
			s += "(" + u.Err.Error() + ")"
		}
		if u.URL != "" {
			s += "@" + u.URL
		}
		out = append(out, s)
	}
	return out
}

// sameAs checks that v holds exactly ref's events from its first
// welcome's seq to ref's last, with no gap, no duplicate and no
// snapshot after the first (every reconnection resumed).
func (v *viewer) sameAs(ref *viewer) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	ref.mu.Lock()
	defer ref.mu.Unlock()
	var last uint64
	for seq := range ref.events {
		last = max(last, seq)
	}
	for seq := v.first + 1; seq <= last; seq++ {
		want, inRef := ref.events[seq]
		got, ok := v.events[seq]
		switch {
		case !ok:
			return fmt.Errorf("%s: no event %d (first %d, last %d)", v.name, seq, v.first, last)
		case inRef && got != want:
			return fmt.Errorf("%s: event %d is %q, the reference has %q", v.name, seq, got, want)
		}
	}
	snapshots := 0
	for _, u := range v.kinds {
		if u.Kind == client.UpdateSnapshot {
			snapshots++
		}
	}
	st := v.s.Stats()
	if snapshots != 1 || st.Duplicates != 0 || st.Gaps != 0 {
		return fmt.Errorf("%s: %d snapshots, %d duplicates, %d gaps; updates %v", v.name, snapshots, st.Duplicates, st.Gaps, v.summary())
	}
	return nil
}

// waitEdges waits until the owner knows the URLs of n edges, which its
// welcomes list as alternates.
func waitEdges(t *testing.T, o *Owner, n int) {
	t.Helper()
	deadline := time.Now().Add(testBudget)
	for len(o.edgeURLs("")) != n {
		if time.Now().After(deadline) {
			t.Fatalf("the owner knows edges %v, want %d", o.edgeURLs(""), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
