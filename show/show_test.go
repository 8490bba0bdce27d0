package show_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// Hostile strings a server (or a viewer, through chat) could send.
const (
	oscTitle = "\x1b]0;pwn\x07"         // retitles the window
	csiClear = "\x1b[2J"                // clears the screen
	osc52    = "\x1b]52;c;aGk=\x07"     // writes the clipboard
	dcs      = "\x1bPq#0;2;0;0;0\x1b\\" // sixel / DCS string
	bidi     = "\u202e"                 // right-to-left override
)

func viewer(id, name string) protocol.Identity {
	return protocol.Identity{ID: id, Name: name, Role: protocol.RoleViewer}
}

func mug() protocol.Product {
	return protocol.Product{
		ID: "mug", Name: "Speckled Mug", Description: "Stoneware, 350 ml",
		Price: money.New(2400, "USD"),
		Variants: []protocol.Variant{
			{ID: "mug-blue", Name: "Blue", Stock: 5},
			{ID: "mug-sand", Name: "Sand", Stock: 0},
		},
	}
}

func scarf() protocol.Product {
	return protocol.Product{
		ID: "scarf", Name: "Wool Scarf", Price: money.New(3900, "USD"),
		Variants: []protocol.Variant{{ID: "scarf-red", Name: "Red", Stock: 12}},
	}
}

func welcome() protocol.Welcome {
	return protocol.Welcome{
		Version: protocol.Version,
		You:     viewer("u1", "ana"),
		Show:    protocol.ShowInfo{ID: "demo", Title: "Cosy Corner", Host: "Maya"},
		Catalog: []protocol.Product{mug(), scarf()},
		Pinned:  &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
		Chat: []protocol.Chat{
			{ID: "c1", Author: viewer("u2", "bo"), Text: "first"},
			{ID: "c2", Author: viewer("u3", "cy"), Text: "second"},
			{ID: "c3", Author: protocol.Identity{ID: "h", Name: "Maya", Role: protocol.RoleHost}, Text: "third"},
		},
		Viewers:  7,
		Checkout: "http://127.0.0.1:7420/cart/{items}",
	}
}

func mustWelcome(t *testing.T, w protocol.Welcome, seq uint64) (show.State, []show.Line) {
	t.Helper()
	if err := w.Validate(); err != nil {
		t.Fatalf("test welcome is invalid: %v", err)
	}
	return show.FromWelcome(w, seq)
}

// ev builds an envelope without validating data, so tests can send what a
// broken or hostile server would.
func ev(t *testing.T, typ protocol.Type, seq uint64, data any) protocol.Envelope {
	t.Helper()
	env := protocol.Envelope{Type: typ, Seq: seq}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		env.Data = raw
	}
	return env
}

// assertClean fails if s holds an escape, another control character, a bidi
// control or the payload of a known escape sequence.
func assertClean(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Errorf("%s = %q holds control %U", what, s, r)
			return
		}
	}
	for _, payload := range []string{"]0;pwn", "]52;", "[2J", "Pq#0"} {
		if strings.Contains(s, payload) {
			t.Errorf("%s = %q holds escape payload %q", what, s, payload)
		}
	}
}

func TestFromWelcome(t *testing.T) {
	st, lines := mustWelcome(t, welcome(), 41)
	if st.Show.Title != "Cosy Corner" || st.Show.Host != "Maya" || st.Show.ID != "demo" {
		t.Errorf("Show = %+v", st.Show)
	}
	if st.You != viewer("u1", "ana") {
		t.Errorf("You = %+v", st.You)
	}
	if st.Viewers != 7 || st.Seq != 41 || st.Checkout != "http://127.0.0.1:7420/cart/{items}" {
		t.Errorf("Viewers %d, Seq %d, Checkout %q", st.Viewers, st.Seq, st.Checkout)
	}
	p, v, ok := st.Pinned()
	if !ok || p.ID != "mug" || v.ID != "mug-blue" || v.Stock != 5 {
		t.Errorf("Pinned = %+v, %+v, %v", p, v, ok)
	}
	var got []string
	for _, l := range lines {
		got = append(got, l.ID+":"+l.Author.Name+":"+l.Text)
	}
	want := []string{"c1:bo:first", "c2:cy:second", "c3:Maya:third"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("recent chat = %q, want oldest first %q", got, want)
	}
	if lines[2].Author.Role != protocol.RoleHost {
		t.Errorf("host line lost its role: %+v", lines[2].Author)
	}
}

