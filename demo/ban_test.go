package demo

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

const banToken = "demo-test-host-token"

// hostConn dials the show as its host and fails the test if the token is
// not taken.
func hostConn(t *testing.T, url string) *client.Conn {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: banToken})
	if err != nil {
		t.Fatalf("host: %v", err)
	}
	if w, _ := c.Welcome(); w.You.Role != protocol.RoleHost {
		t.Fatal("the host token was not taken")
	}
	return c
}

// nextChat returns the next viewer's chat line the host sees, failing at
// the deadline.
func nextChat(t *testing.T, c *client.Conn, deadline <-chan time.Time) protocol.Chat {
	t.Helper()
	for {
		select {
		case envs, ok := <-c.Events():
			if !ok {
				t.Fatalf("the host lost the show: %v", c.Err())
			}
			for _, env := range envs {
				if env.Type != protocol.TypeChat {
					continue
				}
				line, err := protocol.Decode[protocol.Chat](env)
				if err != nil {
					t.Fatal(err)
				}
				if line.Author.Role == protocol.RoleViewer {
					return line
				}
			}
		case <-deadline:
			t.Fatal("no viewer's chat line in time")
		}
	}
}

// TestBannedBotGivesUp: a viewer bot the host bans over the protocol stops
// on the close code: it neither comes back as the same viewer (which the
// server would refuse) nor as a new one.
func TestBannedBotGivesUp(t *testing.T) {
	srv := newServer(t)
	var dials atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dials.Add(1)
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	defer srv.Close()
	url := wsURL(hs.URL)
	host := hostConn(t, url)
	defer host.Close()

	// At real pace the first viewer chats within two seconds of the start
	// and neither leaves nor drops before the opening's thirty seconds are
	// over: every dial after its first is a comeback.
	cfg := Config{URL: url, Pace: 1, Logger: slog.New(slog.DiscardHandler)}
	script := audienceScripts(1, 1)[0]
	b := &bot{cfg: cfg, start: time.Now(), name: script.Name, clientID: client.NewClientID(), log: cfg.Logger}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		runViewer(ctx, newViewerBot(b, script, 1, nil))
	}()

	deadline := time.After(20 * time.Second)
	line := nextChat(t, host, deadline)
	if err := host.Send(protocol.TypeBan, protocol.Ban{UserID: line.Author.ID}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-deadline:
		t.Fatal("the banned bot is still in the show")
	}
	if n := dials.Load(); n != 2 {
		t.Fatalf("%d dials, want 2 (the host's and the bot's first): the banned bot came back", n)
	}
}

// goneLog is a slog handler that reports, on its channel, each bot that
// logs leaving the show for good.
type goneLog struct {
	gone chan<- string
	bot  string // from the logger's "bot" attribute
}

func (h goneLog) Enabled(context.Context, slog.Level) bool { return true }

func (h goneLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "closed for good, leaving the show" || r.Message == "giving up on the show" {
		select {
		case h.gone <- h.bot:
		default: // the test has what it waits for
		}
	}
	return nil
}

func (h goneLog) WithAttrs(as []slog.Attr) slog.Handler {
	for _, a := range as {
		if a.Key == "bot" {
			h.bot = a.Value.String()
		}
	}
	return h
}

func (h goneLog) WithGroup(string) slog.Handler { return h }

// TestBannedViewerStaysOut: in a running demo, the host bans a viewer who
// chatted; that viewer leaves for good and says nothing more in the show,
// under its identity or its name, while the rest of the audience talks on.
func TestBannedViewerStaysOut(t *testing.T) {
	srv := newServer(t)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	url := wsURL(hs.URL)
	host := hostConn(t, url)
	defer host.Close()

	gone := make(chan string, 64)
	stop := runDemo(t, Config{URL: url, HostToken: banToken, Audience: 6, Seed: 11, Pace: 0.01, NoHost: true, Logger: slog.New(goneLog{gone: gone})})
	defer stop()

	deadline := time.After(20 * time.Second)
	banned := nextChat(t, host, deadline)
	if err := host.Send(protocol.TypeBan, protocol.Ban{UserID: banned.Author.ID}); err != nil {
		t.Fatal(err)
	}
	// Lines the bot said before the ban may still be on their way. Once it
	// has left, the server answers a ping after everything published
	// before it: past the pong, the banned viewer may say nothing.
	for left, synced := false, false; !synced; {
		select {
		case bot := <-gone:
			if !left && bot == banned.Author.Name {
				left = true
				if err := host.Send(protocol.TypePing, nil); err != nil {
					t.Fatal(err)
				}
			}
		case envs, ok := <-host.Events():
			if !ok {
				t.Fatalf("the host lost the show: %v", host.Err())
			}
			for _, env := range envs {
				synced = synced || left && env.Type == protocol.TypePong
			}
		case <-deadline:
			t.Fatalf("the banned viewer %s did not leave", banned.Author.Name)
		}
	}
	for range 30 {
		line := nextChat(t, host, deadline)
		if line.Author.ID == banned.Author.ID || line.Author.Name == banned.Author.Name {
			t.Fatalf("the banned viewer %s is back: %q", banned.Author.Name, line.Text)
		}
	}
}

// TestBotBannedWhileAwayStaysOut: a bot is the same viewer each time it
// joins, so a ban that lands while it is away (between leaving and coming
// back) keeps it out: its next join is refused and it gives up.
func TestBotBannedWhileAwayStaysOut(t *testing.T) {
	srv := newServer(t)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	url := wsURL(hs.URL)
	host := hostConn(t, url)
	defer host.Close()

	cfg := Config{URL: url, Pace: 1, Logger: slog.New(slog.DiscardHandler)}
	b := &bot{cfg: cfg, start: time.Now(), name: "Nina", clientID: client.NewClientID(), log: cfg.Logger}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := b.connect(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := conn.Welcome()
	conn.Close()
	again, err := b.connect(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if w2, _ := again.Welcome(); w2.You.ID != w.You.ID {
		t.Fatalf("the bot came back as %s, was %s", w2.You.ID, w.You.ID)
	}
	again.Close()

	if err := host.Send(protocol.TypeBan, protocol.Ban{UserID: w.You.ID}); err != nil {
		t.Fatal(err)
	}
	// The server has the ban once it answers a later ping.
	if err := host.Send(protocol.TypePing, nil); err != nil {
		t.Fatal(err)
	}
	for synced := false; !synced; {
		select {
		case envs, ok := <-host.Events():
			if !ok {
				t.Fatalf("the host lost the show: %v", host.Err())
			}
			for _, env := range envs {
				synced = synced || env.Type == protocol.TypePong
			}
		case <-ctx.Done():
			t.Fatal("no pong")
		}
	}
	if conn, err := b.connect(ctx, true); err == nil {
		w3, _ := conn.Welcome()
		conn.Close()
		t.Fatalf("the banned bot came back as %s", w3.You.ID)
	} else if !errors.Is(err, errHopeless) {
		t.Fatalf("connect after the ban: %v, want it to give up", err)
	}
}
