package cart

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

const show = "ws://127.0.0.1:7420/ws"

func TestStoreRoundTrip(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "nested", "carts")}
	want := mustAdd(t, Cart{}, line("v1", 1250, 2), line("v2", 300, 1))
	if err := s.Save(show, want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := s.Load(show)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !equalLines(got.Lines(), want.Lines()) {
		t.Fatalf("Load = %+v, want %+v", got.Lines(), want.Lines())
	}

	info, err := os.Stat(s.Path(show))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %o, want 600", perm)
	}
	if info, err := os.Stat(s.Dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v (%v), want 700", info.Mode().Perm(), err)
	}

	var f map[string]any
	data, _ := os.ReadFile(s.Path(show))
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("saved file is not JSON: %v", err)
	}
	if f["version"] != 1.0 || f["show"] != show {
		t.Errorf("header = version %v show %v", f["version"], f["show"])
	}
	if _, err := time.Parse(time.RFC3339, f["saved_at"].(string)); err != nil {
		t.Errorf("saved_at: %v", err)
	}

	// Saving again replaces the file; an empty cart stays a file.
	if err := s.Save(show, Cart{}); err != nil {
		t.Fatalf("Save empty: %v", err)
	}
	data, _ = os.ReadFile(s.Path(show))
	if !bytes.Contains(data, []byte(`"lines": []`)) {
		t.Errorf("empty cart saved as %s, want empty lines", data)
	}
	if got, err := s.Load(show); err != nil || !got.IsEmpty() {
		t.Fatalf("Load after saving empty = %v, %v", got.Lines(), err)
	}
	entries, _ := os.ReadDir(s.Dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only the cart file (no temp files left)", len(entries))
	}
}

func TestStoreShowsAreSeparate(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	if err := s.Save("show-a", mustAdd(t, Cart{}, line("a", 100, 1))); err != nil {
		t.Fatal(err)
	}
	if err := s.Save("show-b", mustAdd(t, Cart{}, line("b", 100, 2))); err != nil {
		t.Fatal(err)
	}
	a, errA := s.Load("show-a")
	b, errB := s.Load("show-b")
	if errA != nil || errB != nil || qtys(a)["a"] != 1 || qtys(b)["b"] != 2 || a.Len() != 1 || b.Len() != 1 {
		t.Fatalf("a = %v (%v), b = %v (%v)", qtys(a), errA, qtys(b), errB)
	}
}

func TestStoreLoadMissing(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "does-not-exist")}
	c, err := s.Load(show)
	if err != nil || !c.IsEmpty() {
		t.Fatalf("Load of missing file = %v, %v; want empty cart, nil", c.Lines(), err)
	}
}

func TestStoreLoadDamaged(t *testing.T) {
	valid := `{"version":1,"show":"` + show + `","saved_at":"2025-01-01T00:00:00Z","lines":[`
	goodLine := `{"product_id":"p","variant_id":"v1","name":"n","variant":"","unit":{"amount":100,"currency":"USD"},"qty":1}`
	cases := map[string]string{
		"empty file":      ``,
		"truncated JSON":  valid + goodLine[:40],
		"garbage":         "\x00\x01not json at all\xff",
		"array":           `[]`,
		"null":            `null`,
		"no version":      `{"show":"` + show + `","lines":[]}`,
		"newer version":   `{"version":2,"show":"` + show + `","lines":[]}`,
		"lines not array": `{"version":1,"show":"` + show + `","lines":{"a":1}}`,
		"wrong show":      `{"version":1,"show":"other","lines":[]}`,
		"negative qty":    valid + strings.Replace(goodLine, `"qty":1`, `"qty":-3`, 1) + `]}`,
		"qty over max":    valid + strings.Replace(goodLine, `"qty":1`, `"qty":1000`, 1) + `]}`,
		"no variant id":   valid + strings.Replace(goodLine, `"v1"`, `""`, 1) + `]}`,
		"bad currency":    valid + strings.Replace(goodLine, `"USD"`, `"usd"`, 1) + `]}`,
		"mixed currency": valid + goodLine + `,` +
			strings.Replace(strings.Replace(goodLine, `"USD"`, `"EUR"`, 1), `"v1"`, `"v2"`, 1) + `]}`,
		"trailing data": valid + `]}{}`,
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			path := s.Path(show)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := s.Load(show)
			if !c.IsEmpty() {
				t.Errorf("Load returned %v, want an empty cart", c.Lines())
			}
			var dmg *DamagedError
			if !errors.As(err, &dmg) {
				t.Fatalf("err = %v, want *DamagedError", err)
			}
			if dmg.Path != path || dmg.Reason == "" {
				t.Errorf("DamagedError = %+v", dmg)
			}
			if want := regexp.MustCompile(regexp.QuoteMeta(path) + `\.damaged-\d+$`); !want.MatchString(dmg.MovedTo) {
				t.Errorf("MovedTo = %q, want %s.damaged-<unix time>", dmg.MovedTo, path)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("damaged file still at its path: %v", err)
			}
			moved, err := os.ReadFile(dmg.MovedTo)
			if err != nil || string(moved) != content {
				t.Errorf("moved file = %q (%v), want the original bytes %q", moved, err, content)
			}
			if !strings.Contains(dmg.Error(), dmg.MovedTo) {
				t.Errorf("message %q does not say where the file went", dmg.Error())
			}
		})
	}
}