func TestFromWelcomeSanitizes(t *testing.T) {
	w := welcome()
	w.Show.Title = "Cosy" + oscTitle + " Corner" + csiClear
	w.Show.Host = bidi + "Maya" + "\x07"
	w.You.Name = "ana\x1b[31m"
	w.Catalog[0].Name = "Speckled" + oscTitle + " Mug"
	w.Catalog[0].Description = "Stone" + csiClear + "ware\nsecond line"
	w.Catalog[0].Variants[0].Name = "Bl" + dcs + "ue"
	w.Chat = []protocol.Chat{
		{ID: "c1", Author: viewer("u2", "b"+osc52+"o"), Text: "hi" + oscTitle + csiClear + "\r\nthere" + bidi},
		{ID: "c2", Author: viewer("u3", oscTitle), Text: "nameless"},
	}
	st, lines := mustWelcome(t, w, 1)

	assertClean(t, "title", st.Show.Title)
	assertClean(t, "host", st.Show.Host)
	assertClean(t, "you", st.You.Name)
	if st.Show.Title != "Cosy Corner" || st.Show.Host != "Maya" || st.You.Name != "ana" {
		t.Errorf("title %q host %q you %q", st.Show.Title, st.Show.Host, st.You.Name)
	}
	p, v, _ := st.Pinned()
	for what, s := range map[string]string{"product name": p.Name, "description": p.Description, "variant name": v.Name} {
		assertClean(t, what, s)
	}
	if p.Name != "Speckled Mug" || p.Description != "Stoneware second line" || v.Name != "Blue" {
		t.Errorf("product %q / %q / %q", p.Name, p.Description, v.Name)
	}
	// The catalog and the variant index hand out the same cleaned product.
	if c := st.Catalog()[0]; c.Name != "Speckled Mug" {
		t.Errorf("Catalog()[0].Name = %q", c.Name)
	}
	if q, _ := st.ProductOfVariant("mug-blue"); q.Variants[0].Name != "Blue" {
		t.Errorf("ProductOfVariant variant name = %q", q.Variants[0].Name)
	}
	for _, l := range lines {
		assertClean(t, "chat text", l.Text)
		assertClean(t, "author", l.Author.Name)
	}
	if lines[0].Text != "hi there" || lines[0].Author.Name != "bo" {
		t.Errorf("line 0 = %q by %q", lines[0].Text, lines[0].Author.Name)
	}
	// A name that was nothing but an escape still shows as someone.
	if lines[1].Author.Name != "?" {
		t.Errorf("empty-after-cleaning name = %q, want ?", lines[1].Author.Name)
	}
}

func TestFromWelcomeDropsUnknownPin(t *testing.T) {
	w := welcome()
	w.Pinned = &protocol.Pin{ProductID: "mug", VariantID: "nope"}
	st, _ := mustWelcome(t, w, 1)
	if _, _, ok := st.Pinned(); ok {
		t.Error("a pin of an unknown variant survived the welcome")
	}
}

func TestFromWelcomeDoesNotAlias(t *testing.T) {
	w := welcome()
	st, _ := mustWelcome(t, w, 1)
	w.Catalog[0].Variants[0].Stock = 0
	w.Catalog[0].Variants[0].Name = "changed"
	if _, v, _ := st.Pinned(); v.Stock != 5 || v.Name != "Blue" {
		t.Errorf("state changed with the welcome it was built from: %+v", v)
	}
}

