package server

import (
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

func TestDeletedChatIsGoneForEveryone(t *testing.T) {
	_, ts := startServer(t, unlimited)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")
	bo := dial(t, ts.URL, "bo", "")
	ana.send(protocol.TypeSay, protocol.Say{Text: "rude"})
	ana.send(protocol.TypeSay, protocol.Say{Text: "kind"})
	rude := decode[protocol.Chat](t, bo.nextOf(protocol.TypeChat))
	bo.nextOf(protocol.TypeChat)

	host.send(protocol.TypeDeleteChat, protocol.DeleteChat{ID: rude.ID})
	env := bo.nextShowEvent()
	if got := decode[protocol.ChatDeleted](t, env); env.Type != protocol.TypeChatDeleted || !slices.Equal(got.IDs, []string{rude.ID}) {
		t.Fatalf("bo got %s %s, want chat_deleted of %s", env.Type, env.Data, rude.ID)
	}
	var texts []string
	for _, line := range dial(t, ts.URL, "late", "").welcome.Chat {
		texts = append(texts, line.Text)
	}
	if !slices.Equal(texts, []string{"kind"}) {
		t.Errorf("a later viewer's recent chat: %q", texts)
	}

	// A line pushed out of the recent chat may still be on screens.
	for range protocol.MaxRecentChat {
		host.send(protocol.TypeSay, protocol.Say{Text: "filler"})
	}
	host.sync()
	kindID := rude.ID[:len(rude.ID)-1] + "2" // c1 was rude, c2 kind
	host.send(protocol.TypeDeleteChat, protocol.DeleteChat{ID: kindID})
	if got := decode[protocol.ChatDeleted](t, bo.nextOf(protocol.TypeChatDeleted)); got.IDs[0] != kindID {
		t.Errorf("deleted %v, want %s", got.IDs, kindID)
	}
	for _, id := range []string{"nope", rude.ID[:len(rude.ID)-1] + "999", "other-c1"} {
		host.send(protocol.TypeDeleteChat, protocol.DeleteChat{ID: id})
		host.expectError(protocol.ErrCodeNotFound)
	}
}

func TestTimeoutMutesAndNotifies(t *testing.T) {
	clk := newClock()
	_, ts := startServer(t, withClock(clk))
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dial(t, ts.URL, "bo", "")

	host.send(protocol.TypeTimeout, protocol.Timeout{UserID: ana.welcome.You.ID, Seconds: 300})
	n := decode[protocol.Notice](t, ana.nextOf(protocol.TypeNotice))
	if n.Kind != protocol.NoticeTimeout || !n.Until.Equal(clk.Now().Add(5*time.Minute)) || n.Message == "" {
		t.Fatalf("notice = %+v", n)
	}
	clk.advance(50 * time.Second)
	ana.send(protocol.TypeSay, protocol.Say{Text: "let me talk"})
	if e := ana.expectError(protocol.ErrCodeForbidden); e.Message != "you are timed out for 4m 10s" {
		t.Errorf("error %q", e.Message)
	}
	// The timeout follows the client ID to a new connection.
	again := dialClient(t, ts.URL, "ana", "client-ana")
	again.send(protocol.TypeSay, protocol.Say{Text: "and now?"})
	again.expectError(protocol.ErrCodeForbidden)

	bo.send(protocol.TypeSay, protocol.Say{Text: "bo is fine"})
	if !slices.ContainsFunc(bo.sync(), func(env protocol.Envelope) bool { return env.Type == protocol.TypeChat }) {
		t.Fatal("bo, not timed out, could not chat")
	}
	host.send(protocol.TypeSay, protocol.Say{Text: "host is fine"})
	host.sync()
	clk.advance(250 * time.Second)
	ana.send(protocol.TypeSay, protocol.Say{Text: "back"})
	var got []string
	for !slices.Contains(got, "back") {
		got = append(got, decode[protocol.Chat](t, bo.nextOf(protocol.TypeChat)).Text)
	}
	if !slices.Equal(got, []string{"host is fine", "back"}) {
		t.Fatalf("bo saw %q", got)
	}
}

func TestBanClosesAndRefusesRejoin(t *testing.T) {
	_, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	ana2 := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dial(t, ts.URL, "bo", "")

	host.send(protocol.TypeBan, protocol.Ban{UserID: ana.welcome.You.ID})
	for _, c := range []*client{ana, ana2} {
		n := decode[protocol.Notice](t, c.nextOf(protocol.TypeNotice))
		if n.Kind != protocol.NoticeBan {
			t.Fatalf("notice %+v", n)
		}
		expectCloseReason(t, c.ws, protocol.CloseBanned, "banned")
	}

	// The same client ID is refused at hello; another one is welcome.
	ws := rawDial(t, ts.URL, nil)
	hello := protocol.Hello{Version: protocol.Version, Name: "ana", ClientID: "client-ana"}
	if err := (&client{t: t, ws: ws}).write(encode(t, protocol.TypeHello, hello)); err != nil {
		t.Fatal(err)
	}
	expectCloseReason(t, ws, protocol.CloseBanned, "banned")
	dialClient(t, ts.URL, "ana", "client-new")

	bo.send(protocol.TypeSay, protocol.Say{Text: "still here"})
	if line := decode[protocol.Chat](t, bo.nextOf(protocol.TypeChat)); line.Text != "still here" {
		t.Fatalf("bo got %q", line.Text)
	}
}

// expectCloseReason is expectClose that also checks the reason.
func expectCloseReason(t *testing.T, ws *websocket.Conn, code int, reason string) {
	t.Helper()
	if ce := expectClose(t, ws, code); ce.Text != reason {
		t.Fatalf("close %d with reason %q, want %q", ce.Code, ce.Text, reason)
	}
}

func TestSlowMode(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk))
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")

	host.send(protocol.TypeSlowMode, protocol.SlowMode{Seconds: 30})
	env := ana.nextShowEvent()
	if got := decode[protocol.Settings](t, env); env.Type != protocol.TypeSettings || got.SlowModeSeconds != 30 {
		t.Fatalf("ana got %s %s", env.Type, env.Data)
	}
	// A viewer who joins now learns of it right after the welcome.
	late := dial(t, ts.URL, "late", "")
	if env := late.next(); env.Type != protocol.TypeSettings || env.Seq != 0 || decode[protocol.Settings](t, env).SlowModeSeconds != 30 {
		t.Fatalf("after the welcome: %s seq %d %s", env.Type, env.Seq, env.Data)
	}

	ana.send(protocol.TypeSay, protocol.Say{Text: "one"})
	ana.nextOf(protocol.TypeChat)
	clk.advance(12 * time.Second)
	ana.send(protocol.TypeSay, protocol.Say{Text: "two"})
	if e := ana.expectError(protocol.ErrCodeRateLimited); e.Message != "slow mode: wait 18s" {
		t.Errorf("error %q", e.Message)
	}
	host.send(protocol.TypeSay, protocol.Say{Text: "host one"})
	host.send(protocol.TypeSay, protocol.Say{Text: "host two"})
	host.sync()
	clk.advance(18 * time.Second)
	ana.send(protocol.TypeSay, protocol.Say{Text: "three"})
	var got []string
	for !slices.Contains(got, "three") {
		got = append(got, decode[protocol.Chat](t, late.nextOf(protocol.TypeChat)).Text)
	}
	if !slices.Equal(got, []string{"one", "host one", "host two", "three"}) {
		t.Fatalf("late saw %q", got)
	}
	if m := s.Metrics(); m.SlowModeSeconds != 30 {
		t.Errorf("metrics slow mode %d", m.SlowModeSeconds)
	}

	host.send(protocol.TypeSlowMode, protocol.SlowMode{Seconds: 0})
	if got := decode[protocol.Settings](t, ana.nextOf(protocol.TypeSettings)); got.SlowModeSeconds != 0 {
		t.Fatalf("settings %+v", got)
	}
	ana.send(protocol.TypeSay, protocol.Say{Text: "four"})
	ana.send(protocol.TypeSay, protocol.Say{Text: "five"})
	ana.nextOf(protocol.TypeChat)
	if line := decode[protocol.Chat](t, ana.nextOf(protocol.TypeChat)); line.Text != "five" {
		t.Fatalf("got %q", line.Text)
	}
}

