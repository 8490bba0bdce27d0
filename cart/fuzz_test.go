package cart

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/livecart/livecart/sanitize"
)

// FuzzLoad writes arbitrary bytes as a cart file and loads them: the result
// is either a cart that holds only what Add accepts and survives a save and
// load unchanged, or a *DamagedError with the bytes moved aside intact.
func FuzzLoad(f *testing.F) {
	valid := `{"version":1,"show":"` + show + `","saved_at":"2025-01-01T00:00:00Z","lines":[`
	goodLine := `{"product_id":"p","variant_id":"v1","name":"n","variant":"Blue / M","unit":{"amount":1250,"currency":"USD"},"qty":2}`
	for _, seed := range []string{
		valid + goodLine + `]}`,
		// A line that records what the viewer was shown.
		valid + strings.Replace(goodLine, `"qty":2}`, `"qty":2,"seen":{"regular":{"amount":1250,"currency":"USD"},"deal":{"amount":1000,"currency":"USD"},"deal_qty":1,"qty":2,"state":"ok"}}`, 1) + `]}`,
		valid + strings.Replace(goodLine, `"qty":2}`, `"qty":2,"seen":{"regular":{"amount":0,"currency":""},"qty":0,"state":"unavailable"}}`, 1) + `]}`,
		valid + strings.Replace(goodLine, `"qty":2}`, `"qty":2,"seen":{"qty":2,"state":"gone"}}`, 1) + `]}`,
		valid + goodLine + `,` + goodLine + `]}`, // the same variant twice merges
		valid + `]}`,
		`{"version":1,"show":"` + show + `","lines":null}`,
		`{"version":2,"show":"` + show + `","lines":[]}`,
		valid + goodLine[:30],
		"",
		"\x00garbage\xff",
		// A lone surrogate escape and raw invalid UTF-8 in a name.
		valid + `{"product_id":"p","variant_id":"v1","name":"\ud800 ` + "\xff\xfe" + `","unit":{"amount":1,"currency":"EUR"},"qty":99}]}`,
		// What the network would refuse: an ID that is not one, a bidi
		// override to draw.
		valid + strings.Replace(goodLine, `"v1"`, `"a,b:9"`, 1) + `]}`,
		valid + strings.Replace(goodLine, `"n"`, `"\u202eevil"`, 1) + `]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := Store{Dir: t.TempDir()}
		path := s.Path(show)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := s.Load(show)
		var dmg *DamagedError
		switch {
		case err == nil:
			checkCart(t, c)
			if err := s.Save(show, c); err != nil {
				t.Fatalf("re-saving a loaded cart: %v", err)
			}
			again, err := s.Load(show)
			if err != nil || !equalLines(again.Lines(), c.Lines()) {
				t.Fatalf("save and load changed the cart: %+v, %v; was %+v", again.Lines(), err, c.Lines())
			}
		case errors.As(err, &dmg):
			if !c.IsEmpty() {
				t.Fatalf("a damaged file loaded as %+v, want an empty cart", c.Lines())
			}
			if moved, err := os.ReadFile(dmg.MovedTo); err != nil || !bytes.Equal(moved, data) {
				t.Fatalf("moved-aside file = %q (%v), want the original bytes", moved, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("damaged file still at its path: %v", err)
			}
		default:
			t.Fatalf("Load = %v, want nil or a *DamagedError", err)
		}
	})
}

// checkCart fails unless c is a cart Add could have built: valid lines, one
// per variant, one currency, at most MaxLines, names that sanitize.Line
// leaves as they are.
func checkCart(t *testing.T, c Cart) {
	t.Helper()
	if c.Len() > MaxLines {
		t.Fatalf("loaded %d lines, more than %d", c.Len(), MaxLines)
	}
	seen := map[string]bool{}
	for _, l := range c.Lines() {
		if err := checkLine(l); err != nil {
			t.Fatalf("loaded an invalid line %+v: %v", l, err)
		}
		if l.Name != sanitize.Line(l.Name) || l.Variant != sanitize.Line(l.Variant) {
			t.Fatalf("loaded a name that is not safe to draw: %q (%q)", l.Name, l.Variant)
		}
		if seen[l.VariantID] {
			t.Fatalf("loaded variant %q twice", l.VariantID)
		}
		seen[l.VariantID] = true
		if l.Unit.Currency != c.Lines()[0].Unit.Currency {
			t.Fatalf("loaded a cart in two currencies: %+v", c.Lines())
		}
	}
}
