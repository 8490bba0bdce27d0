package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/show"
)

// seen is what an observer has noticed of the show so far.
type seen struct {
	pins       map[string]bool // products pinned over time
	audience   map[string]bool // names of viewers who chatted
	hostLines  int
	maxViewers int
	lines      int
	sales      int                        // stock decreases
	ids        map[string]map[string]bool // chatting viewer name -> identity IDs
	hostNamed  bool                       // a host line named a catalog product
}

// oneIdentityEach reports whether every chatting viewer has kept one
// identity, whatever its leaving and coming back.
func (s *seen) oneIdentityEach() bool {
	for _, ids := range s.ids {
		if len(ids) > 1 {
			return false
		}
	}
	return true
}

// observe dials a plain viewer and reads the show until done says it has
// seen enough, failing the test if that takes longer than limit.
func observe(t *testing.T, url string, limit time.Duration, done func(*seen) bool) *seen {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	conn, err := client.Dial(ctx, client.Options{URL: url, Name: "observer"})
	if err != nil {
		t.Fatalf("observer: %v", err)
	}
	defer conn.Close()
	st, _ := show.FromWelcome(conn.Welcome())
	s := &seen{pins: map[string]bool{}, audience: map[string]bool{}, ids: map[string]map[string]bool{}, maxViewers: st.Viewers}
	note := func() {
		if p, _, ok := st.Pinned(); ok {
			s.pins[p.ID] = true
		}
		s.maxViewers = max(s.maxViewers, st.Viewers)
	}
	note()
	for !done(s) {
		select {
		case envs, ok := <-conn.Events():
			if !ok {
				t.Fatalf("observer lost the show: %v", conn.Err())
			}
			for _, env := range envs {
				ch, err := st.Apply(env)
				if err != nil {
					t.Fatalf("bad event %s: %v", env.Type, err)
				}
				switch ch.Kind {
				case show.KindChat:
					s.lines++
					switch a := ch.Line.Author; {
					case a.Role == protocol.RoleHost:
						s.hostLines++
						for _, p := range st.Catalog() {
							s.hostNamed = s.hostNamed || strings.Contains(ch.Line.Text, p.Name)
						}
					case a.ID != st.You.ID:
						s.audience[a.Name] = true
						if s.ids[a.Name] == nil {
							s.ids[a.Name] = map[string]bool{}
						}
						s.ids[a.Name][a.ID] = true
					}
				case show.KindProduct:
					if p, ok := st.Product(ch.ProductID); ok && p.Stock() < ch.Before.Stock() {
						s.sales++
					}
				}
			}
			note()
		case <-ctx.Done():
			t.Fatalf("after %v the observer has seen only %+v", limit, *s)
		}
	}
	return s
}

func lively(s *seen) bool {
	return len(s.pins) >= 2 && len(s.audience) >= 3 && s.hostLines >= 1 && s.maxViewers >= 8
}

// showConfig is the demo show with the token the host bot uses.
func showConfig(t *testing.T) server.Config {
	t.Helper()
	return server.Config{Catalog: showtest.Catalog(t, Catalog()), HostToken: "demo-test-host-token"}
}

// runDemo starts Run and returns a function that stops it and checks that
// it returned nil promptly.
func runDemo(t *testing.T, cfg Config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ret := make(chan error, 1)
	go func() { ret <- Run(ctx, cfg) }()
	return func() {
		t.Helper()
		cancel()
		select {
		case err := <-ret:
			if err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
	}
}

func TestShowComesAlive(t *testing.T) {
	running := showtest.Start(t, showConfig(t))
	srv := running.Server
	var dials atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dials.Add(1)
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	url := wsURL(hs.URL)

	const audience = 8
	stop := runDemo(t, Config{URL: url, HostToken: "demo-test-host-token", Audience: audience, Seed: 42, Pace: 0.01})
	// Past one dial per bot and the observer's, a viewer left and came
	// back.
	rejoined := func() bool { return dials.Load() > audience+2 }
	s := observe(t, url, 10*time.Second, func(s *seen) bool {
		return lively(s) && s.hostNamed && s.sales > 0 && rejoined()
	})
	stop()
	if !s.oneIdentityEach() {
		t.Errorf("a viewer came back as someone else: %v", s.ids)
	}
	t.Logf("seen %d lines, %d pinned products, %d chatting viewers, up to %d viewers, %d sales",
		s.lines, len(s.pins), len(s.audience), s.maxViewers, s.sales)

	// Every bot hung up when Run returned, so only the observer, now gone,
	// was ever left: the server's count goes back to zero.
	deadline := time.After(5 * time.Second)
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for srv.Viewers() != 0 {
		select {
		case <-poll.C:
		case <-deadline:
			t.Fatalf("%d viewers still connected after Run returned", srv.Viewers())
		}
	}
}

// A restarting server drops every bot; they come back on their own.
func TestBotsReconnectAfterRestart(t *testing.T) {
	running := showtest.Start(t, showConfig(t))
	url := running.WS
	stopDemo := runDemo(t, Config{URL: url, HostToken: "demo-test-host-token", Audience: 8, Seed: 7, Pace: 0.01})
	defer stopDemo()
	observe(t, url, 10*time.Second, lively)
	running.Stop()

	defer showtest.StartAt(t, running.Addr, showConfig(t)).Stop()
	// The new server starts empty: a pin and a full audience can only come
	// from bots that reconnected.
	observe(t, url, 15*time.Second, func(s *seen) bool {
		return len(s.pins) >= 1 && len(s.audience) >= 3 && s.hostLines >= 1 && s.maxViewers >= 8
	})
}

// TestNoHostLeavesTheHostToAPerson: with NoHost the audience comes and
// chats, but nothing is pinned and no host line is said.
func TestNoHostLeavesTheHostToAPerson(t *testing.T) {
	running := showtest.Start(t, showConfig(t))
	stop := runDemo(t, Config{URL: running.WS, HostToken: "demo-test-host-token", Audience: 6, Seed: 3, Pace: 0.01, NoHost: true})
	defer stop()
	s := observe(t, running.WS, 10*time.Second, func(s *seen) bool { return len(s.audience) >= 4 && s.lines >= 12 })
	if s.hostLines != 0 || len(s.pins) != 0 {
		t.Fatalf("with NoHost the show had %d host lines and pins %v", s.hostLines, s.pins)
	}
}

// newServer is the demo show's server, not yet serving: for tests that
// put their own handler in front of it.
func newServer(t *testing.T) *server.Server {
	t.Helper()
	srv, err := server.New(showConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// wsURL is the show's WebSocket URL on an httptest server.
func wsURL(httpURL string) string { return "ws" + strings.TrimPrefix(httpURL, "http") + "/ws" }
