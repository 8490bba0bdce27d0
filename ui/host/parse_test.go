package host

import (
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

func TestParseMoney(t *testing.T) {
	ok := []struct {
		in, cur string
		want    int64
	}{
		{"24", "USD", 2400},
		{"24.5", "USD", 2450},
		{"24.50", "USD", 2450},
		{"$24.50", "USD", 2450},
		{" $ 0.99 ", "USD", 99},
		{".5", "USD", 50},
		{"24.500", "USD", 2450}, // trailing zeros are harmless
		{"0", "USD", 0},
		{"usd 3", "USD", 300},
		{"€3.10", "EUR", 310},
		{"CHF 9.90", "CHF", 990},
		{"1200", "JPY", 1200},
		{"¥1200", "JPY", 1200},
		{"1.234", "KWD", 1234},
		{"10000000", "USD", money.MaxAmount},
	}
	for _, c := range ok {
		got, err := parseMoney(c.in, c.cur)
		if err != nil || got != c.want {
			t.Errorf("parseMoney(%q, %s) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
	bad := []struct{ in, cur, want string }{
		{"abc", "USD", "not an amount: write it like $24.00"},
		{"", "USD", "not an amount"},
		{"-1", "USD", "negative"},
		{"$-1", "USD", "negative"},
		{"24.999", "USD", "more than 2 digits"},
		{"1,200.00", "USD", "not an amount"},
		{"1e3", "USD", "not an amount"},
		{"24.5", "JPY", "no minor units"},
		{"10000000.01", "USD", "more than"},
		{"99999999999999999999999", "USD", "more than"},
		{".", "USD", "not an amount"},
	}
	for _, c := range bad {
		_, err := parseMoney(c.in, c.cur)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseMoney(%q, %s) error %v, want one saying %q", c.in, c.cur, err, c.want)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	for in, want := range map[string]int{"30s": 30, "5m": 300, "1m30s": 90, "90": 90, "20m": 1200} {
		if got, err := parseSeconds(in, protocol.MinDeal, protocol.MaxDeal); err != nil || got != want {
			t.Errorf("parseSeconds(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"10s", "29", "21m", "-5m", "1.5s", "soon", "", "99999999999999999999"} {
		if _, err := parseSeconds(in, protocol.MinDeal, protocol.MaxDeal); err == nil {
			t.Errorf("parseSeconds(%q) took it", in)
		}
	}
	if _, err := parseSeconds("25h", time.Second, protocol.MaxTimeout); err == nil || !strings.Contains(err.Error(), "between 1s and 24h") {
		t.Errorf("25h timeout: %v", err)
	}
}

func TestParseStockMatchesVariants(t *testing.T) {
	p := testCatalog()[0] // Blue, Sand, Green
	cases := map[string]protocol.SetStock{
		"blue 5":     {VariantID: "mug-blue", Stock: 5},
		"BLUE 5":     {VariantID: "mug-blue", Stock: 5},
		"mug-sand 0": {VariantID: "mug-sand", Stock: 0},
		"gr 7":       {VariantID: "mug-green", Stock: 7},
		"Green  12 ": {VariantID: "mug-green", Stock: 12},
	}
	for in, want := range cases {
		if got, err := parseStock(in, p); err != nil || got != want {
			t.Errorf("parseStock(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "blue", "blue -1", "blue 1000001", "blue 2.5", "purple 3", "12"} {
		if _, err := parseStock(in, p); err == nil {
			t.Errorf("parseStock(%q) took it", in)
		}
	}
}

func TestParseWords(t *testing.T) {
	got, err := parseWords(" spam , SPAM, sc\x1b[31mam ,, ")
	if err != nil || strings.Join(got, "|") != "spam|scam" {
		t.Errorf("parseWords = %q, %v", got, err)
	}
	var many string
	for i := range protocol.MaxBlockedWords + 1 {
		many += "w" + strings.Repeat("x", i%30) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ","
	}
	if _, err := parseWords(many); err == nil {
		t.Error("took more than the most blocked words")
	}
}