// cartFile is the text of a version 1 cart file for show with lines, each
// a JSON object.
func cartFile(lines ...string) string {
	return `{"version":1,"show":"` + show + `","saved_at":"2025-01-01T00:00:00Z","lines":[` + strings.Join(lines, ",") + `]}`
}

// jsonLine is a cart line as JSON, with the given IDs, names and quantity.
func jsonLine(product, variant, name, label string, qty int) string {
	l, err := json.Marshal(Line{ProductID: product, VariantID: variant, Name: name, Variant: label,
		Unit: money.New(1250, "USD"), Qty: qty})
	if err != nil {
		panic(err)
	}
	return string(l)
}

// A cart file is held to the rules the network's data is held to: what the
// protocol refuses from a show, Load refuses from a file, as damage.
func TestStoreLoadTampered(t *testing.T) {
	many := func(n int) string {
		lines := make([]string, n)
		for i := range lines {
			lines[i] = jsonLine("p", "v"+strconv.Itoa(i), "Mug", "Blue", 1)
		}
		return cartFile(lines...)
	}
	cases := []struct {
		name, content string
		reason        string // part of DamagedError.Reason
	}{
		{"NUL in variant ID", cartFile(jsonLine("p", "v1\x00", "Mug", "Blue", 1)), `variant ID "v1\x00" is not a valid ID`},
		{"checkout separators in variant ID", cartFile(jsonLine("p", "a,b:9", "Mug", "Blue", 1)), `variant ID "a,b:9" is not a valid ID`},
		{"variant ID too long", cartFile(jsonLine("p", strings.Repeat("v", protocol.MaxIDBytes+1), "Mug", "Blue", 1)), "variant ID"},
		{"no product ID", cartFile(jsonLine("", "v1", "Mug", "Blue", 1)), `product ID "" is not a valid ID`},
		{"slash in product ID", cartFile(jsonLine("../p", "v1", "Mug", "Blue", 1)), `product ID "../p" is not a valid ID`},
		{"quantity over the limit", cartFile(jsonLine("p", "v1", "Mug", "Blue", MaxQty+1)), "quantity 100, at most 99"},
		{"quantity beyond int", cartFile(strings.Replace(jsonLine("p", "v1", "Mug", "Blue", 1), `"qty":1`, `"qty":1e30`, 1)), "not a cart file"},
		{"same variant past the limit", cartFile(jsonLine("p", "v1", "Mug", "Blue", 60), jsonLine("p", "v1", "Mug", "Blue", 40)), "at most 99"},
		{"too many lines", many(MaxLines + 1), "21 lines, more than 20"},
		{"name too long", cartFile(jsonLine("p", "v1", strings.Repeat("é", protocol.MaxProductNameRunes+1), "Blue", 1)), "name is 81 characters, more than 80"},
		{"label too long", cartFile(jsonLine("p", "v1", "Mug", strings.Repeat("b", 10_000), 1)), "variant label is 10000 characters"},
		{"file too large", cartFile(jsonLine("p", "v1", "Mug", "Blue", 1)) + strings.Repeat(" ", maxFileBytes), "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			path := s.Path(show)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := s.Load(show)
			var dmg *DamagedError
			if !errors.As(err, &dmg) {
				t.Fatalf("Load = %+v, %v; want a *DamagedError", c.Lines(), err)
			}
			if !c.IsEmpty() {
				t.Errorf("Load returned %+v with the damage, want an empty cart", c.Lines())
			}
			if !strings.Contains(dmg.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to say %q", dmg.Reason, tc.reason)
			}
			if len(dmg.Reason) > 300 {
				t.Errorf("Reason is %d bytes long", len(dmg.Reason))
			}
			if moved, err := os.ReadFile(dmg.MovedTo); err != nil || string(moved) != tc.content {
				t.Errorf("moved-aside file: %v, or not the original bytes", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("damaged file still at its path: %v", err)
			}
		})
	}

	// At the limits, the file loads.
	t.Run("at the limits", func(t *testing.T) {
		s := Store{Dir: t.TempDir()}
		content := many(MaxLines - 1)
		content = strings.Replace(content, "]}", ","+jsonLine(strings.Repeat("p", protocol.MaxIDBytes), strings.Repeat("v", protocol.MaxIDBytes),
			strings.Repeat("é", protocol.MaxProductNameRunes), strings.Repeat("b", protocol.MaxProductNameRunes), MaxQty)+"]}", 1)
		if err := os.WriteFile(s.Path(show), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := s.Load(show)
		if err != nil || c.Len() != MaxLines || c.Lines()[MaxLines-1].Qty != MaxQty {
			t.Fatalf("Load = %d lines, %v; want %d", c.Len(), err, MaxLines)
		}
	})
}

// Names from a file reach the screen as names from the network do: through
// sanitize.Line, so a saved name cannot reorder, hide or restyle text.
func TestStoreLoadSanitizesNames(t *testing.T) {
	hostile := []struct{ name, label, wantName, wantLabel string }{
		{"Mug \u202egnp.exe", "Blue\u2066x", "Mug gnp.exe", "Bluex"},
		{"Mug\x1b]0;pwned\x07 now", "\x1b[31mRed", "Mug now", "Red"},
		{"Tea\u200b\u200bpot", "Sand\r\nline", "Teapot", "Sand line"},
	}
	for _, tc := range hostile {
		s := Store{Dir: t.TempDir()}
		if err := os.WriteFile(s.Path(show), []byte(cartFile(jsonLine("p", "v1", tc.name, tc.label, 2))), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := s.Load(show)
		if err != nil || c.Len() != 1 {
			t.Fatalf("Load(%q) = %+v, %v", tc.name, c.Lines(), err)
		}
		l := c.Lines()[0]
		if l.Name != tc.wantName || l.Variant != tc.wantLabel {
			t.Errorf("loaded %q (%q), want %q (%q)", l.Name, l.Variant, tc.wantName, tc.wantLabel)
		}
		if l.Name != sanitize.Line(tc.name) || l.Variant != sanitize.Line(tc.label) {
			t.Errorf("loaded %q (%q), not what sanitize.Line makes of %q (%q)", l.Name, l.Variant, tc.name, tc.label)
		}
	}
}

func TestStoreDamagedNeverOverwritesEarlier(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	path := s.Path(show)
	var moved []string
	for _, content := range []string{"first", "second", "third"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(show)
		var dmg *DamagedError
		if !errors.As(err, &dmg) {
			t.Fatalf("err = %v, want *DamagedError", err)
		}
		moved = append(moved, dmg.MovedTo)
	}
	// All three usually land in the same second; each must keep its bytes.
	for i, want := range []string{"first", "second", "third"} {
		if got, err := os.ReadFile(moved[i]); err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", moved[i], got, err, want)
		}
	}
}

func TestStoreSaveAfterDamage(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	if err := os.WriteFile(s.Path(show), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := s.Load(show)
	if err == nil {
		t.Fatal("damaged file loaded without error")
	}
	c = mustAdd(t, c, line("v1", 100, 1))
	if err := s.Save(show, c); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(show); err != nil || got.Units() != 1 {
		t.Fatalf("Load = %v, %v", got.Lines(), err)
	}
}

// A cart file someone made readable (or an older livecart wrote with the
// umask's mode) becomes private again at the next save.
func TestStoreSaveMakesFilePrivate(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	if err := s.Save(show, Cart{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Path(show), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(show, mustAdd(t, Cart{}, line("v1", 100, 1))); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(s.Path(show))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode after saving over a 644 file = %o, want 600", perm)
	}
}

// A cart written by a newer livecart is never overwritten: Save refuses to
// replace it, and Load moves it aside and says so.
func TestStoreNewerFormatKept(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	path := s.Path(show)
	newer := `{"version":2,"show":"` + show + `","lines":[],"wishlist":["v9"]}`
	if err := os.WriteFile(path, []byte(newer), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustAdd(t, Cart{}, line("v1", 100, 1))

	err := s.Save(show, c)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Save over a newer file = %v, want a refusal", err)
	}
	if got, _ := os.ReadFile(path); string(got) != newer {
		t.Fatalf("Save changed the newer file to %q", got)
	}

	_, err = s.Load(show)
	var dmg *DamagedError
	if !errors.As(err, &dmg) || !strings.Contains(dmg.Reason, "newer") {
		t.Fatalf("Load = %v, want a *DamagedError about a newer format", err)
	}
	if err := s.Save(show, c); err != nil {
		t.Fatalf("Save once the newer file is moved aside: %v", err)
	}
	if got, err := os.ReadFile(dmg.MovedTo); err != nil || string(got) != newer {
		t.Fatalf("moved-aside file = %q (%v), want the newer file's bytes", got, err)
	}
	if got, err := s.Load(show); err != nil || !equalLines(got.Lines(), c.Lines()) {
		t.Fatalf("Load = %v, %v", got.Lines(), err)
	}
}

func TestPath(t *testing.T) {
	dir := t.TempDir()
	s := Store{Dir: dir}
	long := strings.Repeat("very-long-show-name-", 50)
	cases := []struct {
		show string
		slug string
	}{
		{"ws://127.0.0.1:7420/ws", "ws-127-0-0-1-7420-ws"},
		{"show-42", "show-42"},
		{"../../etc/passwd", "etc-passwd"},
		{"..", "show"},
		{"", "show"},
		{"/", "show"},
		{"a/b\\c\x00d", "a-b-c-d"},
		{"Ünïcödé ショー 🛒", "n-c-d"},
		{"CAPS--and   spaces", "caps-and-spaces"},
		{long, "very-long-show-name-very-long-show-name"},
	}
	safe := regexp.MustCompile(`^[a-z0-9-]{1,40}-[0-9a-f]{12}\.json$`)
	seen := map[string]string{}
	for _, tc := range cases {
		p := s.Path(tc.show)
		if filepath.Dir(p) != dir {
			t.Errorf("Path(%q) = %q escapes %s", tc.show, p, dir)
		}
		name := filepath.Base(p)
		if !safe.MatchString(name) {
			t.Errorf("Path(%q) name %q is not [a-z0-9-]{1,40}-<12 hex>.json", tc.show, name)
		}
		if got := name[:len(name)-len("-0123456789ab.json")]; got != tc.slug {
			t.Errorf("Path(%q) slug = %q, want %q", tc.show, got, tc.slug)
		}
		if s.Path(tc.show) != p {
			t.Errorf("Path(%q) is not stable", tc.show)
		}
		if other, ok := seen[name]; ok {
			t.Errorf("Path(%q) and Path(%q) collide: %s", tc.show, other, name)
		}
		seen[name] = tc.show
	}
	// Same slug, different show: the hash keeps them apart.
	if s.Path("Show A") == s.Path("show-a") {
		t.Error("shows differing only in case and punctuation share a file")
	}
	// A known value, so a change to the naming (which would orphan every
	// saved cart) fails loudly.
	if got := filepath.Base(s.Path("show-42")); got != "show-42-0e95b671a7b7.json" {
		t.Errorf("Path(show-42) = %s", got)
	}
}

func TestDefaultDir(t *testing.T) {
	if d := DefaultDir(); !strings.HasSuffix(d, filepath.Join("livecart", "carts")) || !filepath.IsAbs(d) {
		t.Fatalf("DefaultDir = %q", d)
	}
	if (Store{}).Path("x") != filepath.Join(DefaultDir(), filepath.Base(Store{Dir: "/"}.Path("x"))) {
		t.Fatal("zero Store does not use DefaultDir")
	}
}

func equalLines(a, b []Line) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
