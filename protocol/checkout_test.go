package protocol

import (
	"slices"
	"strings"
	"testing"

	"github.com/livecart/livecart/money"
)

func TestFormatAndParseItems(t *testing.T) {
	items := []Item{{"mug-blue", 2}, {"tote_natural.L", 99}, {"x", 1}}
	raw, err := FormatItems(items)
	if err != nil || raw != "mug-blue:2,tote_natural.L:99,x:1" {
		t.Fatalf("FormatItems = %q, %v", raw, err)
	}
	back, err := ParseItems(raw)
	if err != nil || !slices.Equal(back, items) {
		t.Fatalf("ParseItems(%q) = %v, %v; want %v", raw, back, err, items)
	}
	// A variant listed twice reads as one item, at its first place.
	if got, err := ParseItems("a:1,b:2,a:3"); err != nil || !slices.Equal(got, []Item{{"a", 4}, {"b", 2}}) {
		t.Errorf("ParseItems with a repeat = %v, %v", got, err)
	}
}

func TestFormatItemsRefuses(t *testing.T) {
	many := make([]Item, MaxBuyItems+1)
	for i := range many {
		many[i] = Item{VariantID: "v" + strings.Repeat("x", i), Qty: 1}
	}
	for name, items := range map[string][]Item{
		"none":          nil,
		"too many":      many,
		"separator":     {{"a,b", 1}},
		"colon":         {{"a:1", 1}},
		"slash":         {{"a/b", 1}},
		"zero":          {{"a", 0}},
		"over the cap":  {{"a", MaxQty + 1}},
		"twice":         {{"a", 1}, {"a", 1}},
		"long id":       {{strings.Repeat("a", MaxIDBytes+1), 1}},
		"empty id":      {{"", 1}},
		"non-ascii id":  {{"ö", 1}},
		"percent in id": {{"100%", 1}},
	} {
		if raw, err := FormatItems(items); err == nil {
			t.Errorf("%s: FormatItems = %q, want an error", name, raw)
		}
	}
}

func TestParseItemsRefuses(t *testing.T) {
	many := strings.Repeat("a:1,", MaxBuyItems) + "b:1"
	for raw, says := range map[string]string{
		"":          "empty",
		"x":         "VARIANT:QTY",
		"x:1,,y:1":  "VARIANT:QTY",
		"x:0":       "quantity must be 1-99",
		"x:100":     "quantity must be 1-99",
		"x:+1":      "quantity must be 1-99",
		"x:-1":      "quantity must be 1-99",
		"x:1:2":     "quantity must be 1-99",
		"x:abc":     "quantity must be 1-99",
		"a:60,a:60": "in total",
		"a/b:1":     "not a valid variant id",
		many:        "at most 20 items",
	} {
		if got, err := ParseItems(raw); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseItems(%q) = %v, %v; want an error saying %q", raw, got, err, says)
		}
	}
}

func TestParseSeen(t *testing.T) {
	for raw, want := range map[string]int64{"0": 0, "4480": 4480, "1000000000": 1_000_000_000} {
		if got, ok := ParseSeen(raw); !ok || got != want {
			t.Errorf("ParseSeen(%q) = %d, %v", raw, got, ok)
		}
	}
	for _, raw := range []string{"", "{total}", "-1", "+1", "1.5", "1000000001", "99999999999999999999"} {
		if got, ok := ParseSeen(raw); ok {
			t.Errorf("ParseSeen(%q) = %d, want no total", raw, got)
		}
	}
}

// FuzzItems parses arbitrary text as a checkout link's items: whatever
// ParseItems accepts, FormatItems writes back in a form that parses to the
// same items, and the limits hold.
func FuzzItems(f *testing.F) {
	for _, seed := range []string{"mug-blue:2,tote:1", "a:1,a:2", "a:99", "a:0", "a:1,", ",", "x:1:2", "é:1", strings.Repeat("a:1,", 21)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		items, err := ParseItems(raw)
		if err != nil {
			return
		}
		if len(items) == 0 || len(items) > MaxBuyItems {
			t.Fatalf("ParseItems(%q) = %d items", raw, len(items))
		}
		again, err := FormatItems(items)
		if err != nil {
			t.Fatalf("ParseItems(%q) = %v, which FormatItems refuses: %v", raw, items, err)
		}
		back, err := ParseItems(again)
		if err != nil || !slices.Equal(back, items) {
			t.Fatalf("FormatItems(%v) = %q, which reads back as %v, %v", items, again, back, err)
		}
	})
}

// An order of MaxBuyItems items, each bought at a deal's price and over its
// limit at the regular price, has two lines an item, and is valid.
func TestOrderOfSplitLines(t *testing.T) {
	o := Order{ID: "e-o1", Total: money.New(0, "USD")}
	for i := range MaxBuyItems {
		id := "v" + strings.Repeat("x", i)
		o.Lines = append(o.Lines,
			OrderLine{ProductID: "p", VariantID: id, Unit: money.New(1, "USD"), Qty: 1},
			OrderLine{ProductID: "p", VariantID: id, Unit: money.New(2, "USD"), Qty: 1})
	}
	if err := o.Validate(); err != nil {
		t.Fatalf("an order of %d lines: %v", len(o.Lines), err)
	}
	o.Lines = append(o.Lines, o.Lines[0])
	if err := o.Validate(); err == nil {
		t.Fatalf("an order of %d lines is valid", len(o.Lines))
	}
}