func TestBlockedWords(t *testing.T) {
	s, ts := startServer(t, unlimited)
	host := dial(t, ts.URL, "", testToken)
	ana := dial(t, ts.URL, "ana", "")
	bo := dial(t, ts.URL, "bo", "")

	host.send(protocol.TypeBlockedWords, protocol.BlockedWords{Words: []string{"scam", " Free\tMoney ", "SCAM", "!!!"}})
	host.sync()
	if got := s.Metrics().BlockedWords; !slices.Equal(got, []string{"scam", "Free Money"}) {
		t.Fatalf("blocked words %q", got)
	}
	blocked := []string{"this is a SCAM!", "scam", "get FREE money now", "free\u200b \x1b[1mmoney"}
	// More than the bad-command limit: tripping the list is not a fault
	// that closes the connection.
	for range 3 {
		for _, text := range blocked {
			ana.send(protocol.TypeSay, protocol.Say{Text: text})
			if e := ana.expectError(protocol.ErrCodeBadRequest); e.Message != "message blocked" {
				t.Fatalf("%q: error %q", text, e.Message)
			}
		}
	}
	for _, text := range []string{"scampi is tasty", "free shipping, more money"} {
		ana.send(protocol.TypeSay, protocol.Say{Text: text})
		if line := decode[protocol.Chat](t, bo.nextShowEvent()); line.Text != text {
			t.Fatalf("bo got %q, want %q: a blocked line was published", line.Text, text)
		}
	}

	host.send(protocol.TypeBlockedWords, protocol.BlockedWords{Words: []string{}})
	host.sync()
	ana.send(protocol.TypeSay, protocol.Say{Text: "scam"})
	if line := decode[protocol.Chat](t, bo.nextShowEvent()); line.Text != "scam" {
		t.Fatalf("after clearing the list bo got %q", line.Text)
	}
}
