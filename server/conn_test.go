package server

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

func TestWelcomeSnapshot(t *testing.T) {
	s, ts := startServer(t)
	host := dial(t, ts.URL, "whoever", testToken)
	if host.welcome.You.Role != protocol.RoleHost || host.welcome.You.Name != "Maya" {
		t.Fatalf("host identity = %+v", host.welcome.You)
	}
	host.send(protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "mug-sand"})
	host.nextOf(protocol.TypePin)

	ana := dial(t, ts.URL, "ana", "")
	ana.send(protocol.TypeSay, protocol.Say{Text: "hello"})
	ana.send(protocol.TypeSay, protocol.Say{Text: "is the blue one back?"})
	ana.nextOf(protocol.TypeChat)
	last := ana.nextOf(protocol.TypeChat)

	bo := dial(t, ts.URL, "bo", "")
	w := bo.welcome
	if w.Version != protocol.Version || w.Show != testCatalog(t).Show {
		t.Errorf("version %d, show %+v", w.Version, w.Show)
	}
	if w.You.Role != protocol.RoleViewer || w.You.Name != "bo" || !protocol.ValidID(w.You.ID) || w.You.ID == ana.welcome.You.ID {
		t.Errorf("you = %+v (ana is %+v)", w.You, ana.welcome.You)
	}
	want := testCatalog(t).Products
	if len(w.Catalog) != len(want) {
		t.Fatalf("catalog has %d products, want %d", len(w.Catalog), len(want))
	}
	for i := range want {
		if w.Catalog[i].ID != want[i].ID || w.Catalog[i].Price != want[i].Price || !slices.Equal(w.Catalog[i].Variants, want[i].Variants) {
			t.Errorf("catalog[%d] = %+v, want %+v", i, w.Catalog[i], want[i])
		}
	}
	if w.Pinned == nil || *w.Pinned != (protocol.Pin{ProductID: "mug", VariantID: "mug-sand"}) {
		t.Errorf("pinned = %+v", w.Pinned)
	}
	var texts []string
	for _, line := range w.Chat {
		texts = append(texts, line.Text)
		if line.Author != ana.welcome.You {
			t.Errorf("chat author %+v, want %+v", line.Author, ana.welcome.You)
		}
	}
	if !slices.Equal(texts, []string{"hello", "is the blue one back?"}) {
		t.Errorf("chat = %q", texts)
	}
	if w.Viewers != 2 || s.Viewers() != 2 {
		t.Errorf("viewers = %d (server says %d), want 2: the host does not count", w.Viewers, s.Viewers())
	}
	if w.Checkout != ts.URL+"/cart/{items}?seen={total}" {
		t.Errorf("checkout = %q", w.Checkout)
	}
	if bo.welcomeSeq < last.Seq {
		t.Errorf("welcome seq %d is older than the chat it holds (seq %d)", bo.welcomeSeq, last.Seq)
	}

	// The stream picks up right after the snapshot.
	ana.send(protocol.TypeSay, protocol.Say{Text: "after"})
	var seqs []uint64
	for {
		env := bo.next()
		if env.Seq != 0 {
			seqs = append(seqs, env.Seq)
		}
		if env.Type == protocol.TypeChat {
			break
		}
	}
	if seqs[0] != bo.welcomeSeq+1 {
		t.Errorf("first event after the welcome has seq %d, welcome had %d", seqs[0], bo.welcomeSeq)
	}

	// Joining and leaving are announced. A join and a leave within one
	// viewersInterval cancel out, so the test waits for the join first.
	ana.awaitViewers(2)
	bo.ws.Close()
	ana.awaitViewers(1)
}

// awaitViewers reads until a viewers event announces n.
func (c *client) awaitViewers(n int) {
	c.t.Helper()
	for {
		v, err := protocol.Decode[protocol.Viewers](c.nextOf(protocol.TypeViewers))
		if err != nil {
			c.t.Fatal(err)
		}
		if v.Count == n {
			return
		}
	}
}

func TestWelcomeKeepsOnlyRecentChat(t *testing.T) {
	_, ts := startServer(t, unlimited)
	ana := dial(t, ts.URL, "ana", "")
	const lines = protocol.MaxRecentChat + 10
	for i := range lines {
		ana.send(protocol.TypeSay, protocol.Say{Text: "line " + strconv.Itoa(i)})
	}
	ana.sync()
	chat := dial(t, ts.URL, "bo", "").welcome.Chat
	if len(chat) != protocol.MaxRecentChat || chat[0].Text != "line 10" || chat[len(chat)-1].Text != "line 59" {
		t.Fatalf("welcome holds %d lines, %q to %q", len(chat), chat[0].Text, chat[len(chat)-1].Text)
	}
}