func TestApply(t *testing.T) {
	cheaper := mug()
	cheaper.Price = money.New(1900, "USD")
	cheaper.Variants[0].Stock = 3

	tests := []struct {
		name  string
		env   func(t *testing.T) protocol.Envelope
		kind  show.Kind
		check func(t *testing.T, st *show.State, ch show.Change)
	}{
		{
			name: "chat",
			env: func(t *testing.T) protocol.Envelope {
				return ev(t, protocol.TypeChat, 42, protocol.Chat{ID: "c9", Author: viewer("u9", "dee"), Text: "hello"})
			},
			kind: show.KindChat,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				want := show.Line{ID: "c9", Seq: 42, Author: viewer("u9", "dee"), Text: "hello"}
				if ch.Line != want {
					t.Errorf("Line = %+v, want %+v", ch.Line, want)
				}
			},
		},
		{
			name: "hostile chat",
			env: func(t *testing.T) protocol.Envelope {
				return ev(t, protocol.TypeChat, 42, protocol.Chat{ID: "c9", Author: viewer("u9", bidi+"dee"+csiClear), Text: "a" + oscTitle + "\nb" + osc52 + dcs})
			},
			kind: show.KindChat,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				assertClean(t, "text", ch.Line.Text)
				assertClean(t, "author", ch.Line.Author.Name)
				if ch.Line.Text != "a b" || ch.Line.Author.Name != "dee" {
					t.Errorf("Line = %+v", ch.Line)
				}
			},
		},
		{
			name: "pin",
			env: func(t *testing.T) protocol.Envelope {
				return ev(t, protocol.TypePin, 42, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"})
			},
			kind: show.KindPin,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				p, v, ok := st.Pinned()
				if !ok || p.ID != "scarf" || v.ID != "scarf-red" || ch.ProductID != "scarf" {
					t.Errorf("Pinned = %s/%s %v, change %+v", p.ID, v.ID, ok, ch)
				}
			},
		},
		{
			name: "unpin",
			env:  func(t *testing.T) protocol.Envelope { return ev(t, protocol.TypeUnpin, 42, protocol.Unpin{}) },
			kind: show.KindPin,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				if _, _, ok := st.Pinned(); ok {
					t.Error("still pinned after unpin")
				}
			},
		},
		{
			name: "product",
			env:  func(t *testing.T) protocol.Envelope { return ev(t, protocol.TypeProduct, 42, cheaper) },
			kind: show.KindProduct,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				if ch.ProductID != "mug" || ch.Before.Price.Amount != 2400 || ch.Before.Variants[0].Stock != 5 {
					t.Errorf("change = %+v, want Before holding the old price and stock", ch)
				}
				p, v, ok := st.Pinned()
				if !ok || p.Price.Amount != 1900 || v.Stock != 3 {
					t.Errorf("pinned after update = %+v %+v %v", p, v, ok)
				}
			},
		},
		{
			name: "viewers",
			env: func(t *testing.T) protocol.Envelope {
				return ev(t, protocol.TypeViewers, 42, protocol.Viewers{Count: 1234})
			},
			kind: show.KindViewers,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				if st.Viewers != 1234 {
					t.Errorf("Viewers = %d", st.Viewers)
				}
			},
		},
		{
			name: "error",
			env: func(t *testing.T) protocol.Envelope {
				return ev(t, protocol.TypeError, 0, protocol.Error{Code: protocol.ErrCodeRateLimited, Message: "slow" + oscTitle + " down\n"})
			},
			kind: show.KindError,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				assertClean(t, "error message", ch.Err.Message)
				if ch.Err.Code != protocol.ErrCodeRateLimited || ch.Err.Message != "slow down" {
					t.Errorf("Err = %+v", ch.Err)
				}
			},
		},
		{
			name: "unknown type",
			env:  func(t *testing.T) protocol.Envelope { return ev(t, "confetti", 42, map[string]int{"n": 3}) },
			kind: show.KindNone,
			check: func(t *testing.T, st *show.State, ch show.Change) {
				if !reflect.DeepEqual(ch, show.Change{}) {
					t.Errorf("change = %+v, want none", ch)
				}
			},
		},
		{
			name:  "pong",
			env:   func(t *testing.T) protocol.Envelope { return ev(t, protocol.TypePong, 0, nil) },
			kind:  show.KindNone,
			check: func(t *testing.T, st *show.State, ch show.Change) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := mustWelcome(t, welcome(), 41)
			ch, err := st.Apply(tt.env(t))
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if ch.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v", ch.Kind, tt.kind)
			}
			tt.check(t, &st, ch)
		})
	}
}

// snapshot is everything a State shows to its users.
type snapshot struct {
	Show     protocol.ShowInfo
	You      protocol.Identity
	Checkout string
	Viewers  int
	Seq      uint64
	Catalog  []protocol.Product
	Pinned   string
	ByVar    map[string]string
}

func snap(st *show.State) snapshot {
	s := snapshot{Show: st.Show, You: st.You, Checkout: st.Checkout, Viewers: st.Viewers, Seq: st.Seq, Catalog: st.Catalog(), ByVar: map[string]string{}}
	if p, v, ok := st.Pinned(); ok {
		s.Pinned = p.ID + "/" + v.ID
	}
	for _, p := range s.Catalog {
		for _, v := range p.Variants {
			if q, ok := st.ProductOfVariant(v.ID); ok {
				s.ByVar[v.ID] = q.ID
			}
		}
	}
	return s
}

