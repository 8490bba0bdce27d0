package server

import (
	"bytes"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// resume says hello with a resume and returns the client and its welcome's
// envelope.
func resume(t *testing.T, httpURL, name, token string, r protocol.Resume) *client {
	t.Helper()
	return dialHello(t, httpURL, protocol.Hello{Version: protocol.Version, Name: name, Token: token, Resume: &r})
}

// record reads c's events through the chat line with text until, and
// returns every show event it read by seq, with their seqs in order.
func record(t *testing.T, c *client, until string) (map[uint64]protocol.Envelope, []uint64) {
	t.Helper()
	byseq := make(map[uint64]protocol.Envelope)
	var order []uint64
	for {
		env := c.next()
		if env.Seq == 0 {
			continue
		}
		byseq[env.Seq] = env
		order = append(order, env.Seq)
		if env.Type == protocol.TypeChat {
			if line, _ := protocol.Decode[protocol.Chat](env); line.Text == until {
				return byseq, order
			}
		}
	}
}

func TestResumeReplaysWhatWasMissed(t *testing.T) {
	s, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")
	if ana.welcome.Epoch != s.Epoch() || !protocol.ValidID(s.Epoch()) || ana.welcome.Resumed {
		t.Fatalf("welcome epoch %q (server %q), resumed %v", ana.welcome.Epoch, s.Epoch(), ana.welcome.Resumed)
	}
	host.send(protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"})
	ana.nextOf(protocol.TypePin)
	last := ana.last
	ana.ws.Close()

	// What ana misses: chat, a sale (the stock it took and who bought),
	// a new pin, an unpin, and whatever viewer counts go out meanwhile.
	host.send(protocol.TypeSay, protocol.Say{Text: "one"})
	host.send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "mug-blue", Qty: 2}}})
	host.send(protocol.TypePin, protocol.Pin{ProductID: "tote", VariantID: "tote-natural"})
	host.send(protocol.TypeSay, protocol.Say{Text: "two"})
	host.send(protocol.TypeUnpin, protocol.Unpin{})
	host.send(protocol.TypeSay, protocol.Say{Text: "three"})
	want, _ := record(t, host, "three")

	back := resume(t, ts.URL, "ana", "", protocol.Resume{Epoch: s.Epoch(), Seq: last})
	w := back.welcome
	if !w.Resumed || back.welcomeSeq != last {
		t.Fatalf("resumed %v at seq %d, want true at %d", w.Resumed, back.welcomeSeq, last)
	}
	if w.Catalog != nil || w.Chat != nil || w.Pinned != nil {
		t.Errorf("a resumed welcome carries a snapshot: catalog %d, chat %d, pinned %+v", len(w.Catalog), len(w.Chat), w.Pinned)
	}
	if w.Epoch != s.Epoch() || w.You.Name != "ana" || w.You.Role != protocol.RoleViewer || w.Show.Host != "Maya" ||
		w.Checkout != ts.URL+"/cart/{items}?seen={total}" || w.Viewers < 1 {
		t.Errorf("resumed welcome = %+v", w)
	}

	// Then the missed events, then live ones, with no seq missing or
	// doubled, each exactly as everyone else got it.
	host.send(protocol.TypeSay, protocol.Say{Text: "live"})
	got, order := record(t, back, "live")
	live, _ := record(t, host, "live")
	maps.Copy(want, live)
	for i, seq := range order {
		if seq != last+1+uint64(i) {
			t.Fatalf("after resuming at %d the events have seqs %v", last, order)
		}
		g, w := got[seq], want[seq]
		if g.Type != w.Type || !bytes.Equal(g.Data, w.Data) || !g.TS.Equal(w.TS) {
			t.Errorf("seq %d: resumed client got %s %s, host got %s %s", seq, g.Type, g.Data, w.Type, w.Data)
		}
	}
	var types []string
	for _, seq := range order {
		if typ := got[seq].Type; typ != protocol.TypeViewers {
			types = append(types, string(typ))
		}
	}
	if want := "chat product purchase pin chat unpin chat chat"; strings.Join(types, " ") != want {
		t.Errorf("replayed and live events: %s, want %s", strings.Join(types, " "), want)
	}
}

func TestResumeAtTheCurrentSeqReplaysNothing(t *testing.T) {
	// Hosts only: no viewer joins, so no viewers event can slip in.
	s, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	host.send(protocol.TypeSay, protocol.Say{Text: "before"})
	host.sync()
	current := host.last

	again := resume(t, ts.URL, "", testToken, protocol.Resume{Epoch: s.Epoch(), Seq: current})
	if !again.welcome.Resumed || again.welcomeSeq != current {
		t.Fatalf("resumed %v at %d, want true at %d", again.welcome.Resumed, again.welcomeSeq, current)
	}
	host.send(protocol.TypeSay, protocol.Say{Text: "after"})
	// A host also gets its metrics, which have no seq.
	if env := again.nextShowEvent(); env.Seq != current+1 || env.Type != protocol.TypeChat {
		t.Fatalf("first event after the welcome: %s seq %d, want chat seq %d", env.Type, env.Seq, current+1)
	}
}

