package money

import (
	"errors"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	cases := []struct {
		m    Money
		want string
	}{
		{New(1250, "USD"), "$12.50"},
		{New(5, "USD"), "$0.05"},
		{New(0, "EUR"), "€0.00"},
		{New(1200, "JPY"), "¥1200"},
		{New(990, "CHF"), "CHF 9.90"},
		{New(1234, "KWD"), "KWD 1.234"},
		{New(-250, "USD"), "-$2.50"},
	}
	for _, c := range cases {
		if got := c.m.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.m, got, c.want)
		}
	}
}

func TestAddMul(t *testing.T) {
	sum, err := New(100, "USD").Add(New(250, "USD"))
	if err != nil || sum != New(350, "USD") {
		t.Fatalf("Add = %v, %v", sum, err)
	}
	if _, err := New(100, "USD").Add(New(1, "EUR")); !errors.Is(err, ErrCurrencyMismatch) {
		t.Fatalf("mixing currencies: err = %v", err)
	}
	if _, err := New(MaxAmount, "USD").Add(New(1, "USD")); err == nil {
		t.Fatal("overflow past MaxAmount accepted")
	}
	p, err := New(1999, "USD").Mul(3)
	if err != nil || p.Amount != 5997 {
		t.Fatalf("Mul = %v, %v", p, err)
	}
	if _, err := New(MaxAmount/2+1, "USD").Mul(2); err == nil {
		t.Fatal("Mul overflow accepted")
	}
}

func TestValidate(t *testing.T) {
	good := []Money{New(0, "USD"), New(MaxAmount, "EUR")}
	bad := []Money{New(-1, "USD"), New(MaxAmount+1, "USD"), New(1, "usd"), New(1, "US"), New(1, "")}
	for _, m := range good {
		if err := m.Validate(); err != nil {
			t.Errorf("%+v: %v", m, err)
		}
	}
	for _, m := range bad {
		if m.Validate() == nil {
			t.Errorf("%+v accepted", m)
		}
	}
}

func TestCurrencyShape(t *testing.T) {
	cases := []struct {
		currency string
		digits   int
		major    int64
		prefix   string
	}{
		{"USD", 2, 100, "$"},
		{"JPY", 0, 1, "¥"},
		{"KWD", 3, 1000, "KWD "},
		{"CHF", 2, 100, "CHF "},
	}
	for _, c := range cases {
		if d, u, p := MinorDigits(c.currency), MajorUnit(c.currency), Prefix(c.currency); d != c.digits || u != c.major || p != c.prefix {
			t.Errorf("%s: MinorDigits %d, MajorUnit %d, Prefix %q; want %d, %d, %q", c.currency, d, u, p, c.digits, c.major, c.prefix)
		}
	}
}

func TestParse(t *testing.T) {
	good := []struct {
		in, currency string
		want         int64
	}{
		{"24", "USD", 2400},
		{"24.5", "USD", 2450},
		{"24.50", "USD", 2450},
		{" $24.50 ", "USD", 2450},
		{"usd 3", "USD", 300},
		{".5", "USD", 50},
		{"7.", "USD", 700},
		{"1.230", "USD", 123},
		{"1200", "JPY", 1200},
		{"¥1200.00", "JPY", 1200},
		{"1.234", "KWD", 1234},
		{"CHF 9.90", "CHF", 990},
		{"0", "EUR", 0},
		{"10000000", "USD", MaxAmount},
	}
	for _, c := range good {
		got, err := Parse(c.in, c.currency)
		if err != nil || got != New(c.want, c.currency) {
			t.Errorf("Parse(%q, %s) = %v, %v; want %d", c.in, c.currency, got, err, c.want)
		}
		// What String writes, Parse reads back.
		if back, err := Parse(got.String(), c.currency); err != nil || back != got {
			t.Errorf("Parse(%q) = %v, %v; want %v", got.String(), back, err, got)
		}
	}
	bad := []struct{ in, currency, says string }{
		{"", "USD", "not an amount: write it like $24.00"},
		{"abc", "USD", "not an amount"},
		{"1,5", "USD", "not an amount"},
		{"1e3", "USD", "not an amount"},
		{".", "USD", "not an amount"},
		{"-3", "USD", "negative"},
		{"$-3", "USD", "negative"},
		{"1.005", "USD", "more than 2 digits after the point"},
		{"1.5", "JPY", "JPY has no minor units: write whole amounts like ¥24"},
		{"10000000.01", "USD", "more than $10000000.00"},
		{"99999999999999999999999", "USD", "more than"},
		{"€3", "USD", "not an amount"},
	}
	for _, c := range bad {
		if got, err := Parse(c.in, c.currency); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Parse(%q, %s) = %v, %v; want an error saying %q", c.in, c.currency, got, err, c.says)
		}
	}
	if _, err := Parse("x", "USD"); !errors.Is(err, ErrSyntax) {
		t.Errorf("Parse(x): %v does not wrap ErrSyntax", err)
	}
}
