package cart

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/livecart/livecart/money"
)

func line(variant string, cents int64, qty int) Line {
	return Line{
		ProductID: "p-" + variant,
		VariantID: variant,
		Name:      "Item " + variant,
		Unit:      money.New(cents, "USD"),
		Qty:       qty,
	}
}

// mustAdd adds lines with unknown stock, failing the test on any error.
func mustAdd(t *testing.T, c Cart, lines ...Line) Cart {
	t.Helper()
	for _, l := range lines {
		var err error
		if c, err = c.Add(l, -1); err != nil {
			t.Fatalf("Add(%+v): %v", l, err)
		}
	}
	return c
}

func qtys(c Cart) map[string]int {
	m := map[string]int{}
	for _, l := range c.Lines() {
		m[l.VariantID] = l.Qty
	}
	return m
}

func TestAddMergesSameVariant(t *testing.T) {
	c := mustAdd(t, Cart{}, line("v1", 500, 1), line("v2", 300, 2), line("v1", 500, 3))
	if c.Len() != 2 {
		t.Fatalf("Len = %d, want 2", c.Len())
	}
	if got := qtys(c); got["v1"] != 4 || got["v2"] != 2 {
		t.Fatalf("quantities = %v, want v1:4 v2:2", got)
	}
	if c.Units() != 6 {
		t.Fatalf("Units = %d, want 6", c.Units())
	}
	if ids := []string{c.Lines()[0].VariantID, c.Lines()[1].VariantID}; ids[0] != "v1" || ids[1] != "v2" {
		t.Fatalf("order = %v, want first-added order [v1 v2]", ids)
	}
}

func TestAddRefreshesPrice(t *testing.T) {
	c := mustAdd(t, Cart{}, line("v1", 500, 1), line("v1", 400, 1))
	if got := c.Lines()[0].Unit.Amount; got != 400 {
		t.Fatalf("unit after re-add = %d, want latest price 400", got)
	}
}

func TestAddRefuses(t *testing.T) {
	base := mustAdd(t, Cart{}, line("v1", 500, 2))
	euro := line("v9", 500, 1)
	euro.Unit.Currency = "EUR"
	badPrice := line("v9", -1, 1)
	noCurrency := line("v9", 100, 1)
	noCurrency.Unit.Currency = ""
	badProduct := line("v9", 100, 1)
	badProduct.ProductID = "p:1"
	longName := line("v9", 100, 1)
	longName.Name = strings.Repeat("n", 81)

	cases := []struct {
		name    string
		l       Line
		stock   int
		want    error
		message string
	}{
		{"mixed currency", euro, -1, money.ErrCurrencyMismatch, "EUR"},
		{"zero qty", line("v9", 100, 0), -1, ErrInvalidQty, ""},
		{"negative qty", line("v9", 100, -1), -1, ErrInvalidQty, ""},
		{"no variant", line("", 100, 1), -1, ErrInvalidLine, ""},
		{"negative price", badPrice, -1, ErrInvalidLine, ""},
		{"no currency", noCurrency, -1, ErrInvalidLine, ""},
		{"new line over stock", line("v9", 100, 4), 3, ErrOutOfStock, "only 3 left"},
		{"merge over stock", line("v1", 500, 2), 3, ErrOutOfStock, "only 3 left, 2 already in your cart"},
		{"sold out", line("v9", 100, 1), 0, ErrOutOfStock, "sold out"},
		{"line over MaxQty", line("v9", 100, MaxQty+1), -1, ErrInvalidQty, "99"},
		{"merge over MaxQty", line("v1", 500, MaxQty-1), -1, ErrInvalidQty, "99"},
		{"huge qty", line("v1", 500, int(^uint(0)>>1)), -1, ErrInvalidQty, ""},
		{"NUL in variant ID", line("v9\x00", 100, 1), -1, ErrInvalidLine, `"v9\x00" is not a valid ID`},
		{"separators in variant ID", line("a,b:9", 100, 1), -1, ErrInvalidLine, `"a,b:9" is not a valid ID`},
		{"long variant ID", line(strings.Repeat("v", 65), 100, 1), -1, ErrInvalidLine, "…"},
		{"bad product ID", badProduct, -1, ErrInvalidLine, `product ID "p:1"`},
		{"name too long", longName, -1, ErrInvalidLine, "81 characters, more than 80"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := base.Add(tc.l, tc.stock)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("err = %q, want it to mention %q", err, tc.message)
			}
			if q := qtys(got); len(q) != 1 || q["v1"] != 2 {
				t.Errorf("cart after refusal = %v, want unchanged v1:2", q)
			}
		})
	}
}

// A cart holds at most as many lines as one checkout takes; more units of a
// variant already in it still fit.
func TestAddCartFull(t *testing.T) {
	var c Cart
	for i := range MaxLines {
		c = mustAdd(t, c, line("v"+strconv.Itoa(i), 100, 1))
	}
	if _, err := c.Add(line("one-more", 100, 1), -1); !errors.Is(err, ErrCartFull) || !strings.Contains(err.Error(), "at most 20") {
		t.Fatalf("Add past MaxLines = %v, want ErrCartFull", err)
	}
	if c, err := c.Add(line("v0", 100, 1), -1); err != nil || c.Len() != MaxLines || qtys(c)["v0"] != 2 {
		t.Fatalf("Add to a line of a full cart = %v, %v", qtys(c), err)
	}
}