func TestApplyRefusesInvalid(t *testing.T) {
	negStock := mug()
	negStock.Variants[0].Stock = -1
	negPrice := mug()
	negPrice.Price = money.New(-100, "USD")
	noVariants := mug()
	noVariants.Variants = nil
	dupVariant := mug()
	dupVariant.Variants[1].ID = dupVariant.Variants[0].ID

	tests := []struct {
		name string
		typ  protocol.Type
		data any
	}{
		{"negative stock", protocol.TypeProduct, negStock},
		{"negative price", protocol.TypeProduct, negPrice},
		{"no variants", protocol.TypeProduct, noVariants},
		{"duplicate variant", protocol.TypeProduct, dupVariant},
		{"pin of unknown product", protocol.TypePin, protocol.Pin{ProductID: "ghost", VariantID: "mug-blue"}},
		{"pin of unknown variant", protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "scarf-red"}},
		{"pin with bad id", protocol.TypePin, protocol.Pin{ProductID: "a/b", VariantID: "mug-blue"}},
		{"negative viewers", protocol.TypeViewers, protocol.Viewers{Count: -3}},
		{"empty chat", protocol.TypeChat, protocol.Chat{ID: "c", Author: viewer("u", "n")}},
		{"chat with bad role", protocol.TypeChat, protocol.Chat{ID: "c", Author: protocol.Identity{ID: "u", Name: "n", Role: "admin"}, Text: "x"}},
		{"error without code", protocol.TypeError, protocol.Error{Message: "x"}},
		{"missing data", protocol.TypeProduct, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := mustWelcome(t, welcome(), 41)
			before := snap(&st)
			ch, err := st.Apply(ev(t, tt.typ, 42, tt.data))
			if err == nil {
				t.Fatalf("accepted, change %+v", ch)
			}
			if ch.Kind != show.KindNone {
				t.Errorf("refused event reported Kind %v", ch.Kind)
			}
			if after := snap(&st); !reflect.DeepEqual(after, before) {
				t.Errorf("state changed by a refused event:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

func TestProductUpdateReplacesVariants(t *testing.T) {
	st, _ := mustWelcome(t, welcome(), 1)
	p := mug()
	p.Variants = []protocol.Variant{{ID: "mug-blue", Name: "Blue", Stock: 2}, {ID: "mug-green", Name: "Green", Stock: 4}}
	if _, err := st.Apply(ev(t, protocol.TypeProduct, 2, p)); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.ProductOfVariant("mug-sand"); ok {
		t.Error("a variant the update removed still maps to its product")
	}
	for _, id := range []string{"mug-blue", "mug-green"} {
		if q, ok := st.ProductOfVariant(id); !ok || q.ID != "mug" {
			t.Errorf("ProductOfVariant(%s) = %q, %v", id, q.ID, ok)
		}
	}
	if q, ok := st.ProductOfVariant("scarf-red"); !ok || q.ID != "scarf" {
		t.Errorf("another product's variant lost: %q, %v", q.ID, ok)
	}
	if _, v, ok := st.Pinned(); !ok || v.Stock != 2 {
		t.Errorf("pinned variant kept by the update = %+v, %v", v, ok)
	}
}

func TestProductUpdateRemovingPinnedVariantClearsPin(t *testing.T) {
	st, _ := mustWelcome(t, welcome(), 1)
	p := mug()
	p.Variants = []protocol.Variant{{ID: "mug-sand", Name: "Sand", Stock: 9}}
	ch, err := st.Apply(ev(t, protocol.TypeProduct, 2, p))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Kind != show.KindProduct {
		t.Errorf("Kind = %v", ch.Kind)
	}
	if p, v, ok := st.Pinned(); ok {
		t.Errorf("pin survived the removal of its variant: %s/%s", p.ID, v.ID)
	}
	// Updating another product leaves a valid pin alone.
	if _, err := st.Apply(ev(t, protocol.TypePin, 3, protocol.Pin{ProductID: "mug", VariantID: "mug-sand"})); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ev(t, protocol.TypeProduct, 4, scarf())); err != nil {
		t.Fatal(err)
	}
	if _, v, ok := st.Pinned(); !ok || v.ID != "mug-sand" {
		t.Errorf("pin after an unrelated update = %+v, %v", v, ok)
	}
}

func TestSeq(t *testing.T) {
	st, _ := mustWelcome(t, welcome(), 10)
	steps := []struct {
		env  protocol.Envelope
		want uint64
	}{
		{ev(t, protocol.TypeViewers, 11, protocol.Viewers{Count: 1}), 11},
		// Unicast events (errors, pongs) carry no seq and do not move it.
		{ev(t, protocol.TypeError, 0, protocol.Error{Code: "x"}), 11},
		{ev(t, protocol.TypePong, 0, nil), 11},
		{ev(t, protocol.TypeChat, 12, protocol.Chat{ID: "c", Author: viewer("u", "n"), Text: "x"}), 12},
		// An event this client does not know is still a show event.
		{ev(t, "confetti", 13, map[string]int{}), 13},
		{ev(t, protocol.TypeUnpin, 14, nil), 14},
	}
	for i, s := range steps {
		if _, err := st.Apply(s.env); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if st.Seq != s.want {
			t.Errorf("step %d (%s): Seq = %d, want %d", i, s.env.Type, st.Seq, s.want)
		}
	}
}

func TestCatalogOrderStable(t *testing.T) {
	w := welcome()
	w.Catalog = append(w.Catalog, protocol.Product{
		ID: "candle", Name: "Candle", Price: money.New(1200, "USD"),
		Variants: []protocol.Variant{{ID: "candle-1", Name: "Fig", Stock: 1}},
	})
	st, _ := mustWelcome(t, w, 1)
	ids := func() string {
		var out []string
		for _, p := range st.Catalog() {
			out = append(out, p.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids(); got != "mug,scarf,candle" {
		t.Fatalf("Catalog = %s", got)
	}
	// Updates keep a product where it was; new products go at the end.
	for i := 0; i < 3; i++ {
		s := scarf()
		s.Variants[0].Stock = i
		if _, err := st.Apply(ev(t, protocol.TypeProduct, uint64(2+i), s)); err != nil {
			t.Fatal(err)
		}
	}
	lamp := protocol.Product{ID: "lamp", Name: "Lamp", Price: money.New(5000, "USD"), Variants: []protocol.Variant{{ID: "lamp-1", Name: "Brass", Stock: 1}}}
	if _, err := st.Apply(ev(t, protocol.TypeProduct, 9, lamp)); err != nil {
		t.Fatal(err)
	}
	if got := ids(); got != "mug,scarf,candle,lamp" {
		t.Errorf("Catalog after updates = %s", got)
	}
	if st.Catalog()[1].Variants[0].Stock != 2 {
		t.Errorf("scarf stock = %d, want the last update's 2", st.Catalog()[1].Variants[0].Stock)
	}
}

func TestMaxProducts(t *testing.T) {
	w := welcome()
	w.Pinned = nil
	w.Catalog = nil
	for i := range protocol.MaxProducts {
		w.Catalog = append(w.Catalog, protocol.Product{
			ID: fmt.Sprintf("p%d", i), Name: "P", Price: money.New(100, "USD"),
			Variants: []protocol.Variant{{ID: fmt.Sprintf("v%d", i), Name: "V", Stock: 1}},
		})
	}
	st, _ := mustWelcome(t, w, 1)
	extra := protocol.Product{ID: "one-too-many", Name: "X", Price: money.New(100, "USD"), Variants: []protocol.Variant{{ID: "x", Name: "X", Stock: 1}}}
	before := snap(&st)
	if _, err := st.Apply(ev(t, protocol.TypeProduct, 2, extra)); err == nil {
		t.Fatal("a product beyond MaxProducts was accepted")
	}
	if after := snap(&st); !reflect.DeepEqual(after, before) {
		t.Error("refused product changed the state")
	}
	// A full catalog still takes updates to products it has.
	upd := w.Catalog[0]
	upd.Variants = []protocol.Variant{{ID: "v0", Name: "V", Stock: 0}}
	if _, err := st.Apply(ev(t, protocol.TypeProduct, 3, upd)); err != nil {
		t.Errorf("update of a known product in a full catalog: %v", err)
	}
	if n := len(st.Catalog()); n != protocol.MaxProducts {
		t.Errorf("catalog has %d products", n)
	}
}

func TestZeroStateApply(t *testing.T) {
	var st show.State
	if _, err := st.Apply(ev(t, protocol.TypeProduct, 1, mug())); err != nil {
		t.Fatalf("zero State refused a product: %v", err)
	}
	if q, ok := st.ProductOfVariant("mug-blue"); !ok || q.ID != "mug" {
		t.Errorf("ProductOfVariant = %q, %v", q.ID, ok)
	}
}