func TestResumeFallsBackToASnapshot(t *testing.T) {
	const history = 4
	s, ts := startServer(t, unlimited, func(c *Config) { c.History = history })
	host := dial(t, ts.URL, "", testToken)
	for i := range 2 * history {
		host.send(protocol.TypeSay, protocol.Say{Text: fmt.Sprint(i)})
	}
	host.sync()
	current := host.last

	other, err := New(Config{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if other.Epoch() == s.Epoch() {
		t.Fatalf("two servers share the epoch %q", s.Epoch())
	}

	cases := []struct {
		name    string
		r       protocol.Resume
		resumed bool
	}{
		{"oldest the history can replay", protocol.Resume{Epoch: s.Epoch(), Seq: current - history}, true},
		{"one further back", protocol.Resume{Epoch: s.Epoch(), Seq: current - history - 1}, false},
		{"from the start", protocol.Resume{Epoch: s.Epoch(), Seq: 0}, false},
		{"another server's epoch", protocol.Resume{Epoch: other.Epoch(), Seq: current}, false},
		{"a seq from the future", protocol.Resume{Epoch: s.Epoch(), Seq: current + 1}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := resume(t, ts.URL, "", testToken, tc.r)
			w := c.welcome
			if w.Resumed != tc.resumed {
				t.Fatalf("resumed = %v, want %v", w.Resumed, tc.resumed)
			}
			if w.Epoch != s.Epoch() {
				t.Errorf("epoch %q, want %q", w.Epoch, s.Epoch())
			}
			if !tc.resumed {
				if c.welcomeSeq != current || len(w.Catalog) != 3 || len(w.Chat) != 2*history {
					t.Errorf("snapshot at seq %d (want %d) with %d products and %d chat lines", c.welcomeSeq, current, len(w.Catalog), len(w.Chat))
				}
				return
			}
			for seq := tc.r.Seq + 1; seq <= current; seq++ {
				if env := c.next(); env.Seq != seq {
					t.Fatalf("replayed seq %d, want %d", env.Seq, seq)
				}
			}
		})
	}
}

// A resume that replays the whole history costs a few queue places, not
// one per event: here the queue holds 16 frames and 1024 events come back.
func TestLongReplayFitsTheQueue(t *testing.T) {
	const queue = 16
	s, ts := startServer(t, unlimited, func(c *Config) { c.SendQueue = queue })
	host := dial(t, ts.URL, "", testToken)
	text := strings.Repeat("x", protocol.MaxChatRunes)
	for sent := 0; sent < protocol.HistorySize; {
		var frame []string
		for ; len(frame) < 8 && sent < protocol.HistorySize; sent++ {
			frame = append(frame, encode(t, protocol.TypeSay, protocol.Say{Text: text}))
		}
		host.sendRaw(strings.Join(frame, "\n"))
		host.sync() // keeps the host's own queue short
	}
	if host.last != protocol.HistorySize {
		t.Fatalf("published %d events, want %d", host.last, protocol.HistorySize)
	}

	ws := rawDial(t, ts.URL, nil)
	hello := protocol.Hello{Version: protocol.Version, Token: testToken, Resume: &protocol.Resume{Epoch: s.Epoch(), Seq: 0}}
	if err := ws.WriteMessage(websocket.TextMessage, []byte(encode(t, protocol.TypeHello, hello))); err != nil {
		t.Fatal(err)
	}
	want := uint64(1)
	frames := 0
	for want <= protocol.HistorySize {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after %d frames and %d events: %v", frames, want-1, err)
		}
		frames++
		if len(frame) > 2*batchBytes {
			t.Errorf("frame %d is %d bytes", frames, len(frame))
		}
		envs, err := protocol.DecodeFrame(frame)
		if err != nil {
			t.Fatal(err)
		}
		for _, env := range envs {
			if env.Type == protocol.TypeMetrics {
				continue // a host's, unicast
			}
			if env.Type == protocol.TypeWelcome {
				if w, _ := protocol.Decode[protocol.Welcome](env); !w.Resumed {
					t.Fatal("not resumed")
				}
				continue
			}
			if env.Seq != want {
				t.Fatalf("event seq %d, want %d", env.Seq, want)
			}
			want++
		}
	}
	t.Logf("%d events (%d KiB) replayed in %d frames", protocol.HistorySize, protocol.HistorySize*len(text)/1024, frames)
	if frames > queue {
		t.Errorf("%d frames for the replay", frames)
	}
}

func TestChunkKeepsEventsWholeAndInOrder(t *testing.T) {
	var events [][]byte
	for i := range 50 {
		events = append(events, bytes.Repeat([]byte{byte('a' + i%26)}, 10+i))
	}
	frames := chunk(events, 100)
	var rejoined [][]byte
	for _, f := range frames {
		if len(f) > 100 {
			t.Errorf("frame of %d bytes over the limit of 100", len(f))
		}
		rejoined = append(rejoined, bytes.Split(f, newline)...)
	}
	if len(rejoined) != len(events) {
		t.Fatalf("%d events came back out of %d", len(rejoined), len(events))
	}
	for i := range events {
		if !bytes.Equal(rejoined[i], events[i]) {
			t.Fatalf("event %d changed", i)
		}
	}
	if big := chunk([][]byte{bytes.Repeat([]byte{'x'}, 300), {'y'}}, 100); len(big) != 2 || len(big[0]) != 300 {
		t.Fatalf("an event over the limit: %d frames", len(big))
	}
}