// Add keeps names as sanitize.Line makes them, whatever the caller passed.
func TestAddSanitizesNames(t *testing.T) {
	l := line("v1", 100, 1)
	l.Name, l.Variant = "Mug\u202e \x1b[2Jnow", "Blue\u200b"
	c := mustAdd(t, Cart{}, l)
	if got := c.Lines()[0]; got.Name != "Mug now" || got.Variant != "Blue" {
		t.Fatalf("stored %q (%q), want %q (%q)", got.Name, got.Variant, "Mug now", "Blue")
	}
}

func TestAddWithinStock(t *testing.T) {
	c, err := mustAdd(t, Cart{}, line("v1", 500, 2)).Add(line("v1", 500, 1), 3)
	if err != nil {
		t.Fatalf("adding up to exactly the stock: %v", err)
	}
	if c.Units() != 3 {
		t.Fatalf("Units = %d, want 3", c.Units())
	}
}

// The UI keeps old models around (and tea may compare them); a change must
// never show through a Cart value taken before it.
func TestCopyOnWrite(t *testing.T) {
	// Give the backing array spare capacity so a careless append would
	// write into memory the original still sees.
	orig := Cart{lines: make([]Line, 0, 8)}
	orig = mustAdd(t, orig, line("v1", 500, 1), line("v2", 300, 1))
	before := orig.Lines()

	steps := map[string]func() (Cart, error){
		"Add new":   func() (Cart, error) { return orig.Add(line("v3", 100, 1), -1) },
		"Add merge": func() (Cart, error) { return orig.Add(line("v1", 900, 5), -1) },
		"SetQty":    func() (Cart, error) { return orig.SetQty("v2", 7, -1) },
		"SetQty 0":  func() (Cart, error) { return orig.SetQty("v1", 0, -1) },
		"Remove":    func() (Cart, error) { return orig.Remove("v1"), nil },
		"Without":   func() (Cart, error) { return orig.Without("v2"), nil },
		"Clear":     func() (Cart, error) { return orig.Clear(), nil },
	}
	for name, step := range steps {
		if _, err := step(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		after := orig.Lines()
		if len(after) != len(before) || after[0] != before[0] || after[1] != before[1] {
			t.Fatalf("%s changed the receiver: %+v, was %+v", name, after, before)
		}
	}
	// Lines hands out a copy: writing to it must not reach the cart.
	orig.Lines()[0].Qty = 50
	if orig.Lines()[0].Qty != 1 {
		t.Fatal("writing to Lines() changed the cart")
	}
	// Two carts derived from one must not share a new element either.
	a, _ := orig.Add(line("a", 100, 1), -1)
	b, _ := orig.Add(line("b", 100, 1), -1)
	if a.Lines()[2].VariantID != "a" || b.Lines()[2].VariantID != "b" {
		t.Fatalf("sibling carts share storage: a=%v b=%v", qtys(a), qtys(b))
	}
}

func TestSetQty(t *testing.T) {
	base := mustAdd(t, Cart{}, line("v1", 500, 2), line("v2", 300, 1))
	cases := []struct {
		name    string
		variant string
		qty     int
		stock   int
		want    map[string]int
		err     error
	}{
		{"raise", "v1", 5, -1, map[string]int{"v1": 5, "v2": 1}, nil},
		{"lower", "v1", 1, -1, map[string]int{"v1": 1, "v2": 1}, nil},
		{"zero removes", "v1", 0, -1, map[string]int{"v2": 1}, nil},
		{"zero on missing is a no-op", "nope", 0, -1, map[string]int{"v1": 2, "v2": 1}, nil},
		{"up to stock", "v2", 4, 4, map[string]int{"v1": 2, "v2": 4}, nil},
		{"negative", "v1", -1, -1, nil, ErrInvalidQty},
		{"over stock", "v2", 5, 4, nil, ErrOutOfStock},
		{"over MaxQty", "v2", MaxQty + 1, -1, nil, ErrInvalidQty},
		{"missing variant", "nope", 1, -1, nil, ErrNotInCart},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := base.SetQty(tc.variant, tc.qty, tc.stock)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			q := qtys(got)
			if len(q) != len(tc.want) {
				t.Fatalf("cart = %v, want %v", q, tc.want)
			}
			for k, v := range tc.want {
				if q[k] != v {
					t.Fatalf("cart = %v, want %v", q, tc.want)
				}
			}
		})
	}
}

func TestRemoveWithoutClear(t *testing.T) {
	c := mustAdd(t, Cart{}, line("v1", 500, 1), line("v2", 300, 1), line("v3", 100, 1))
	if q := qtys(c.Remove("v2")); len(q) != 2 || q["v2"] != 0 {
		t.Fatalf("Remove(v2) = %v", q)
	}
	if q := qtys(c.Remove("nope")); len(q) != 3 {
		t.Fatalf("Remove(missing) = %v, want all three", q)
	}
	if q := qtys(c.Without("v1", "v3")); len(q) != 1 || q["v2"] != 1 {
		t.Fatalf("Without(v1, v3) = %v, want v2 only", q)
	}
	if cl := c.Clear(); !cl.IsEmpty() || cl.Len() != 0 || cl.Units() != 0 {
		t.Fatalf("Clear left %v", qtys(cl))
	}
	if c.IsEmpty() {
		t.Fatal("IsEmpty on a full cart")
	}
}

func TestZeroValue(t *testing.T) {
	var c Cart
	if !c.IsEmpty() || c.Len() != 0 || c.Units() != 0 || len(c.Lines()) != 0 {
		t.Fatal("zero Cart is not empty")
	}
}