func TestWelcomeUsesPublicURL(t *testing.T) {
	_, ts := startServer(t, func(c *Config) { c.PublicURL = "https://shop.example/live/" })
	if got := dial(t, ts.URL, "ana", "").welcome.Checkout; got != "https://shop.example/live/cart/{items}?seen={total}" {
		t.Fatalf("checkout = %q", got)
	}
}

// A server listening on every address, with no public URL of its own,
// gives each viewer checkout links on the host that viewer reached it by.
func TestWelcomeOnAWildcardAddress(t *testing.T) {
	_, ts := startServer(t, func(c *Config) { c.PublicURL = "http://[::]:7420" })
	ws := rawDial(t, ts.URL, http.Header{"Host": {"localhost:7420"}})
	c := &client{t: t, ws: ws}
	c.send(protocol.TypeHello, protocol.Hello{Version: protocol.Version, Name: "ana"})
	w, err := protocol.Decode[protocol.Welcome](c.nextOf(protocol.TypeWelcome))
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://localhost:7420/cart/{items}?seen={total}"; w.Checkout != want {
		t.Fatalf("checkout = %q, want %q", w.Checkout, want)
	}
}

func TestReachedAs(t *testing.T) {
	for _, tc := range []struct{ base, host, want string }{
		{"http://0.0.0.0:7420", "192.0.2.7:7420", "http://192.0.2.7:7420"},
		{"http://[::]:7420", "shop.example", "http://shop.example:7420"},
		{"http://[::]:7420", "[2001:db8::5]:7420", "http://[2001:db8::5]:7420"},
		{"https://0.0.0.0/live", "Shop.Example.:443", "https://shop.example/live"},
		{"http://192.0.2.1:7420", "shop.example", "http://192.0.2.1:7420"},
		{"http://0.0.0.0:7420", "bad host!", "http://0.0.0.0:7420"},
		{"", "shop.example", ""},
	} {
		if got := reachedAs(tc.base, tc.host); got != tc.want {
			t.Errorf("reachedAs(%q, %q) = %q, want %q", tc.base, tc.host, got, tc.want)
		}
	}
}

