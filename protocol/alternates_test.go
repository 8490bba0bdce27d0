package protocol

import (
	"slices"
	"strings"
	"testing"
)

func TestCheckAlternate(t *testing.T) {
	long := "wss://edge.example/ws?pad=" + strings.Repeat("x", MaxAlternateBytes)
	cases := []struct {
		url string
		ok  bool
	}{
		{"ws://127.0.0.1:7421/ws", true},
		{"wss://edge-2.live.example/ws", true},
		{"wss://[::1]:7421/ws", true},
		{"wss://edge.example/ws?show=42", true},
		{"wss://xn--bcher-kva.example/ws", true},
		{long[:MaxAlternateBytes], true},
		{"", false},
		{long, false},
		{"http://edge.example/ws", false},
		{"https://edge.example/ws", false},
		{"javascript:alert(1)", false},
		{"ws:edge.example", false}, // opaque: no host
		{"ws:///ws", false},
		{"ws://:7421/ws", false},
		{"ws://ana:secret@edge.example/ws", false},
		{"ws://ana@edge.example/ws", false},
		{"ws://edge.example/ws#top", false},
		{"ws://edge.example/ws\x1b[2J", false},
		{"ws://edge.example/ws\n", false},
		{"ws://edge.example/w s", false},
		{"ws://bücher.example/ws", false}, // not in its xn-- form
		{"ws://edge.example:99999999/ws", false},
		{"ws://edge.example:0/ws", false},
		{"ws://edge.example:65535/ws", true},
		{"WS://edge.example/ws", true}, // schemes are case-insensitive; url.Parse lowers it
	}
	for _, c := range cases {
		err := CheckAlternate(c.url)
		if (err == nil) != c.ok {
			t.Errorf("CheckAlternate(%.40q) = %v, want ok %v", c.url, err, c.ok)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("CheckAlternate(%.40q): error of %d bytes quotes too much", c.url, len(err.Error()))
		}
	}
}

// A welcome's alternates are hostile input: bad entries are skipped, each
// URL counted once, and nothing past the first MaxAlternates entries read.
func TestUsableAlternates(t *testing.T) {
	w := Welcome{Alternates: []string{
		"ws://a.example/ws", "http://b.example/ws", "ws://a.example/ws", "javascript:alert(1)",
		"ws://u:p@c.example/ws", "wss://d.example/ws",
	}}
	if got, want := w.UsableAlternates(), []string{"ws://a.example/ws", "wss://d.example/ws"}; !slices.Equal(got, want) {
		t.Fatalf("UsableAlternates = %q, want %q", got, want)
	}

	var many []string
	for i := range MaxAlternates + 5 {
		many = append(many, "ws://edge-"+strings.Repeat("x", i+1)+".example/ws")
	}
	w.Alternates = many
	if got := w.UsableAlternates(); !slices.Equal(got, many[:MaxAlternates]) {
		t.Fatalf("kept %d alternates, want the first %d", len(got), MaxAlternates)
	}

	if got := (Welcome{}).UsableAlternates(); got != nil {
		t.Fatalf("no alternates gave %q", got)
	}
}

// A welcome whose alternates are all bad is still a welcome: they are not
// part of what Validate refuses.
func TestWelcomeWithBadAlternatesValidates(t *testing.T) {
	w := Welcome{
		Version: Version, Epoch: "e1",
		You:        Identity{ID: "u1", Name: "ana", Role: RoleViewer},
		Show:       ShowInfo{ID: "s", Title: "Show"},
		Alternates: []string{"http://x/ws", strings.Repeat("y", 3000)},
	}
	if err := w.Validate(); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	if got := w.UsableAlternates(); len(got) != 0 {
		t.Fatalf("UsableAlternates = %q, want none", got)
	}
}