func TestBadHelloIsRefused(t *testing.T) {
	_, ts := startServer(t)
	cases := map[string]string{
		"not a hello":     `{"type":"say","data":{"text":"hi"}}`,
		"not JSON":        `hello there`,
		"no data":         `{"type":"hello"}`,
		"name too long":   `{"type":"hello","data":{"version":1,"name":"` + strings.Repeat("n", 4*protocol.MaxNameRunes+1) + `"}}`,
		"wrong data type": `{"type":"hello","data":{"version":"one"}}`,
	}
	for name, frame := range cases {
		t.Run(name, func(t *testing.T) {
			ws := rawDial(t, ts.URL, nil)
			if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
				t.Fatal(err)
			}
			expectClose(t, ws, protocol.CloseBadHello)
		})
	}
	t.Run("binary frame", func(t *testing.T) {
		ws := rawDial(t, ts.URL, nil)
		if err := ws.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"hello","data":{"version":1}}`)); err != nil {
			t.Fatal(err)
		}
		expectClose(t, ws, protocol.CloseBadHello)
	})
}

func TestWrongVersionIsRefused(t *testing.T) {
	_, ts := startServer(t)
	for _, v := range []int{0, protocol.Version + 1} {
		ws := rawDial(t, ts.URL, nil)
		hello := encode(t, protocol.TypeHello, protocol.Hello{Version: v, Name: "ana"})
		if err := ws.WriteMessage(websocket.TextMessage, []byte(hello)); err != nil {
			t.Fatal(err)
		}
		expectClose(t, ws, protocol.CloseUnsupportedVersion)
	}
}

func TestNamesAreSanitized(t *testing.T) {
	_, ts := startServer(t)
	cases := []struct{ asked, want string }{
		{"\x1b[31mEvil\x1b]0;pwned\x07 Bob", "Evil Bob"},
		{"ana\u202egnp.exe", "anagnp.exe"},
		{strings.Repeat("a", 40), strings.Repeat("a", protocol.MaxNameRunes-1) + "…"},
	}
	for _, tc := range cases {
		you := dial(t, ts.URL, tc.asked, "").welcome.You
		if you.Name != tc.want || you.Role != protocol.RoleViewer {
			t.Errorf("asked %q, got %+v, want name %q", tc.asked, you, tc.want)
		}
	}
	for _, asked := range []string{"", "\x1b[2J", "\u200b"} {
		if name := dial(t, ts.URL, asked, "").welcome.You.Name; !regexp.MustCompile(`^viewer-\d{4}$`).MatchString(name) {
			t.Errorf("asked %q, got %q, want viewer-NNNN", asked, name)
		}
	}
	// The sanitized name is the one the chat shows.
	evil := dial(t, ts.URL, "\x1b[1mEve", "")
	evil.send(protocol.TypeSay, protocol.Say{Text: "hi"})
	line, err := protocol.Decode[protocol.Chat](evil.nextOf(protocol.TypeChat))
	if err != nil || line.Author.Name != "Eve" {
		t.Fatalf("chat author = %+v, %v", line.Author, err)
	}
}

func TestTokenDecidesRole(t *testing.T) {
	_, ts := startServer(t)
	if r := dial(t, ts.URL, "x", testToken).welcome.You.Role; r != protocol.RoleHost {
		t.Errorf("right token: role %s", r)
	}
	for _, token := range []string{"", "wrong", testToken + "x", strings.ToUpper(testToken)} {
		c := dial(t, ts.URL, "x", token)
		if c.welcome.You.Role != protocol.RoleViewer {
			t.Errorf("token %q: role %s", token, c.welcome.You.Role)
		}
		c.send(protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"})
		c.expectError(protocol.ErrCodeForbidden)
	}
}

func TestNoTokenConfiguredMeansNoHost(t *testing.T) {
	_, ts := startServer(t, func(c *Config) { c.HostToken = "" })
	if r := dial(t, ts.URL, "x", "").welcome.You.Role; r != protocol.RoleViewer {
		t.Fatalf("empty token against an empty HostToken: role %s", r)
	}
}

func TestOversizeFrameIsClosedWith1009(t *testing.T) {
	_, ts := startServer(t)
	c := dial(t, ts.URL, "ana", "")
	// A frame of exactly the limit is read and judged on its content.
	prefix, suffix := `{"type":"say","data":{"text":"`, `"}}`
	c.sendRaw(prefix + strings.Repeat("x", protocol.MaxClientFrame-len(prefix)-len(suffix)) + suffix)
	c.expectError(protocol.ErrCodeBadRequest)
	c.sendRaw(strings.Repeat("x", protocol.MaxClientFrame+1))
	expectClose(t, c.ws, protocol.CloseTooBig)

	// Far over the limit, most of the frame is still unread when the server
	// closes; the close frame must not be lost to the reset that closing a
	// socket with unread input causes.
	big := dial(t, ts.URL, "bo", "")
	big.sendRaw(strings.Repeat("x", 1<<20))
	expectClose(t, big.ws, protocol.CloseTooBig)
}

func TestTooManyBadCommandsCloses(t *testing.T) {
	_, ts := startServer(t)
	c := dial(t, ts.URL, "ana", "")
	bad := []struct{ frame, code string }{
		{`{`, protocol.ErrCodeBadRequest},
		{`{"type":"say","data":{"text":""}}`, protocol.ErrCodeBadRequest},
		{`{"type":"dance"}`, protocol.ErrCodeUnknownType},
		{`{"type":"buy","data":{"items":[]}}`, protocol.ErrCodeBadRequest},
		{`{"type":"cart","data":{"action":"steal","product_id":"mug","variant_id":"mug-blue","qty":1}}`, protocol.ErrCodeBadRequest},
		{`{"type":"say"}`, protocol.ErrCodeBadRequest},
		{`{"type":"hello","data":{"version":1}}`, protocol.ErrCodeBadRequest},
		{`[1,2]`, protocol.ErrCodeBadRequest},
		{`{"type":"say","data":{"text":"\u001b[2J"}}`, protocol.ErrCodeBadRequest},
	}
	// Refusals that are not the client's fault do not count.
	for range maxBadCommands {
		c.send(protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"})
		c.expectError(protocol.ErrCodeForbidden)
	}
	for _, b := range bad {
		c.sendRaw(b.frame)
		c.expectError(b.code)
	}
	c.sync() // still connected after nine
	c.sendRaw(`{"type":"nope"}`)
	expectClose(t, c.ws, protocol.ClosePolicy)
}

func TestCheckOrigin(t *testing.T) {
	_, ts := startServer(t)
	d := websocket.Dialer{HandshakeTimeout: waitFor}
	ws, resp, err := d.Dial(wsURL(ts.URL), http.Header{"Origin": {"https://evil.example"}})
	if err == nil {
		ws.Close()
		t.Fatal("foreign origin accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v, response %+v", err, resp)
	}
	// A page served by the show itself may connect.
	same := rawDial(t, ts.URL, http.Header{"Origin": {ts.URL}})
	if err := same.WriteMessage(websocket.TextMessage, []byte(encode(t, protocol.TypeHello, protocol.Hello{Version: protocol.Version}))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := same.ReadMessage(); err != nil {
		t.Fatalf("same origin: %v", err)
	}
}
